/**
 * `loadVehicleProfile`: a profile file read, checked and resolved against its DBC in one call, for
 * the daemon, replay and the tools. Bad input of any kind ends in one `ProfileInvalidError` that
 * lists every problem, so an operator fixes the file in one round.
 */
import { readFile } from 'node:fs/promises';
import { loadDbcFile, type DbcDatabase } from '../../bus/dbc/index.js';
import { ProfileInvalidError } from './errors.js';
import { parseProfile, type VehicleProfile } from './profile.js';
import { resolveProfile } from './resolve.js';
import type { ProfileProblem, ResolvedProfile } from './types.js';

export interface LoadProfileOptions {
  /** The DBC: a file (overriding the profile's `dbc:`) or a database already loaded. */
  readonly dbc?: string | DbcDatabase;
  /** How problems name the DBC (default: its path). */
  readonly dbcName?: string;
}

/** What `loadProfileParts` found: the parts that could be read, and every problem. */
export interface ProfileParts {
  readonly profile: VehicleProfile | undefined;
  readonly database: DbcDatabase | undefined;
  /** The DBC's path, when it came from a file. */
  readonly dbcPath: string | undefined;
  readonly resolved: ResolvedProfile | undefined;
  readonly problems: readonly ProfileProblem[];
}

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * Reads a profile and its DBC and resolves one against the other, collecting every problem.
 * @throws {Error} from the file system when the profile itself cannot be read (ENOENT, ...).
 * @throws {DbcParseError} when the DBC does not parse (it names its own file and line).
 */
export async function loadProfileParts(file: string, options: LoadProfileOptions = {}): Promise<ProfileParts> {
  const { profile, problems } = parseProfile(await readFile(file, 'utf8'), file);
  const none = { profile, database: undefined, dbcPath: undefined, resolved: undefined };
  if (!profile) return { ...none, problems };
  let database: DbcDatabase | undefined;
  let dbcPath: string | undefined;
  if (options.dbc !== undefined && typeof options.dbc !== 'string') database = options.dbc;
  else {
    dbcPath = options.dbc ?? profile.dbcPath;
    if (dbcPath === undefined) {
      const missing: ProfileProblem = { file, line: 1, message: 'no DBC: the profile names no `dbc:` and none was given', fix: 'add `dbc: FILE` (relative to the profile) or pass --dbc FILE' };
      return { ...none, problems: [...problems, missing] };
    }
    try {
      database = (await loadDbcFile(dbcPath)).database;
    } catch (err) {
      const code = errnoCode(err);
      if (code === undefined) throw err;
      const fromProfile = options.dbc === undefined;
      const unreadable: ProfileProblem = {
        file,
        ...(fromProfile && profile.dbcLine !== undefined ? { line: profile.dbcLine } : {}),
        message: `cannot read the DBC ${dbcPath} (${code})`,
        fix: fromProfile ? 'correct `dbc:` (it is relative to the profile\'s folder)' : 'correct --dbc',
      };
      return { ...none, dbcPath, problems: [...problems, unreadable] };
    }
  }
  const dbcName = options.dbcName ?? dbcPath;
  const resolution = resolveProfile(profile, database, dbcName !== undefined ? { dbcName } : {});
  const all = [...problems, ...resolution.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { profile, database, dbcPath, resolved: resolution.profile, problems: all };
}

/**
 * Reads a profile, loads its DBC (`options.dbc`, else the profile's `dbc:`) and resolves it.
 * @throws {ProfileInvalidError} listing every problem, each `file:line: message (fix: ...)`.
 * @throws {Error} from the file system when the profile cannot be read (ENOENT, ...).
 * @throws {DbcParseError} when the DBC does not parse.
 */
export async function loadVehicleProfile(file: string, options: LoadProfileOptions = {}): Promise<ResolvedProfile> {
  const parts = await loadProfileParts(file, options);
  if (parts.problems.length > 0 || !parts.resolved) throw new ProfileInvalidError(file, parts.problems);
  return parts.resolved;
}
