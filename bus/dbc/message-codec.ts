/**
 * A message compiled into a decode/encode pair. Multiplexing is resolved the way cantools does:
 * only the signals the switch values select are decoded, a switch value that selects nothing is a
 * DecodeError, and value names of a switch count as valid values even when no signal hangs off them.
 *
 * The plain (non-multiplexed) case is a flat loop over precompiled readers with one object allocated
 * per frame; that is the hot path of the runtime.
 */
import { DecodeError, EncodeError } from '../errors.js';
import type { DbcMessage, DbcSignal } from './model.js';
import { generateFlatDecoder } from './flat-decoder.js';
import { compileSignal, toRaw, type RawValue, type SignalCodec } from './signal-codec.js';

export interface DecodeOptions {
  /** Replace values that have a name (VAL_) with the name. Default false. */
  choices?: boolean;
  /** Physical values (raw * scale + offset). Default true; false gives raw values as numbers. */
  scaling?: boolean;
  /** Accept a payload shorter than the message: signals it does not reach are left out. Default false. */
  allowTruncated?: boolean;
}

export interface EncodeOptions {
  /** Values are physical (default true); false means raw values. */
  scaling?: boolean;
  /** Check physical values against min/max and refuse unknown signal names (default true). */
  strict?: boolean;
  /** Fill bits no signal covers with 1s instead of 0s (default false). */
  padding?: boolean;
}

export type SignalValues = Record<string, number | string>;

export interface MessageCodec {
  readonly message: DbcMessage;
  /**
   * Physical values of the signals present in this payload.
   * Integers wider than 53 bits come back as the nearest double; use `decodeRaw` for exact bits.
   * @throws {DecodeError} when the payload is too short or a multiplexer value selects nothing
   */
  decode(data: Uint8Array, options?: DecodeOptions): SignalValues;
  /**
   * Raw values, exact: numbers, and bigints for integers of 54 to 64 bits.
   * @throws {DecodeError} as `decode`
   */
  decodeRaw(data: Uint8Array, options?: { allowTruncated?: boolean }): Record<string, RawValue>;
  /**
   * Payload bytes (the message's declared length) for the given values. Every signal the
   * multiplexer values select needs a value; bigints are accepted for wide raw values.
   * @throws {EncodeError} naming the signal: missing, unknown, out of range, unknown value name
   */
  encode(values: Readonly<Record<string, number | string | bigint>>, options?: EncodeOptions): Uint8Array;
}

interface MuxNode {
  readonly signals: readonly SignalCodec[];
  readonly switches: readonly MuxSwitch[];
}

interface MuxSwitch {
  readonly codec: SignalCodec;
  readonly branches: ReadonlyMap<number, MuxNode>;
  /** "1, 2 or 3", for errors. */
  readonly expected: string;
}

/** cantools' signal order: Motorola start bits counted from the byte's top, so switches resolve in the same order. */
function orderKey(s: DbcSignal): number {
  return s.byteOrder === 'big_endian' ? 8 * (s.startBit >> 3) + (7 - (s.startBit & 7)) : s.startBit;
}

function formatOr(ids: readonly number[]): string {
  if (ids.length < 2) return ids.join('');
  return `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}`;
}

function buildTree(message: DbcMessage, codecs: ReadonlyMap<DbcSignal, SignalCodec>): MuxNode {
  const switches = new Map<string, MuxSwitch>();
  const node = (parent: string | undefined, id: number | undefined): MuxNode => {
    const members = message.signals.filter(
      (s) => s.multiplexerSignal === parent && (id === undefined || (s.multiplexerIds?.includes(id) ?? false)),
    );
    const sws = members.filter((s) => s.isMultiplexer).sort((a, b) => orderKey(a) - orderKey(b));
    return { signals: members.map((s) => codecs.get(s) as SignalCodec), switches: sws.map(muxSwitch) };
  };
  // Memoised by name: a switch's branches do not depend on the path that led to it.
  const muxSwitch = (s: DbcSignal): MuxSwitch => {
    const known = switches.get(s.name);
    if (known) return known;
    const ids = new Set<number>(s.choices.keys());
    for (const c of message.signals) if (c.multiplexerSignal === s.name) for (const i of c.multiplexerIds ?? []) ids.add(i);
    const sorted = [...ids].sort((a, b) => a - b);
    const branches = new Map<number, MuxNode>();
    const sw: MuxSwitch = { codec: codecs.get(s) as SignalCodec, branches, expected: formatOr(sorted) };
    switches.set(s.name, sw);
    for (const i of sorted) branches.set(i, node(s.name, i));
    return sw;
  };
  return node(undefined, undefined);
}

