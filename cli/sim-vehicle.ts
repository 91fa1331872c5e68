/**
 * The vehicle behind `ecu-ai sim --vehicle PROFILE [--dbc D]`: the profile resolved against the
 * vehicle's DBC by the vehicle library's loader, and that DBC compiled for the simulator's encoder.
 * The loader is handed in (`createSimCommand`), so this file depends only on the profile contract
 * (`runtime/vehicle/types.ts`), not on how profiles are read.
 */
import { compileDatabase, loadDbcFile } from '../bus/dbc/index.js';
import type { ResolvedProfile } from '../runtime/vehicle/types.js';
import type { VehicleEncoding, VehicleTarget } from '../sim/simulate.js';
import { UsageError } from './command.js';

/** Reads a profile and resolves it against a DBC: `dbc` overrides the profile's own `dbc:`. */
export type VehicleProfileLoader = (file: string, options: { readonly dbc?: string }) => ResolvedProfile | Promise<ResolvedProfile>;

/** A vehicle ready to simulate: its profile's signals, its DBC and where both came from. */
export interface SimVehicle extends VehicleTarget {
  readonly name: string;
  readonly profile: string;
  readonly dbcPath: string;
}

/**
 * Loads the profile and the DBC the drive is encoded onto.
 * @param loader - the vehicle library's profile loader
 * @param profileFile - the profile (absolute)
 * @param dbcFile - `--dbc` (absolute), which wins over the profile's `dbc:`
 * @throws {UsageError} when neither `--dbc` nor the profile names a DBC
 * @throws whatever the loader throws for a bad profile, and DbcParseError or ENOENT for a bad DBC
 */
export async function loadSimVehicle(loader: VehicleProfileLoader, profileFile: string, dbcFile: string | undefined): Promise<SimVehicle> {
  const profile = await loader(profileFile, dbcFile === undefined ? {} : { dbc: dbcFile });
  const dbcPath = dbcFile ?? profile.dbcPath;
  if (dbcPath === undefined) throw new UsageError(`${profileFile} names no dbc:; give the vehicle's DBC with --dbc FILE`);
  const { database } = await loadDbcFile(dbcPath);
  return { name: profile.vehicle, profile: profile.file, dbcPath, signals: profile.signals, database: compileDatabase(database) };
}

/** One line on what the drive put on the vehicle's bus, and what it could not. */
export function describeEncoding(name: string, encoding: VehicleEncoding): string {
  const messages = encoding.messages.map((m) => `${m.name} ${m.cycleMs} ms${m.framesPerCycle > 1 ? ` x${m.framesPerCycle}` : ''}`);
  const sent = encoding.messages.reduce((n, m) => n + m.signals.length, 0);
  const parts = [`vehicle ${name}: ${sent} catalog signals on ${messages.length} messages (${messages.join(', ')})`];
  if (encoding.unsimulated.length > 0) parts.push(`not simulated: ${encoding.unsimulated.join(', ')}`);
  if (encoding.notInvertible.size > 0) parts.push(`mapping cannot be inverted, not sent: ${[...encoding.notInvertible].join(', ')}`);
  return parts.join('; ');
}
