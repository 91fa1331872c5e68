/** The vehicle's DBC, loaded and compiled once for the router and the output encoders. */
import type { Logger } from 'pino';
import { compileDatabase, loadDbcFile, type CompiledDatabase, type DbcDatabase } from '../../bus/dbc/index.js';
import { component, type Component } from './lifecycle.js';

export interface VehicleDatabase {
  readonly database: DbcDatabase;
  readonly codecs: CompiledDatabase;
}

/** @throws {DbcParseError} (from start) for a malformed DBC */
export function vehicleDatabase(dbcPath: string, log?: Logger): Component<VehicleDatabase> {
  return component('vehicle database', async () => {
    const { database, warnings } = await loadDbcFile(dbcPath);
    if (warnings.length > 0) log?.warn({ dbc: dbcPath, warnings: warnings.length }, 'DBC loaded with warnings');
    return { database, codecs: compileDatabase(database) };
  });
}
