/** `ecu-ai replay`: a recorded drive through the five domains in virtual time. */
import path from 'node:path';
import { assertDistinctPaths, writeFileAtomic, type NamedPath } from '../bus/files/index.js';
import { openTraceWriter } from '../bus/trace/index.js';
import type { CanFrame } from '../bus/frame.js';
import { loadConfigFile, parseConfig } from '../runtime/config.js';
import { loadLabels } from '../runtime/engine/labels.js';
import { runReplaySession } from '../runtime/compose/replay-session.js';
import type { ReplaySummary } from '../runtime/engine/summary.js';
import { describeDefaulted, describeDisabled } from '../runtime/engine/domain-inputs.js';
import { createLogger } from '../runtime/observe/index.js';
import { DOMAIN_LIST } from '../domains/index.js';
import { resolveDomains } from '../runtime/service/resolved.js';
import { parseCliArgs } from './args.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError, type CliCommand, type CliIo } from './command.js';
import { createProgress } from './progress.js';
import { formatDomainTable } from './domain-table.js';
import { renderHtmlReport } from './html-report.js';
import { startCloud } from './cloud-setup.js';
import { describeSources, modelSources } from './model-sources.js';
import { folderSnippetSink, recorderFromConfig } from '../runtime/datalog/index.js';
import { bundledDemoConfig, bundledDemoLabels, bundledDemoTrace, workerEntry } from './paths.js';
import { loadVehicle, resolveVehicleFiles, type VehicleFiles } from './vehicle-files.js';

const HELP = `Usage: ecu-ai replay [TRACE] [options]

Replays a recorded drive through the enabled domains in virtual time: the same frames, config and
modelled costs give the same decisions and the same summary on every run. With no TRACE, the
bundled demo drive and its labels.

Options:
  --config FILE      YAML or JSON config (default: the embedded one)
  --labels FILE      ground-truth labels (JSON lines) to score the domains against
  --dbc FILE         the vehicle DBC (default: the config's dbc:, else the profile's dbc:, else sim/vehicle.dbc)
  --vehicle FILE     the vehicle profile mapping catalog signals to the DBC (default: the config's
                     vehicle:, else vehicles/reference.yaml); domains lacking required signals are disabled
  --models DIR       model folders replacing the shipped ones they name (default: the config's
                     models_dir:, else the shipped models/); a domain whose model DIR lacks runs the shipped one
  --speed max|1|N    as fast as possible (default), real time, or N times real time
  --json FILE        write the replay summary JSON
  --report FILE      write an HTML report
  --out TRACE        write the domains' output frames to a trace (format by extension)
  --snippets DIR     write the trigger-based data snippets (frames around an ADAS warning, ice,
                     a battery anomaly, a fallback, a degradation) to DIR as JSON
  --broker URL       MQTT broker where the cloud workers run (default: an embedded broker with
                     one in-process worker)
  --local-only       no cloud: comfort services stay on the vehicle
  --allow-undecoded  exit 0 even when no frame decodes with the DBC or a domain's inputs never
                     become valid (without it such a replay exits 1)
  --quiet            no table on stdout, no progress on stderr

A domain whose required signals the vehicle does not map is disabled: one line on stderr names
what is missing, the summary lists it under "disabled_domains", and the other domains run. Missing
optional signals take their documented defaults (one line each, "defaulted_inputs").

Exit codes: 0 a clean replay; 1 no frame decoded with the DBC, an enabled domain whose inputs
never became valid (each named on stderr and in its row), no domain able to run on the vehicle,
or a runtime failure; 2 bad input (an
empty or malformed trace, a bad config or labels file, a DBC or models folder that is not there,
an output that names an input); 130
interrupted (Ctrl-C): the summary and report written so far say "complete": false.

The config's dbc: and models_dir: are relative to the config file's folder, as for ecu-ai run.
The table's first lines give the DBC and models folder used, the frames read, decoded by the DBC and
not in it (the ten most frequent such ids), and when each domain's inputs first became valid.
`;

export interface ReplayArgs {
  readonly trace: string;
  readonly labels: string | undefined;
  readonly config: string | undefined;
  /** --dbc and --models as given (relative to the working directory); absent: the config's, else the bundled ones. */
  readonly dbc?: string | undefined;
  /** --vehicle as given; absent: the config's `vehicle:`, else the shipped reference profile. */
  readonly vehicle?: string | undefined;
  readonly models?: string | undefined;
  readonly pace: number | undefined;
  /** External MQTT broker where the cloud workers run; default an embedded one with a worker. */
  readonly broker?: string | undefined;
  /** No cloud at all: comfort services stay on the vehicle. */
  readonly localOnly?: boolean;
}

