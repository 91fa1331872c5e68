/**
 * The contract every `ecu-ai` subcommand follows. Exit codes, per DESIGN.md:
 * 0 success, 1 runtime failure, 2 bad usage or bad input (message on stderr naming the place).
 */
import type { Writable } from 'node:stream';

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly cwd: string;
  /** Aborted when the user interrupts (Ctrl-C); long commands then write what they have and exit 130. */
  readonly signal?: AbortSignal;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Full help text shown by `ecu-ai NAME --help`. */
  readonly help: string;
  /** Help of each subcommand (`ecu-ai trace convert --help`), where the command has subcommands. */
  readonly subcommandHelp?: Readonly<Record<string, string>>;
  /** Honours `io.signal`: on Ctrl-C it writes what it has and returns 130 (others are stopped at once). */
  readonly handlesInterrupt?: boolean;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Bad flags or arguments: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
/** Interrupted by SIGINT, as shells report it (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/** Writes a chunk and waits for the stream to accept it, so large outputs keep constant memory. */
export async function writeOut(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

/** An error as one line: its message with line breaks folded (a config lists one issue per line). */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .reduce((line, part) => (line === '' ? part : line.endsWith(':') ? `${line} ${part}` : `${line}; ${part}`), '');
}
