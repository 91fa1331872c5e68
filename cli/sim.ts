/**
 * `ecu-ai sim`: simulates a drive in a scenario and writes a trace with labels, on the reference
 * vehicle or, with `--vehicle`, encoded onto another vehicle through its profile and DBC.
 */
import { SCENARIOS } from '../sim/scenarios/index.js';
import { SimUsageError, VehicleEncodingError } from '../sim/simulate.js';
import { writeSimulation } from '../sim/write.js';
import path from 'node:path';
import { assertDistinctPaths } from '../bus/files/index.js';
import { loadVehicleProfile } from '../runtime/vehicle/load.js';
import { parseCliArgs } from './args.js';
import { createProgress } from './progress.js';
import { EXIT_OK, UsageError, writeOut, type CliCommand, type CliIo } from './command.js';
import { describeEncoding, loadSimVehicle, type SimVehicle, type VehicleProfileLoader } from './sim-vehicle.js';

const HELP = `Usage:
  ecu-ai sim --scenario NAME --duration SECONDS --seed N --out TRACE [--labels FILE.jsonl] [--drop-rate P]
             [--vehicle PROFILE [--dbc DBC]]
  ecu-ai sim --list

Simulates the reference vehicle (sim/vehicle.dbc) and writes its bus traffic to TRACE (format by
extension: .log, .asc, .blf, .jsonl) and, with --labels, one ground-truth label per line:
  {"t":1.25,"domain":"adas","label":{"collision_imminent":false,"ttc_s":null,...}}
The same scenario, duration and seed always give the same files.
--vehicle encodes the same drive onto the vehicle a profile describes, with its DBC (--dbc, else the
profile's dbc:): each mapped catalog signal in its message, at the DBC's cycle time (else the reference
message's); catalog signals the profile does not map are not sent. The labels are the reference drive's.
--list describes the scenarios. --drop-rate is the share of frames lost on the bus (default 0.0005).
TRACE and the labels are written whole or not at all (a failed or interrupted run leaves existing
files as they were); --out and --labels must name different files. Progress goes to stderr on a
terminal (not with --quiet).`;

export interface SimCommandOptions {
  /** Reads `--vehicle` profiles; without it `--vehicle` is refused. */
  readonly loadProfile?: VehicleProfileLoader;
}

/** The `sim` command, reading `--vehicle` profiles with `loadProfile`. */
export function createSimCommand(options: SimCommandOptions = {}): CliCommand {
  return {
    name: 'sim',
    summary: 'simulate the reference vehicle and write a trace with labels',
    help: HELP,
    run: (args, io) => runSim(args, io, options),
  };
}

export const simCommand: CliCommand = createSimCommand({ loadProfile: loadVehicleProfile });

async function runSim(args: readonly string[], io: CliIo, options: SimCommandOptions): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    scenario: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    labels: { type: 'string' },
    'drop-rate': { type: 'string' },
    vehicle: { type: 'string' },
    dbc: { type: 'string' },
    list: { type: 'boolean' },
    quiet: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.list) {
    for (const s of SCENARIOS.values()) await writeOut(io.stdout, `${s.name}\n  ${s.description}\n`);
    return EXIT_OK;
  }
  const scenario = required('scenario', values.scenario);
  if (!SCENARIOS.has(scenario)) throw new UsageError(`unknown scenario "${scenario}"; known: ${[...SCENARIOS.keys()].join(', ')}`);
  const durationS = positiveNumber('duration', required('duration', values.duration));
  const seed = Number(required('seed', values.seed));
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed takes a non-negative integer, not "${values.seed}"`);
  const out = path.resolve(io.cwd, required('out', values.out));
  const labels = values.labels === undefined ? undefined : path.resolve(io.cwd, values.labels);
  const dropRate = values['drop-rate'] === undefined ? undefined : probability(values['drop-rate']);
  assertDistinctPaths([], [{ role: '--out', file: values.out as string }, ...(values.labels !== undefined ? [{ role: '--labels', file: values.labels }] : [])], io.cwd);
  const vehicle = await vehicleOf(values.vehicle, values.dbc, io.cwd, options.loadProfile);
  const progress = createProgress(io.stderr, { label: `sim ${scenario}`, unit: 's of drive', total: durationS, quiet: values.quiet === true });
  try {
    const r = await writeSimulation({
      scenario,
      durationS,
      seed,
      out,
      ...(labels ? { labels } : {}),
      ...(dropRate === undefined ? {} : { dropRate }),
      ...(vehicle ? { vehicle } : {}),
      onProgress: (t) => progress.update(t),
    });
    progress.end();
    const params = Object.entries(r.run.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    await writeOut(
      io.stderr,
      `sim ${scenario} seed ${seed}: ${durationS} s simulated in ${r.wallS.toFixed(2)} s (${(durationS / r.wallS).toFixed(0)}x), ` +
        `${r.frames} frames (${r.dropped} dropped on the bus), ${r.labels} labels${labels ? '' : ' (not written)'}; ${params}\n`,
    );
    if (vehicle && r.run.encoding) await writeOut(io.stderr, describeEncoding(vehicle.name, r.run.encoding) + '\n');
  } catch (err) {
    progress.end();
    if (err instanceof SimUsageError && !(err instanceof VehicleEncodingError)) throw new UsageError(err.message);
    throw err;
  }
  return EXIT_OK;
}

async function vehicleOf(profile: string | undefined, dbc: string | undefined, cwd: string, loader: VehicleProfileLoader | undefined): Promise<SimVehicle | undefined> {
  if (profile === undefined) {
    if (dbc !== undefined) throw new UsageError('--dbc is the DBC of a --vehicle profile; without --vehicle the drive is on the reference vehicle (sim/vehicle.dbc)');
    return undefined;
  }
  if (!loader) throw new UsageError('--vehicle: this build of ecu-ai has no vehicle profile loader');
  return loadSimVehicle(loader, path.resolve(cwd, profile), dbc === undefined ? undefined : path.resolve(cwd, dbc));
}

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function positiveNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} takes a positive number, not "${value}"`);
  return n;
}

function probability(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new UsageError(`--drop-rate takes a share from 0 to below 1, not "${value}"`);
  return n;
}