function parsePace(v: string | undefined): number | undefined {
  if (v === undefined || v === 'max') return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--speed takes max or a positive number, not "${v}"`);
  return n;
}

export interface ReplayOutputs {
  readonly json?: string;
  readonly report?: string;
  readonly out?: string;
  readonly quiet?: boolean;
  readonly snippets?: string;
}

/**
 * Refuses outputs that name an input or each other, before anything is opened for writing.
 * @throws {SamePathError}
 */
export function checkReplayPaths(a: ReplayArgs, files: VehicleFiles, outputs: ReplayOutputs, cwd: string): void {
  const inputs: NamedPath[] = [{ role: 'TRACE', file: a.trace }, { role: a.dbc === undefined ? 'the DBC' : '--dbc', file: files.dbc }];
  if (a.labels) inputs.push({ role: '--labels', file: a.labels });
  if (a.config) inputs.push({ role: '--config', file: a.config });
  const outs: NamedPath[] = [];
  if (outputs.json) outs.push({ role: '--json', file: outputs.json });
  if (outputs.report) outs.push({ role: '--report', file: outputs.report });
  if (outputs.out) outs.push({ role: '--out', file: outputs.out });
  if (outputs.snippets) outs.push({ role: '--snippets', file: outputs.snippets });
  assertDistinctPaths(inputs, outs, cwd);
}

/**
 * What makes a replay not clean: no frame the DBC describes, or an enabled domain whose inputs never
 * became valid. Each is one line for people.
 */
export function replayProblems(s: ReplaySummary): string[] {
  const problems: string[] = [];
  if (s.trace.decoded === 0) {
    const ids = s.trace.unknown_ids.map((u) => u.id).join(', ');
    problems.push(`no frame of ${s.trace.path} is described by the DBC (${s.trace.frames} frames read${ids ? `; ids seen: ${ids}` : ''})`);
  }
  for (const [name, d] of Object.entries(s.domains)) {
    if (d.first_valid_input_t === null) problems.push(`${name}: its inputs never became valid (${d.invalid_inputs} cycles on invalid inputs)`);
  }
  const disabled = Object.keys(s.disabled_domains ?? {});
  if (Object.keys(s.domains).length === 0 && disabled.length > 0) {
    problems.push(`no domain ran: the vehicle profile maps the required signals of none (${disabled.join(', ')} disabled; \`ecu-ai vehicle check\` lists what is missing)`);
  }
  return problems;
}

/** One line per domain the vehicle cannot serve, and per domain running on defaults for some inputs. */
export function vehicleInputLines(s: ReplaySummary): string[] {
  const disabled = Object.entries(s.disabled_domains ?? {}).map(([domain, d]) => describeDisabled({ domain, missing: d.missing }));
  const defaulted = Object.entries(s.defaulted_inputs ?? {}).map(([domain, inputs]) => describeDefaulted({ domain, inputs }));
  return [...disabled, ...defaulted];
}

