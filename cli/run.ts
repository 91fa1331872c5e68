/** `ecu-ai run`: the daemon on the configured buses, in real time, until SIGTERM or SIGINT. */
import path from 'node:path';
import { exposedSecrets, loadConfigFile, parseConfig } from '../runtime/config.js';
import { startDaemon, type Daemon } from '../runtime/daemon.js';
import { createLogger, type Logger } from '../runtime/observe/index.js';
import { DOMAIN_LIST } from '../domains/index.js';
import { resolveDomains } from '../runtime/service/resolved.js';
import { modelSources } from './model-sources.js';
import { parseCliArgs } from './args.js';
import { EXIT_FAILURE, oneLine, UsageError, type CliCommand, type CliIo } from './command.js';
import { workerEntry } from './paths.js';
import { loadVehicle, resolveVehicleFiles } from './vehicle-files.js';

const HELP = `Usage: ecu-ai run [--config FILE] [--http HOST:PORT] [--dbc FILE] [--vehicle PROFILE] [--models DIR]
                  [--verbose] [--refuse-exposed-secrets]

Runs the daemon: opens the configured transports (default: the in-process virtual bus can0),
loads and warms every enabled domain's model in its own isolated worker, serves the domains in
real time under the scheduler, and serves /metrics (Prometheus text) and /health (JSON) over
HTTP, on 127.0.0.1:9780 unless told otherwise. SIGTERM or SIGINT drains in-flight work and stops.
Logs are JSON lines on stdout. The vehicle profile (--vehicle, else the config's vehicle:, else
vehicles/reference.yaml) maps the catalog signals the domains read to the DBC; a domain whose
required signals it does not map is not started, with one warning naming them.

With cloud.enabled in the config, the daemon also connects to the MQTT broker (cloud.broker),
lets comfort services run in the cloud when budgets are tight, and reports telemetry and
trigger-based data snippets through a disk outbox (cloud.outbox_dir); a broker that is down
only delays the reports. /health then shows a "cloud" component (degraded while unreachable).

A start that fails (HTTP port taken, DBC, model or config unreadable or invalid) ends the process
with exit code 1 and one line on stderr naming the cause, after stopping every worker it started;
--verbose adds the stack trace. Bad flags exit with 2.

A config file that others may read (mode & 077) holding a secret inline (cloud.password) gets a
warning on stderr naming the file and the fix (chmod 600 FILE, or cloud.password_env), and the
daemon starts: a file mode must not keep a vehicle's safety services from running.
--refuse-exposed-secrets makes it a start failure instead (exit 1).
`;

/** Parses HOST:PORT (IPv6 hosts in brackets). */
export function parseHostPort(v: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`--http takes HOST:PORT, not "${v}"`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run the daemon',
  help: HELP,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCliArgs(args, {
      config: { type: 'string' },
      http: { type: 'string' },
      dbc: { type: 'string' },
      vehicle: { type: 'string' },
      models: { type: 'string' },
      verbose: { type: 'boolean' },
      'refuse-exposed-secrets': { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const http = values.http ? parseHostPort(values.http) : undefined;
    const configPath = values.config ? path.resolve(io.cwd, values.config) : undefined;
    let started: { daemon: Daemon; logger: Logger };
    try {
      started = await start(values, configPath, http, io);
    } catch (err) {
      // A supervisor (systemd) restarts on the exit code; the operator reads one line, not a trace.
      io.stderr.write(`ecu-ai run: cannot start: ${oneLine(err)}\n`);
      if (values.verbose === true && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
      return EXIT_FAILURE;
    }
    const { daemon, logger } = started;
    const onSignal = (sig: string): void => {
      logger.info({ signal: sig }, 'signal received');
      void daemon.stop();
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
    await daemon.done;
    return 0;
  },
};

/** The config, the logger and the daemon, started; everything here is a start failure when it throws. */
async function start(
  values: { readonly dbc?: string | undefined; readonly models?: string | undefined; readonly vehicle?: string | undefined; readonly 'refuse-exposed-secrets'?: boolean | undefined },
  configPath: string | undefined,
  httpFlag: { host: string; port: number } | undefined,
  io: CliIo,
): Promise<{ daemon: Daemon; logger: Logger }> {
  const config = configPath ? await loadConfigFile(configPath, DOMAIN_LIST) : parseConfig({}, DOMAIN_LIST);
  const exposed = configPath ? await exposedSecrets(configPath, config) : undefined;
  if (exposed && values['refuse-exposed-secrets'] === true) throw new Error(`refused (--refuse-exposed-secrets): ${exposed.message}`);
  if (exposed) io.stderr.write(`ecu-ai run: warning: ${exposed.message}\n`);
  const files = await resolveVehicleFiles({ flags: values, cwd: io.cwd, configPath, config });
  // Paths inside a config file are relative to the file's folder, the cloud's as the DBC's.
  const base = configPath ? path.dirname(configPath) : io.cwd;
  const http = httpFlag ?? config.http;
  const logger = createLogger({ level: config.log_level, base: { vehicle: config.vehicle_id } });
  const modelsDir = files.modelsDir;
  // A folder of one's own replaces only the models it holds; the others are the shipped ones.
  for (const s of await modelSources(modelsDir, resolveDomains(DOMAIN_LIST, config))) {
    if (s.source === 'user') logger.info({ domain: s.domain, model: s.label ?? s.model, dir: s.dir }, 'domain runs a model of its own');
  }
  const daemon = await startDaemon({
    config,
    domains: DOMAIN_LIST,
    dbcPath: files.dbc,
    vehicleSignals: (await loadVehicle(files)).signals,
    modelsDir,
    logger,
    workerEntry,
    http,
    // --- cloud: relative cloud paths start at the config file's folder; cloud.password_env is read here, at start.
    baseDir: base,
    env: process.env,
    // --- end cloud
  });
  return { daemon, logger };
}