/** Compiles one message. Layouts, conversions and the multiplexer tree are worked out here, once. */
export function compileMessage(message: DbcMessage): MessageCodec {
  const codecs = new Map(message.signals.map((s) => [s, compileSignal(s)]));
  const root = buildTree(message, codecs);
  const flat = root.switches.length === 0 ? root.signals : undefined;
  const flatNeeded = flat ? Math.max(0, ...flat.map((c) => c.bytesNeeded)) : 0;
  const fastPhysical = flat && generateFlatDecoder(flat, true);
  const fastRaw = flat && generateFlatDecoder(flat, false);
  const names = new Set(message.signals.map((s) => s.name));
  const name = message.name;

  const tooShort = (data: Uint8Array, sc?: SignalCodec): never => {
    const need = sc ? Math.max(sc.bytesNeeded, message.length) : message.length;
    throw new DecodeError(name, `payload has ${data.length} bytes but ${sc ? `signal ${sc.name} needs` : 'the message is'} ${need}`);
  };

  const value = (sc: SignalCodec, raw: RawValue, scaling: boolean, choices: boolean): number | string => {
    if (choices && sc.choices) {
      const label = sc.choices.get(Number(raw));
      if (label !== undefined) return label;
    }
    const n = typeof raw === 'number' ? raw : Number(raw);
    return scaling ? n * sc.scale + sc.offset : n;
  };

  const walk = (node: MuxNode, data: Uint8Array, truncated: boolean, visit: (sc: SignalCodec, raw: RawValue) => void): void => {
    for (const sc of node.signals) {
      if (data.length < sc.bytesNeeded) {
        if (truncated) continue;
        tooShort(data, sc);
      }
      visit(sc, sc.read(data));
    }
    for (const sw of node.switches) {
      if (data.length < sw.codec.bytesNeeded) continue; // only reachable when truncation is allowed
      const raw = Number(sw.codec.read(data));
      const branch = sw.branches.get(raw);
      if (!branch) throw new DecodeError(name, `expected multiplexer id ${sw.expected}, but got ${raw}`);
      walk(branch, data, truncated, visit);
    }
  };

  const decode = (data: Uint8Array, options?: DecodeOptions): SignalValues => {
    const scaling = options?.scaling ?? true;
    const choices = options?.choices ?? false;
    const truncated = options?.allowTruncated ?? false;
    if (data.length < message.length && !truncated) tooShort(data);
    if (fastPhysical && fastRaw && !choices && data.length >= flatNeeded) return scaling ? fastPhysical(data) : fastRaw(data);
    const out: SignalValues = {};
    if (flat && data.length >= flatNeeded) {
      for (let i = 0; i < flat.length; i++) {
        const sc = flat[i] as SignalCodec;
        const raw = sc.read(data);
        out[sc.name] = !choices && typeof raw === 'number' ? (scaling ? raw * sc.scale + sc.offset : raw) : value(sc, raw, scaling, choices);
      }
      return out;
    }
    walk(root, data, truncated, (sc, raw) => {
      out[sc.name] = value(sc, raw, scaling, choices);
    });
    return out;
  };

  const decodeRaw = (data: Uint8Array, options?: { allowTruncated?: boolean }): Record<string, RawValue> => {
    const truncated = options?.allowTruncated ?? false;
    if (data.length < message.length && !truncated) tooShort(data);
    const out: Record<string, RawValue> = {};
    walk(root, data, truncated, (sc, raw) => {
      out[sc.name] = raw;
    });
    return out;
  };

  const encode = (values: Readonly<Record<string, number | string | bigint>>, options?: EncodeOptions): Uint8Array => {
    const scaling = options?.scaling ?? true;
    const strict = options?.strict ?? true;
    if (strict) for (const key of Object.keys(values)) if (!names.has(key)) throw new EncodeError(name, key, 'no such signal in this message');
    const data = new Uint8Array(message.length);
    if (options?.padding) data.fill(0xff);
    const put = (node: MuxNode): void => {
      for (const sc of node.signals) {
        const v = values[sc.name];
        if (v === undefined) throw new EncodeError(name, sc.name, 'missing value');
        const raw = toRaw(name, sc, v, scaling, strict);
        if (sc.bytesNeeded > data.length) throw new EncodeError(name, sc.name, `does not fit in the ${data.length}-byte message`);
        sc.clear(data);
        sc.write(data, raw);
      }
      for (const sw of node.switches) {
        const raw = Number(toRaw(name, sw.codec, values[sw.codec.name] as number | string | bigint, scaling, false));
        const branch = sw.branches.get(raw);
        if (!branch) throw new EncodeError(name, sw.codec.name, `expected multiplexer id ${sw.expected}, but got ${raw}`);
        put(branch);
      }
    };
    put(root);
    return data;
  };

  return Object.freeze({ message, decode, decodeRaw, encode });
}
