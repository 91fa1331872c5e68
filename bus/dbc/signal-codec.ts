/**
 * One signal compiled for the hot path: its byte pieces turned into a reader and a writer closure,
 * chosen once by shape so decoding never parses or branches on layout.
 *
 * Raw values up to 53 bits are plain numbers (exact in a double). Wider integers (54..64 bits) and
 * 64-bit floats go through BigInt, the only case where a double cannot hold the raw bits exactly.
 */
import { EncodeError } from '../errors.js';
import { bytePieces, bytesNeeded, type BytePiece } from './bit-layout.js';
import type { DbcSignal } from './model.js';

/** Raw value of a signal: a number, or a bigint for integers wider than 53 bits. */
export type RawValue = number | bigint;

export interface SignalCodec {
  readonly signal: DbcSignal;
  readonly name: string;
  /** Payload bytes the signal reaches into. */
  readonly bytesNeeded: number;
  /** True when the raw value is a bigint (integers of 54..64 bits). */
  readonly wide: boolean;
  /** Byte pieces, for generated decoders; meaningful as a plain integer only when `wide` and `signal.float` are false. */
  readonly pieces: readonly BytePiece[];
  readonly scale: number;
  readonly offset: number;
  /** Reads the raw value (number for narrow signals and floats, bigint for wide integers). */
  readonly read: (data: Uint8Array) => RawValue;
  /** Writes a raw value already checked by `checkRaw`. */
  readonly write: (data: Uint8Array, raw: RawValue) => void;
  /** Clears the signal's bits (used before writing, so padding and overlaps behave). */
  readonly clear: (data: Uint8Array) => void;
  readonly choices: ReadonlyMap<number, string> | undefined;
  /** Choice name -> raw value, for encoding names. */
  readonly choiceValues: ReadonlyMap<string, number> | undefined;
}

const scratch = new ArrayBuffer(8);
const f32 = new Float32Array(scratch);
const u32 = new Uint32Array(scratch);
const f64 = new Float64Array(scratch);
const u64 = new BigUint64Array(scratch);

function numberReader(pieces: readonly BytePiece[], length: number, signed: boolean): (d: Uint8Array) => number {
  const half = 2 ** (length - 1);
  const full = 2 ** length;
  if (pieces.length === 1) {
    const { byte, shift, bits } = pieces[0] as BytePiece;
    const mask = (1 << bits) - 1;
    if (!signed) return (d) => ((d[byte] as number) >> shift) & mask;
    return (d) => {
      const v = ((d[byte] as number) >> shift) & mask;
      return v >= half ? v - full : v;
    };
  }
  const bytes = Int32Array.from(pieces, (p) => p.byte);
  const shifts = Int32Array.from(pieces, (p) => p.shift);
  const masks = Int32Array.from(pieces, (p) => (1 << p.bits) - 1);
  const weights = Float64Array.from(pieces, (p) => 2 ** p.weight);
  const n = pieces.length;
  if (n === 2) {
    const [b0, b1] = [bytes[0] as number, bytes[1] as number];
    const [s0, s1] = [shifts[0] as number, shifts[1] as number];
    const [m0, m1] = [masks[0] as number, masks[1] as number];
    const [w0, w1] = [weights[0] as number, weights[1] as number];
    return (d) => {
      const v = (((d[b0] as number) >> s0) & m0) * w0 + (((d[b1] as number) >> s1) & m1) * w1;
      return signed && v >= half ? v - full : v;
    };
  }
  return (d) => {
    let v = 0;
    for (let i = 0; i < n; i++) v += (((d[bytes[i] as number] as number) >> (shifts[i] as number)) & (masks[i] as number)) * (weights[i] as number);
    return signed && v >= half ? v - full : v;
  };
}

function bigReader(pieces: readonly BytePiece[], length: number, signed: boolean): (d: Uint8Array) => bigint {
  const ps = pieces.map((p) => ({ byte: p.byte, shift: p.shift, mask: (1 << p.bits) - 1, weight: BigInt(p.weight) }));
  const n = BigInt(length);
  return (d) => {
    let v = 0n;
    for (const p of ps) v |= BigInt(((d[p.byte] as number) >> p.shift) & p.mask) << p.weight;
    return signed ? BigInt.asIntN(Number(n), v) : v;
  };
}

function numberWriter(pieces: readonly BytePiece[], length: number): (d: Uint8Array, raw: number) => void {
  const full = 2 ** length;
  return (d, raw) => {
    const u = raw < 0 ? raw + full : raw;
    for (const p of pieces) {
      const part = Math.floor(u / 2 ** p.weight) % 2 ** p.bits;
      d[p.byte] = (d[p.byte] as number) | (part << p.shift);
    }
  };
}

function bigWriter(pieces: readonly BytePiece[], length: number): (d: Uint8Array, raw: bigint) => void {
  const ps = pieces.map((p) => ({ byte: p.byte, shift: p.shift, mask: BigInt((1 << p.bits) - 1), weight: BigInt(p.weight) }));
  return (d, raw) => {
    const u = BigInt.asUintN(length, raw);
    for (const p of ps) d[p.byte] = (d[p.byte] as number) | (Number((u >> p.weight) & p.mask) << p.shift);
  };
}

