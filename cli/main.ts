#!/usr/bin/env node
/**
 * The `ecu-ai` command. Subcommands load lazily so `ecu-ai trace cat` never pays for onnxruntime.
 */
import { pathToFileURL } from 'node:url';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BusError } from '../bus/errors.js';
import { RuntimeError } from '../runtime/errors.js';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED, UsageError, type CliCommand, type CliIo } from './command.js';
import { SamePathError } from '../bus/files/index.js';

type Loader = () => Promise<CliCommand>;

const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  trace: { summary: 'read, convert and summarise CAN traces', load: async () => (await import('./trace.js')).traceCommand },
  dbc: { summary: 'show a DBC, decode and encode frames', load: async () => (await import('./dbc.js')).dbcCommand },
  vehicle: { summary: 'check a vehicle profile against its DBC and a trace; draft a profile from a DBC', load: async () => (await import('./vehicle.js')).vehicleCommand },
  replay: { summary: 'replay a recorded drive through the domains (virtual time, deterministic)', load: async () => (await import('./replay.js')).replayCommand },
  run: { summary: 'run the daemon on the configured buses (real time), with /metrics and /health', load: async () => (await import('./run.js')).runCommand },
  demo: { summary: 'replay the bundled demo drive through all five domains (what `npm start` runs)', load: async () => (await import('./demo.js')).demoCommand },
  sim: { summary: 'simulate a drive (the reference vehicle, or any through --vehicle) and write a trace with labels', load: async () => (await import('./sim.js')).simCommand },
  someip: { summary: 'list, subscribe to and call SOME/IP services (through SD)', load: async () => (await import('./someip.js')).someipCommand },
  cloud: { summary: 'run cloud inference workers and ingest over MQTT (embedded broker without --broker)', load: async () => (await import('./cloud.js')).cloudCommand },
  models: { summary: 'train, quantize and evaluate the domain models', load: async () => (await import('./models.js')).modelsCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: ecu-ai COMMAND [ARGS...]\n\nCommands:\n${rows.join('\n')}\n\nRun 'ecu-ai COMMAND --help' for a command's options; 'ecu-ai --version' for the version.\n`;
}

/** The version in the package.json beside the code (source or dist/). */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'ecu-ai' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not here; look one folder up.
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}

/** The help of `ecu-ai COMMAND SUB --help`: the subcommand's own where it has one, else the command's. */
function helpFor(command: CliCommand, rest: readonly string[]): string {
  const sub = rest[0];
  const own = sub !== undefined && !sub.startsWith('-') ? command.subcommandHelp?.[sub] : undefined;
  const text = own ?? command.help;
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Runs the CLI with the given arguments; returns the exit code. Input errors (typed bus errors) exit 2. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT_BAD_INPUT : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`ecu-ai ${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`ecu-ai: unknown command "${name}"\n\n${usage()}`);
    return EXIT_BAD_INPUT;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(helpFor(command, rest));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`ecu-ai ${name}: ${err.message}\n\n${helpFor(command, rest)}`);
      return EXIT_BAD_INPUT;
    }
    if (err instanceof BusError || err instanceof SamePathError || isInputError(err) || (err instanceof RuntimeError && INPUT_CODES.has(err.code))) {
      io.stderr.write(`ecu-ai ${name}: ${(err as Error).message}\n`);
      return EXIT_BAD_INPUT;
    }
    io.stderr.write(`ecu-ai ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

/** Runtime errors that mean the user's input (config, model files, their arithmetic) is wrong. */
const INPUT_CODES: ReadonlySet<string> = new Set(['CONFIG_INVALID', 'MODEL_MANIFEST', 'MODEL_LOAD', 'MODEL_MISMATCH', 'ADMISSION_REFUSED', 'LABELS_INVALID', 'TRACE_EMPTY']);

/** Missing or unreadable input files are bad input, not a crash. */
function isInputError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') return true;
  return (err as { exitCode?: unknown }).exitCode === EXIT_BAD_INPUT;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  // EPIPE (`ecu-ai trace cat big.blf | head`) is a normal way for a reader to stop.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  // Ctrl-C: a command that handles it through io.signal (replay) finishes what it has and exits 130;
  // a command with a SIGINT handler of its own (run, someip, cloud) keeps it; any other, or a second
  // Ctrl-C, exits 130 at once through process.exit, so 'exit' hooks remove unfinished outputs' temporary files.
  const interrupt = new AbortController();
  let interruptible = false;
  process.on('SIGINT', () => {
    if (interruptible && !interrupt.signal.aborted) {
      process.stderr.write('\ninterrupted: finishing what was done so far (Ctrl-C again to stop at once)\n');
      interrupt.abort();
      return;
    }
    if (!interruptible && process.listenerCount('SIGINT') > 1) return;
    process.exit(EXIT_INTERRUPTED);
  });
  const command = COMMANDS[process.argv[2] ?? ''];
  void command?.load().then((c) => {
    interruptible = c.handlesInterrupt === true;
  });
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signal: interrupt.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`ecu-ai: ${String(err)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
