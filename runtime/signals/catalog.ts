/**
 * The signal catalog: which DBC signal (`MESSAGE.SIGNAL`, optionally on one bus channel) feeds
 * which vehicle signal (VSS-style path such as `Vehicle.Speed`). One catalog per DBC, written as a
 * plain object / JSON / YAML:
 *
 *   { "Vehicle.Speed": { "message": "ESP_Speed", "signal": "VehicleSpeed", "channel": "can0" } }
 *
 * Validated with zod (errors name the catalog path) and then against the DBC itself, so a typo is
 * caught at boot and not discovered as a silently missing feature on the road.
 */
import { z } from 'zod';
import { readYamlFile } from '../config.js';
import { ConfigInvalidError } from '../errors.js';
import { CatalogMismatchError, type UnresolvedSignal } from './errors.js';

/** Dotted path of at least two segments, each starting with a letter (VSS style). */
const VEHICLE_SIGNAL_RE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
/** DBC identifiers (C identifiers). */
const DBC_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const entrySchema = z
  .object({
    message: z.string().regex(DBC_NAME_RE, 'a DBC message name (letters, digits, _)'),
    signal: z.string().regex(DBC_NAME_RE, 'a DBC signal name (letters, digits, _)'),
    channel: z.string().min(1).optional(),
    /** Overrides the DBC cycle time (and learning) for event-driven or misdeclared messages. */
    periodMs: z.number().positive().max(3_600_000).optional(),
  })
  .strict();

const catalogSchema = z.record(
  z.string().regex(VEHICLE_SIGNAL_RE, 'a vehicle signal path such as Vehicle.Speed'),
  entrySchema,
);

/**
 * The vehicle signal's value computed from the decoded physical values of its message (by DBC
 * signal name); undefined when the message does not carry what it needs.
 */
export type EntryTransform = (decoded: Readonly<Record<string, number | string>>) => number | string | undefined;

/** One mapping from a DBC signal (or several, through a transform) to a vehicle signal. */
export interface CatalogEntry {
  /** The vehicle signal name, e.g. `Vehicle.EcuAi.Radar.Object1.Distance`. */
  readonly name: string;
  readonly message: string;
  /** The DBC signal whose value is taken as is when there is no transform. */
  readonly signal: string;
  /** Every DBC signal the entry reads (a transform's operands); default `[signal]`. */
  readonly operands?: readonly string[];
  /** Computes the value from the decoded message; absent or null: the value of `signal` (the fast path). */
  readonly transform?: EntryTransform | null;
  /** Only frames whose multiplexer (the switch of `signal`) has this value feed the signal. */
  readonly muxValue?: number;
  /** Only frames on this channel feed the signal; absent means any channel. */
  readonly channel?: string;
  /** Expected period in ms, overriding the DBC's GenMsgCycleTime and learning. */
  readonly periodMs?: number;
  /** The signal goes invalid this long after its last arrival, overriding the periods rule. */
  readonly timeoutMs?: number;
}

/** What catalog validation needs from a DBC database: message names and their signal names. */
export interface CatalogSchemaSource {
  readonly messages: Iterable<{ readonly name: string; readonly signals: Iterable<{ readonly name: string }> }>;
}

/** An immutable, validated catalog. */
export class SignalCatalog {
  readonly entries: readonly CatalogEntry[];
  readonly #byName: ReadonlyMap<string, CatalogEntry>;

  /**
   * @throws {ConfigInvalidError} when two entries share a vehicle signal name.
   */
  constructor(entries: readonly CatalogEntry[], source = '<catalog>') {
    const byName = new Map<string, CatalogEntry>();
    const dupes: { path: string; message: string }[] = [];
    for (const e of entries) {
      if (byName.has(e.name)) dupes.push({ path: e.name, message: 'vehicle signal declared twice' });
      byName.set(e.name, Object.freeze({ ...e }));
    }
    if (dupes.length > 0) throw new ConfigInvalidError(source, dupes);
    this.#byName = byName;
    this.entries = Object.freeze([...byName.values()]);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Vehicle signal names in declaration order. */
  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  entry(name: string): CatalogEntry | undefined {
    return this.#byName.get(name);
  }

  /**
   * Checks every entry against a DBC and reports all unknown messages and signals at once.
   * @param db - the parsed DBC (anything listing messages with their signals).
   * @param source - names the catalog in the error (its file path).
   * @throws {CatalogMismatchError} naming each vehicle signal with its missing message or signal.
   */
  validateAgainst(db: CatalogSchemaSource, source = '<catalog>'): this {
    const signalsByMessage = new Map<string, Set<string>>();
    for (const m of db.messages) {
      const names = new Set<string>();
      for (const s of m.signals) names.add(s.name);
      signalsByMessage.set(m.name, names);
    }
    const unresolved: UnresolvedSignal[] = [];
    for (const e of this.entries) {
      const signals = signalsByMessage.get(e.message);
      for (const signal of e.operands ?? [e.signal]) {
        if (!signals || !signals.has(signal)) unresolved.push({ vehicleSignal: e.name, message: e.message, signal, messageMissing: !signals });
        if (!signals) break;
      }
    }
    if (unresolved.length > 0) throw new CatalogMismatchError(source, unresolved);
    return this;
  }
}

/**
 * Validates a plain catalog object (e.g. parsed JSON).
 * @param input - `{ "Vehicle.Speed": { message, signal, channel?, periodMs? }, ... }`.
 * @param source - names the catalog in errors (its file path).
 * @throws {ConfigInvalidError} listing every problem with its path (`Vehicle.Speed.message`).
 */
export function parseSignalCatalog(input: unknown, source = '<catalog>'): SignalCatalog {
  const result = catalogSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigInvalidError(
      source,
      result.error.issues.map((i) => ({ path: i.path.length > 0 ? i.path.map(String).join('.') : '(root)', message: i.message })),
    );
  }
  return new SignalCatalog(
    Object.entries(result.data).map(([name, e]) => ({
      name,
      message: e.message,
      signal: e.signal,
      ...(e.channel === undefined ? {} : { channel: e.channel }),
      ...(e.periodMs === undefined ? {} : { periodMs: e.periodMs }),
    })),
    source,
  );
}

/**
 * Reads a catalog file (JSON or YAML; YAML is a superset of JSON, so one parser serves both).
 * @throws {ConfigInvalidError} on a syntax error (naming file:line:column) or an invalid catalog.
 */
export async function loadSignalCatalog(path: string): Promise<SignalCatalog> {
  return parseSignalCatalog(await readYamlFile(path), path);
}