/** Compiles one signal. Pure; the same signal always compiles to the same behaviour. */
export function compileSignal(signal: DbcSignal): SignalCodec {
  const pieces = bytePieces(signal.startBit, signal.length, signal.byteOrder);
  const clearMasks = pieces.map((p) => ({ byte: p.byte, keep: ~(((1 << p.bits) - 1) << p.shift) & 0xff }));
  const clear = (d: Uint8Array): void => {
    for (const c of clearMasks) d[c.byte] = (d[c.byte] as number) & c.keep;
  };
  let read: (d: Uint8Array) => RawValue;
  let write: (d: Uint8Array, raw: RawValue) => void;
  let wide = false;
  if (signal.float === 32) {
    const bits = numberReader(pieces, 32, false);
    const put = numberWriter(pieces, 32);
    read = (d) => {
      u32[0] = bits(d);
      return f32[0] as number;
    };
    write = (d, raw) => {
      f32[0] = Number(raw);
      put(d, u32[0] as number);
    };
  } else if (signal.float === 64) {
    const bits = bigReader(pieces, 64, false);
    const put = bigWriter(pieces, 64);
    read = (d) => {
      u64[0] = bits(d);
      return f64[0] as number;
    };
    write = (d, raw) => {
      f64[0] = Number(raw);
      put(d, u64[0] as bigint);
    };
  } else if (signal.length > 53) {
    wide = true;
    read = bigReader(pieces, signal.length, signal.signed);
    const put = bigWriter(pieces, signal.length);
    write = (d, raw) => put(d, BigInt(raw));
  } else {
    read = numberReader(pieces, signal.length, signal.signed);
    const put = numberWriter(pieces, signal.length);
    write = (d, raw) => put(d, Number(raw));
  }
  const hasChoices = signal.choices.size > 0;
  return {
    signal, name: signal.name, bytesNeeded: bytesNeeded(signal.startBit, signal.length, signal.byteOrder), wide, pieces,
    scale: signal.scale, offset: signal.offset, read, write, clear,
    choices: hasChoices ? signal.choices : undefined,
    choiceValues: hasChoices ? new Map([...signal.choices].map(([k, v]) => [v, k])) : undefined,
  };
}

/** The raw range a signal's bits can hold, as bigints so 64-bit bounds are exact. */
export function rawRange(signal: DbcSignal): [bigint, bigint] {
  const n = BigInt(signal.length);
  return signal.signed ? [-(1n << (n - 1n)), (1n << (n - 1n)) - 1n] : [0n, (1n << n) - 1n];
}

/** Rounds half away from zero, so encoding is symmetric for negative values. */
function roundRaw(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Turns a caller's value into a checked raw value.
 * @param messageName - named in errors
 * @param value - physical value, choice name, or raw value when `scaling` is false
 * @throws {EncodeError} naming the signal and its range when the value cannot be encoded
 */
export function toRaw(messageName: string, sc: SignalCodec, value: number | string | bigint, scaling: boolean, strict: boolean): RawValue {
  const s = sc.signal;
  const fail = (detail: string): never => {
    throw new EncodeError(messageName, s.name, detail);
  };
  if (typeof value === 'string') {
    const raw = sc.choiceValues?.get(value);
    if (raw === undefined) {
      const known = sc.choiceValues ? [...sc.choiceValues.keys()].slice(0, 8).map((k) => `"${k}"`).join(', ') : 'none';
      return fail(`"${value}" is not one of its value names (${known})`);
    }
    return checkBits(s, raw, fail, value);
  }
  if (s.float !== false) {
    const v = Number(value);
    if (scaling && strict) checkPhysical(s, v, fail);
    return scaling ? (v - sc.offset) / sc.scale : v;
  }
  if (typeof value === 'bigint') {
    if (!scaling || (sc.scale === 1 && sc.offset === 0)) return checkBits(s, value, fail, value);
    value = Number(value);
  }
  if (!Number.isFinite(value)) return fail(`${value} is not a finite number`);
  if (!scaling) {
    if (!Number.isInteger(value)) fail(`raw value ${value} is not an integer`);
    return checkBits(s, value, fail, value);
  }
  if (strict) checkPhysical(s, value, fail);
  return checkBits(s, roundRaw((value - sc.offset) / sc.scale), fail, value);
}

function checkPhysical(s: DbcSignal, v: number, fail: (detail: string) => never): void {
  if (s.minimum === undefined || s.maximum === undefined) return;
  // Allow for the rounding of decimal bounds like 255.9375 or 0.1 * 3.
  const tol = 1e-9 * Math.max(1, Math.abs(s.minimum), Math.abs(s.maximum));
  if (v < s.minimum - tol || v > s.maximum + tol || Number.isNaN(v)) {
    fail(`${v} is outside its range [${s.minimum}, ${s.maximum}]${s.unit ? ` ${s.unit}` : ''}`);
  }
}

function checkBits(s: DbcSignal, raw: RawValue, fail: (detail: string) => never, given: number | string | bigint): RawValue {
  if (typeof raw === 'number' && !Number.isInteger(raw)) return fail(`raw value ${raw} is not an integer`);
  const [lo, hi] = rawRange(s);
  const big = typeof raw === 'bigint' ? raw : BigInt(raw);
  if (big < lo || big > hi) {
    const phys = (x: bigint): number => Number(x) * s.scale + s.offset;
    const [plo, phi] = s.scale < 0 ? [phys(hi), phys(lo)] : [phys(lo), phys(hi)];
    fail(`${String(given)} (raw ${big}) does not fit its ${s.length}-bit ${s.signed ? 'signed' : 'unsigned'} raw range [${lo}, ${hi}], physical [${plo}, ${phi}]`);
  }
  return s.length > 53 ? big : Number(big);
}
