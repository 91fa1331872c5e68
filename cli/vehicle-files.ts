/**
 * Where the vehicle's DBC and model folders come from, one rule for `run` and `replay`: the
 * command-line flag (relative to the working directory), else the config's `dbc:` / `models_dir:`
 * (relative to the config file's folder, so a config means the same from any working directory),
 * else the bundled reference DBC and shipped models. Each is checked before anything is started,
 * so a wrong path is named with where it came from instead of surfacing as a bare ENOENT later.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readYamlFileLocated, type EcuAiConfig } from '../runtime/config.js';
import { EXIT_BAD_INPUT } from './command.js';
import { bundledDbc, bundledModels } from './paths.js';

/** The flags as typed, before resolution; absent when not given. */
export interface VehicleFileFlags {
  readonly dbc?: string | undefined;
  readonly models?: string | undefined;
}

/** Absolute paths of the DBC and the models folder a command uses. */
export interface VehicleFiles {
  readonly dbc: string;
  readonly modelsDir: string;
}

export interface VehicleFileSources {
  readonly flags: VehicleFileFlags;
  /** The folder flags are relative to. */
  readonly cwd: string;
  /** The config file (absolute), when one was given; its folder anchors the config's paths. */
  readonly configPath: string | undefined;
  readonly config: Readonly<Pick<EcuAiConfig, 'dbc' | 'models_dir'>>;
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
  readonly flag: '--dbc' | '--models';
  readonly key: 'dbc' | 'models_dir';
  readonly kind: Kind;
  readonly bundled: string;
}

const DBC: Choice = { flag: '--dbc', key: 'dbc', kind: 'file', bundled: bundledDbc };
const MODELS: Choice = { flag: '--models', key: 'models_dir', kind: 'folder', bundled: bundledModels };

/**
 * Resolves and checks the DBC and models folder by the rule in this file's header.
 * @throws {VehicleFileMissingError} naming the flag or the config key (with its file:line) and the path
 */
export async function resolveVehicleFiles(s: VehicleFileSources): Promise<VehicleFiles> {
  const [dbc, modelsDir] = await Promise.all([resolveOne(DBC, s.flags.dbc, s), resolveOne(MODELS, s.flags.models, s)]);
  return { dbc, modelsDir };
}

async function resolveOne(c: Choice, flag: string | undefined, s: VehicleFileSources): Promise<string> {
  if (flag !== undefined) {
    const resolved = path.resolve(s.cwd, flag);
    await check(resolved, c.kind, () => ({ origin: c.flag, given: flag, fix: `give an existing ${c.kind} to ${c.flag}` }));
    return resolved;
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
    return resolved;
  }
  await check(c.bundled, c.kind, () => ({ origin: `the bundled ${c.key}`, given: path.basename(c.bundled), fix: `reinstall ecu-ai, or give ${c.flag}` }));
  return c.bundled;
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
