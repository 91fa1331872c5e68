/**
 * Reading text formats straight from their bytes. File readers hand parsers the read buffer itself
 * (one latin1 character per byte) so no line is ever decoded into a string on the hot path; the
 * public string functions hand them the string's UTF-16 code units instead, so a character above
 * U+00FF stays what it is (and is rejected where the format wants ASCII) rather than being truncated.
 */
import { QUOTE_LIMIT, quoteInput } from '../errors.js';
import { HEX_VALUE } from './hex.js';

/** Character codes of a text: a file's bytes, or a string's UTF-16 code units. */
export type Chars = Uint8Array | Uint16Array;

/** The code units of `line`, for the parsers that read `Chars`. */
export function charsOf(line: string): Uint16Array {
  const out = new Uint16Array(line.length);
  for (let i = 0; i < line.length; i++) out[i] = line.charCodeAt(i);
  return out;
}

/** Code units per `String.fromCharCode` call: well below the engine's limit on arguments. */
const DECODE_STEP = 8192;

/** `c[start..end)` as a string; for messages and header lines, never for frames. */
export function textOf(c: Chars, start: number, end: number): string {
  if (end <= start) return '';
  // One decode of the bytes, not a string grown a character at a time (a header line may be long).
  if (c instanceof Uint8Array) return Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i += DECODE_STEP) s += String.fromCharCode(...c.subarray(i, Math.min(end, i + DECODE_STEP)));
  return s;
}

/**
 * `c[start..end)` quoted for an error message (see `quoteInput`): only what the quote shows is
 * decoded, so a token of megabytes costs no more than a short one.
 */
export function quoteChars(c: Chars, start: number, end: number): string {
  // One character past the limit, so quoteInput sees the text is longer and says so.
  return quoteInput(textOf(c, start, Math.min(end, start + QUOTE_LIMIT + 1)));
}

/** Value of the hex digit at `c[p]` if `p < end`, else -1. */
export function hexAt(c: Chars, p: number, end: number): number {
  if (p >= end) return -1;
  const v = c[p] as number;
  return v < 128 ? (HEX_VALUE[v] as number) : -1;
}

/** Parses `c[start..end)` as an unsigned hex integer up to 32 bits; -1 when empty, too long or not hex. */
export function parseHexInt(c: Chars, start: number, end: number): number {
  if (end <= start || end - start > 8) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const x = c[i] as number;
    const d = x < 128 ? (HEX_VALUE[x] as number) : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Parses `c[start..end)` as an unsigned decimal integer (at most 15 digits); -1 when not one. */
export function parseDecInt(c: Chars, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = (c[i] as number) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Powers of ten that are exact doubles (10^0 to 10^22). */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Integers below this are exact doubles. */
export const EXACT_LIMIT = 2 ** 53;

/**
 * Parses decimal seconds `c[start..end)` (digits with at most one dot); NaN when it is not one.
 * The result equals `Number(text)` bit for bit: while the digits as an integer stay below 2^53 and
 * the fraction has at most 22 digits, both the integer and the power of ten are exact doubles, so
 * one IEEE division rounds the true quotient once, as `Number` does. Longer texts go to `Number`.
 */
export function parseDecimalSeconds(c: Chars, start: number, end: number): number {
  if (end <= start) return NaN;
  let mantissa = 0;
  let fraction = 0;
  let dots = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const x = c[i] as number;
    if (x === 46) {
      dots++;
      continue;
    }
    const d = x - 48;
    if (d < 0 || d > 9) return NaN;
    mantissa = mantissa * 10 + d;
    digits++;
    if (dots > 0) fraction++;
  }
  if (dots > 1 || digits === 0) return NaN;
  if (mantissa < EXACT_LIMIT && fraction <= 22) return fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
  return Number(textOf(c, start, end));
}

const MAX_NAMES = 32;

/**
 * Channel names by their characters: a trace has a handful of channels, so each name is made into a
 * string once and every later frame on it shares that string.
 */
export class ChannelNames {
  readonly #codes: number[][] = [];
  readonly #names: string[] = [];

  /** The string for `c[start..end)`. */
  name(c: Chars, start: number, end: number): string {
    const len = end - start;
    const codes = this.#codes;
    for (let k = 0; k < codes.length; k++) {
      const known = codes[k] as number[];
      if (known.length !== len) continue;
      let i = 0;
      while (i < len && known[i] === c[start + i]) i++;
      if (i === len) return this.#names[k] as string;
    }
    const name = textOf(c, start, end);
    // A file naming ever more channels stops being remembered rather than growing without bound.
    if (codes.length < MAX_NAMES) {
      codes.push(Array.from(c.subarray(start, end)));
      this.#names.push(name);
    }
    return name;
  }
}
