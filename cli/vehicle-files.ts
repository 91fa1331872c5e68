/**
 * Where the vehicle's profile, DBC and model folders come from, one rule for `run` and `replay`: the
 * command-line flag (relative to the working directory), else the config's `vehicle:` / `dbc:` /
 * `models_dir:` (relative to the config file's folder, so a config means the same from any working
 * directory), else the bundled reference profile, DBC and shipped models. A DBC named by neither flag
 * nor config comes from the profile's own `dbc:` when it has one. Each is checked before anything is started,
 * so a wrong path is named with where it came from instead of surfacing as a bare ENOENT later.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readYamlFileLocated, type EcuAiConfig } from '../runtime/config.js';
import { ProfileDoesNotFitError, ProfileInvalidError } from '../runtime/vehicle/errors.js';
import { loadVehicleProfile } from '../runtime/vehicle/load.js';
import { readProfile } from '../runtime/vehicle/profile.js';
import type { ResolvedProfile } from '../runtime/vehicle/types.js';
import { REFERENCE_PROFILE } from '../runtime/vehicle/reference-mapping.js';
import { EXIT_BAD_INPUT } from './command.js';
import { bundledDbc, bundledModels } from './paths.js';

/** The flags as typed, before resolution; absent when not given. */
export interface VehicleFileFlags {
  readonly dbc?: string | undefined;
  readonly models?: string | undefined;
  readonly vehicle?: string | undefined;
}

/** Absolute paths of the DBC and the models folder a command uses. */
export interface VehicleFiles {
  readonly dbc: string;
  readonly modelsDir: string;
  /** The vehicle profile mapping catalog signals to this DBC. */
  readonly vehicle: string;
}

export interface VehicleFileSources {
  readonly flags: VehicleFileFlags;
  /** The folder flags are relative to. */
  readonly cwd: string;
  /** The config file (absolute), when one was given; its folder anchors the config's paths. */
  readonly configPath: string | undefined;
  readonly config: Readonly<Pick<EcuAiConfig, 'dbc' | 'models_dir' | 'vehicle'>>;
}

type Kind = 'file' | 'folder';

/** A DBC or models folder that is not there (or not of its kind): bad input, exit 2. */
export class VehicleFileMissingError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  /** Where the path came from: `--dbc`, `FILE:LINE: models_dir`, or `the bundled DBC`. */
  readonly origin: string;
  /** The absolute path that was looked for. */
  readonly path: string;
  constructor(origin: string, given: string, resolved: string, problem: string, fix: string) {
    super(`${origin}: ${given}: ${problem} (looked for ${resolved}); ${fix}`);
    this.name = 'VehicleFileMissingError';
    this.origin = origin;
    this.path = resolved;
  }
}

interface Choice {
  readonly flag: '--dbc' | '--models' | '--vehicle';
  readonly key: 'dbc' | 'models_dir' | 'vehicle';
  readonly kind: Kind;
  readonly bundled: string;
}

const DBC: Choice = { flag: '--dbc', key: 'dbc', kind: 'file', bundled: bundledDbc };
const MODELS: Choice = { flag: '--models', key: 'models_dir', kind: 'folder', bundled: bundledModels };
const VEHICLE: Choice = { flag: '--vehicle', key: 'vehicle', kind: 'file', bundled: REFERENCE_PROFILE };

/** A resolved path and whether it is the bundled default (which a profile's own `dbc:` replaces). */
interface Resolved {
  readonly path: string;
  readonly bundled: boolean;
}

/**
 * Resolves and checks the profile, the DBC and the models folder by the rule in this file's header.
 * @throws {VehicleFileMissingError} naming the flag or the config key (with its file:line) and the path
 */
export async function resolveVehicleFiles(s: VehicleFileSources): Promise<VehicleFiles> {
  const [dbc, modelsDir, vehicle] = await Promise.all([resolveOne(DBC, s.flags.dbc, s), resolveOne(MODELS, s.flags.models, s), resolveOne(VEHICLE, s.flags.vehicle, s)]);
  return { dbc: dbc.bundled && !vehicle.bundled ? await profileDbc(vehicle.path, dbc.path) : dbc.path, modelsDir: modelsDir.path, vehicle: vehicle.path };
}

/** The DBC a profile names with its own `dbc:` (relative to the profile), else `fallback`. */
async function profileDbc(profilePath: string, fallback: string): Promise<string> {
  const profile = await readProfile(profilePath);
  if (profile.dbcPath === undefined) return fallback;
  await check(profile.dbcPath, 'file', () => ({ origin: `${profilePath}: dbc`, given: profile.dbc ?? profile.dbcPath ?? '', fix: `a relative dbc starts at the profile's folder; correct it, or give --dbc` }));
  return profile.dbcPath;
}

async function resolveOne(c: Choice, flag: string | undefined, s: VehicleFileSources): Promise<Resolved> {
  if (flag !== undefined) {
    const resolved = path.resolve(s.cwd, flag);
    await check(resolved, c.kind, () => ({ origin: c.flag, given: flag, fix: `give an existing ${c.kind} to ${c.flag}` }));
    return { path: resolved, bundled: false };
  }
  const fromConfig = s.config[c.key];
  if (fromConfig !== undefined) {
    const configPath = s.configPath;
    const resolved = path.resolve(configPath === undefined ? s.cwd : path.dirname(configPath), fromConfig);
    await check(resolved, c.kind, async () => ({
      origin: `${configPath === undefined ? 'config' : await keyLocation(configPath, c.key)}: ${c.key}`,
      given: fromConfig,
      fix: `a relative ${c.key} starts at the config file's folder; correct it, or give ${c.flag}`,
    }));
    return { path: resolved, bundled: false };
  }
  await check(c.bundled, c.kind, () => ({ origin: `the bundled ${c.key}`, given: path.basename(c.bundled), fix: `reinstall ecu-ai, or give ${c.flag}` }));
  return { path: c.bundled, bundled: true };
}

interface Blame {
  readonly origin: string;
  readonly given: string;
  readonly fix: string;
}

async function check(resolved: string, kind: Kind, blame: () => Blame | Promise<Blame>): Promise<void> {
  const st = await stat(resolved).catch(() => undefined);
  const problem = st === undefined ? `no such ${kind}` : kind === 'file' && st.isDirectory() ? 'is a folder, not a file' : kind === 'folder' && !st.isDirectory() ? 'is a file, not a folder' : undefined;
  if (problem === undefined) return;
  const b = await blame();
  throw new VehicleFileMissingError(b.origin, b.given, resolved, problem, b.fix);
}

/** `FILE:LINE` of a top-level key, read again only on this error path; `FILE` when the line is unknown. */
async function keyLocation(configPath: string, key: string): Promise<string> {
  const line = await readYamlFileLocated(configPath)
    .then((d) => d.locate([key]))
    .catch(() => undefined);
  return line === undefined ? configPath : `${configPath}:${line}`;
}

/**
 * The vehicle profile resolved against the DBC the command uses.
 * @throws {ProfileInvalidError} listing every problem, each naming the profile line and the fix
 */
export async function loadVehicle(files: VehicleFiles): Promise<ResolvedProfile> {
  try {
    return await loadVehicleProfile(files.vehicle, { dbc: files.dbc });
  } catch (err) {
    // The default profile meeting another vehicle's DBC: say what to do, not 200 lines of what is missing.
    if (err instanceof ProfileInvalidError && files.vehicle === REFERENCE_PROFILE && files.dbc !== bundledDbc) throw new ProfileDoesNotFitError(files.vehicle, files.dbc, err.problems);
    throw err;
  }
}
