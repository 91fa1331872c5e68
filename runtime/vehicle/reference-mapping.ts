/**
 * The reference vehicle's mapping, the default wherever no profile is given: the shipped profile
 * `vehicles/reference.yaml` resolved against the reference DBC `sim/vehicle.dbc`. Read once,
 * synchronously, because the engine, the simulator and the model datasets need it where no
 * profile was loaded beforehand (unit tests, `sim`, dataset builds).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeDbcBytes, parseDbc } from '../../bus/dbc/index.js';
import { installRoot } from '../install-root.js';
import { ProfileInvalidError } from './errors.js';
import { parseProfile } from './profile.js';
import { resolveProfile } from './resolve.js';
import type { ResolvedSignal } from './types.js';

/** The shipped reference profile. */
export const REFERENCE_PROFILE: string = path.join(installRoot(), 'vehicles', 'reference.yaml');
const REFERENCE_DBC = path.join(installRoot(), 'sim', 'vehicle.dbc');

let cached: ReadonlyMap<string, ResolvedSignal> | undefined;

/**
 * The reference vehicle's catalog signals by name, from `vehicles/reference.yaml`.
 * @returns a new map on each call; its entries are frozen
 * @throws {ProfileInvalidError} when the shipped profile does not resolve (a broken installation)
 */
export function referenceVehicleSignals(): ReadonlyMap<string, ResolvedSignal> {
  if (!cached) {
    const parsed = parseProfile(readFileSync(REFERENCE_PROFILE, 'utf8'), REFERENCE_PROFILE);
    if (!parsed.profile || parsed.problems.length > 0) throw new ProfileInvalidError(REFERENCE_PROFILE, parsed.problems);
    const { database } = parseDbc(decodeDbcBytes(readFileSync(REFERENCE_DBC)), { file: REFERENCE_DBC });
    const { profile, problems } = resolveProfile(parsed.profile, database, { dbcName: 'sim/vehicle.dbc' });
    if (problems.length > 0) throw new ProfileInvalidError(REFERENCE_PROFILE, problems);
    cached = profile.signals;
  }
  return new Map(cached);
}