/** Runs a replay with resolved arguments; shared with `npm start` (the demo). */
export async function replayAndReport(a: ReplayArgs, io: CliIo, outputs: ReplayOutputs): Promise<ReplaySummary> {
  const config = a.config ? await loadConfigFile(a.config, DOMAIN_LIST) : parseConfig({ platform: { sensors: 'model' } }, DOMAIN_LIST);
  const files = await resolveVehicleFiles({ flags: { dbc: a.dbc, models: a.models, vehicle: a.vehicle }, cwd: io.cwd, configPath: a.config, config });
  const vehicle = await loadVehicle(files);
  checkReplayPaths(a, files, outputs, io.cwd);
  const labels = a.labels ? await loadLabels(a.labels) : undefined;
  const writer = outputs.out ? await openTraceWriter(outputs.out) : undefined;
  const pending: CanFrame[] = [];
  const logger = createLogger({ level: config.log_level === 'info' ? 'warn' : config.log_level, destination: process.stderr as never });
  const domains = DOMAIN_LIST;
  // The cloud client and the recorder are made here, before the session: from the same resolved specs the session serves.
  const specs = resolveDomains(domains, config);
  // A folder of one's own replaces only the models it holds: said before anything starts.
  const sources = await modelSources(files.modelsDir, specs);
  if (outputs.quiet !== true) for (const line of describeSources(sources)) io.stderr.write(`replay: ${line}\n`);
  const cloud = a.localOnly ? undefined : await startCloud({ brokerUrl: a.broker, modelsDir: files.modelsDir, vehicleId: config.vehicle_id, domains: specs, logger });
  // Trigger-based snippets, written to a folder instead of the outbox: what the vehicle would upload.
  const recorder = outputs.snippets ? recorderFromConfig({ ...config.cloud.snippets, enabled: true }, specs, { sink: folderSnippetSink(outputs.snippets) }) : undefined;
  const progress = createProgress(io.stderr, { label: 'replay', unit: 'frames', quiet: outputs.quiet === true });
  try {
    const summary = await runReplaySession({
      config,
      domains,
      tracePath: a.trace,
      ...(cloud ? { cloud: cloud.cloud } : {}),
      dbcPath: files.dbc,
      vehicleSignals: vehicle.signals,
      vehicleName: vehicle.vehicle,
      modelsDir: files.modelsDir,
      workerEntry,
      logger,
      ...(labels ? { labels } : {}),
      ...(a.pace !== undefined ? { pace: a.pace } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (p) => progress.update(p.frames, `${p.driveS.toFixed(1)} s of drive`),
      // What the domains send is the vehicle's own transmission, recorded as such (Tx).
      ...(writer ? { onOutput: (f: CanFrame) => pending.push({ ...f, tx: true }) } : {}),
      ...(recorder
        ? { onFrame: (f: CanFrame) => recorder.onFrame(f, f.timestamp), onResult: (r) => recorder.onResult(r), onEvent: (e) => recorder.onEvent(e) }
        : {}),
    });
    progress.end();
    for (const line of vehicleInputLines(summary)) io.stderr.write(`replay: ${line}\n`);
    await recorder?.finish();
    if (writer) {
      for (const f of pending) await writer.write(f);
      await writer.close();
    }
    if (!outputs.quiet) io.stdout.write(formatDomainTable(summary));
    if (outputs.json) await writeFileAtomic(outputs.json, JSON.stringify(summary, null, 2) + '\n');
    if (outputs.report) await writeFileAtomic(outputs.report, renderHtmlReport(summary));
    return summary;
  } catch (err) {
    progress.end();
    throw err;
  } finally {
    await writer?.abort();
    await cloud?.close();
  }
}

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'replay a recorded drive through the domains (virtual time, deterministic)',
  help: HELP,
  handlesInterrupt: true,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCliArgs(args, {
      config: { type: 'string' },
      labels: { type: 'string' },
      dbc: { type: 'string' },
      vehicle: { type: 'string' },
      models: { type: 'string' },
      speed: { type: 'string' },
      json: { type: 'string' },
      report: { type: 'string' },
      out: { type: 'string' },
      broker: { type: 'string' },
      quiet: { type: 'boolean' },
      'local-only': { type: 'boolean' },
      'allow-undecoded': { type: 'boolean' },
      snippets: { type: 'string' },
    });
    if (positionals.length > 1) throw new UsageError('replay takes one TRACE');
    const resolve = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(io.cwd, p));
    const trace = resolve(positionals[0]) ?? bundledDemoTrace;
    const labels = resolve(values.labels) ?? (positionals[0] === undefined ? bundledDemoLabels : undefined);
    const config = resolve(values.config) ?? (positionals[0] === undefined ? bundledDemoConfig : undefined);
    const summary = await replayAndReport(
      { trace, labels, config, dbc: values.dbc, vehicle: values.vehicle, models: values.models, pace: parsePace(values.speed), broker: values.broker, localOnly: values['local-only'] === true },
      io,
      {
        ...(values.json ? { json: resolve(values.json)! } : {}),
        ...(values.report ? { report: resolve(values.report)! } : {}),
        ...(values.out ? { out: resolve(values.out)! } : {}),
        ...(values.snippets ? { snippets: resolve(values.snippets)! } : {}),
        quiet: values.quiet === true,
      },
    );
    return replayExitCode(summary, io, values['allow-undecoded'] === true);
  },
};

/** 130 when interrupted; 1 (naming each problem on stderr) for a replay that was not clean; else 0. */
export function replayExitCode(summary: ReplaySummary, io: CliIo, allowUndecoded: boolean): number {
  if (!summary.complete) {
    io.stderr.write(`replay interrupted: the summary covers ${summary.trace.frames} frames (${summary.duration_s} s of drive) and says "complete": false\n`);
    return EXIT_INTERRUPTED;
  }
  const problems = replayProblems(summary);
  if (problems.length === 0) return EXIT_OK;
  for (const p of problems) io.stderr.write(`replay: ${p}\n`);
  if (allowUndecoded) return EXIT_OK;
  io.stderr.write('replay: exit 1; --allow-undecoded accepts such a replay\n');
  return EXIT_FAILURE;
}
