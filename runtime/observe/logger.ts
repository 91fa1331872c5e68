/**
 * Logging: one root pino logger made by the daemon and passed down; every component logs through a
 * child carrying `component` (and `domain` where it has one). Output is JSON lines, also on a TTY,
 * so what a developer sees is what a log shipper parses. Nothing on the frame path logs at info:
 * per-frame detail belongs at trace level, and counts belong in metrics.
 */
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { Clock } from '../clock.js';

export type { Logger } from 'pino';
export type LogLevel = Level | 'silent';

export interface LoggerOptions {
  /** Default 'info'. */
  readonly level?: LogLevel;
  /** Where JSON lines go; default stdout. Tests pass a stream and read the lines back. */
  readonly destination?: DestinationStream;
  /** Logger name (`name` field); default 'ecu-ai'. */
  readonly name?: string;
  /** Fields on every line, e.g. `{ vehicle: 'demo-vehicle' }`. */
  readonly base?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Stamps `time` from this clock (seconds, as a number) instead of the wall clock, so a replay's
   * log is as deterministic as its decisions.
   */
  readonly clock?: Clock;
}

/**
 * Makes the root logger.
 * @throws {Error} from pino when the level is unknown.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const clock = options.clock;
  const opts = {
    name: options.name ?? 'ecu-ai',
    level: options.level ?? 'info',
    // No pid/hostname: on an ECU they are noise, and they would make replay logs differ run to run.
    base: { ...(options.base ?? {}) },
    timestamp: clock ? (): string => `,"time":${clock.now()}` : pino.stdTimeFunctions.epochTime,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/**
 * A child logger for one component, optionally of one domain.
 * @param parent - the root logger (or any logger).
 * @param component - e.g. 'scheduler', 'signals', 'http'.
 * @param domain - e.g. 'adas'.
 */
export function componentLogger(parent: Logger, component: string, domain?: string): Logger {
  return parent.child(domain === undefined ? { component } : { component, domain });
}

/** A logger that discards everything, for library use without a daemon. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
