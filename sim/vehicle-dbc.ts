/**
 * The reference vehicle's DBC (`sim/vehicle.dbc`), located next to the sources or, when running
 * the compiled code, at the package's `sim/` folder; parsed and compiled once per process on demand.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDatabase, parseDbc, type CompiledDatabase } from '../bus/dbc/index.js';

let cached: CompiledDatabase | undefined;

/**
 * Path of `vehicle.dbc`.
 * @throws {Error} with code ENOENT when the file is not where the package puts it
 */
export function vehicleDbcPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'vehicle.dbc'), path.resolve(here, '..', '..', 'sim', 'vehicle.dbc')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw Object.assign(new Error(`vehicle.dbc not found (looked in ${candidates.join(', ')})`), { code: 'ENOENT' });
  return found;
}

/**
 * The compiled reference database.
 * @throws {DbcParseError} if the shipped file was damaged
 */
export function vehicleDatabase(): CompiledDatabase {
  if (!cached) {
    const file = vehicleDbcPath();
    cached = compileDatabase(parseDbc(readFileSync(file, 'latin1'), { file, strict: true }).database);
  }
  return cached;
}
