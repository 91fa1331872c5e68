/**
 * candump `-L` log lines (SocketCAN can-utils), the `.log` format:
 *
 *   (1618787934.854636) can0 0C5#3000000030000000        classic, 3 hex digits: 11-bit id
 *   (1618787934.854636) can0 18DAF110#0210               8 hex digits: 29-bit id
 *   (1618787934.854636) can0 123#R / 123#R3             remote frame, optional DLC
 *   (1618787934.854636) can0 123##1112233                CAN FD: `##`, a flags nibble (1 BRS, 2 ESI), data
 *   (1618787934.854636) can0 123#1122334455667788_C      classic DLC 9..15 carrying 8 bytes
 *   (1618787934.854636) can0 20000080#0000000000000000  error frame: CAN_ERR_FLAG (0x20000000) in the id
 *
 * The id of an error frame carries SocketCAN's error class bits (0x80 CAN_ERR_BUSERROR, 0x40 bus off,
 * ...). An error frame without a class is written as a bus error (0x20000080), as python-can writes
 * every error frame: python-can 4.1 reads a line as an error frame only when that bit is set, and
 * would take a bare 20000000 for an ordinary frame with id 0.
 *
 * A trailing ` R` or ` T` (receive/transmit, as python-can writes it) is accepted; ` T` is written
 * for transmitted frames only, so received frames look exactly like candump's own output.
 */
import { lengthToDlc, type CanFrame } from '../frame.js';
import { TraceParseError, type SourceLocation } from '../errors.js';
import { ByteSlab, NO_DATA } from './byte-slab.js';
import { ChannelNames, charsOf, EXACT_LIMIT, hexAt, parseDecimalSeconds, POW10, quoteChars, textOf, type Chars } from './chars.js';
import { frameOf } from './frame-of.js';
import { bytesToHexUpper, HEX_VALUE } from './hex.js';
import type { LineParser } from './line-reader.js';
import type { LineFormatter } from './text-writer.js';
import { LineSyntaxError } from './types.js';

const CAN_ERR_FLAG = 0x20000000;
const CAN_ERR_BUSERROR = 0x80;
const FD_LENGTH_OK: readonly boolean[] = Array.from({ length: 65 }, (_, n) => n <= 8 || [12, 16, 20, 24, 32, 48, 64].includes(n));

/** `at` is an index into the whole buffer; columns count from the line's start, 1-based. */
function fail(detail: string, at: number, lineStart: number): never {
  throw new LineSyntaxError(detail, at - lineStart + 1);
}

function skipSpaces(c: Chars, i: number, end: number): number {
  while (i < end && (c[i] === 32 || c[i] === 9)) i++;
  return i;
}

function tokenEnd(c: Chars, i: number, end: number): number {
  while (i < end && c[i] !== 32 && c[i] !== 9) i++;
  return i;
}

/** The payload `c[start..end)` into the slab (taken): its byte count is `(end - start) / 2`, whatever `take` returns. */
function hexBytes(c: Chars, start: number, end: number, ls: number, slab: ByteSlab): Uint8Array {
  if ((end - start) % 2 !== 0) fail('odd number of hex digits in the data', end - 1, ls);
  const n = (end - start) / 2;
  const out = slab.room(n);
  let o = slab.offset;
  for (let p = start; p < end; p += 2) {
    const a = c[p] as number;
    const b = c[p + 1] as number;
    const hi = a < 128 ? (HEX_VALUE[a] as number) : -1;
    const lo = b < 128 ? (HEX_VALUE[b] as number) : -1;
    if ((hi | lo) < 0) fail(`${quoteChars(c, p, p + 2)} is not a hex byte`, hi < 0 ? p : p + 1, ls);
    out[o++] = (hi << 4) | lo;
  }
  return slab.take(n);
}

/** The byte two ASCII hex digits `a`, `b` spell, at `(a << 7) | b`; -1 where either is not a hex digit. One lookup per byte of payload. */
const HEX_PAIR: Int16Array = (() => {
  const t = new Int16Array(128 * 128).fill(-1);
  for (let a = 0; a < 128; a++) {
    for (let b = 0; b < 128; b++) {
      const hi = HEX_VALUE[a] as number;
      const lo = HEX_VALUE[b] as number;
      if (hi >= 0 && lo >= 0) t[(a << 7) | b] = (hi << 4) | lo;
    }
  }
  return t;
})();

// DLC code by CAN FD payload length (valid lengths only).
const FD_DLC: readonly number[] = Array.from({ length: 65 }, (_, n) => (FD_LENGTH_OK[n] === true ? lengthToDlc(n, true) : -1));

/**
 * One pass over a line in the form python-can and candump write: `(secs) name ID#HEX`, `ID##fHEX`,
 * an optional ` T`/` R`. Anything else (remote frames, `_` DLCs, extra blanks, anything malformed)
 * returns undefined and goes to `parseCandump`, which reads every form and names errors; what this
 * accepts, `parseCandump` reads identically (test/bus/trace/candump.test.ts compares the two).
 */
export function parseCandumpFast(c: Chars, ls: number, le: number, slab: ByteSlab, names: ChannelNames): CanFrame | undefined {
  let i = ls;
  if (i >= le || c[i] !== 40 /* ( */) return undefined;
  // Integer digits, then fraction digits: two tight loops instead of one with a branch per digit.
  let mantissa = 0;
  let digits = 0;
  let x = 0;
  for (i++; i < le; i++) {
    x = c[i] as number;
    const d = x - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
  }
  digits = i - ls - 1;
  let fraction = 0;
  if (x === 46 /* . */) {
    const dot = i;
    for (i++; i < le; i++) {
      x = c[i] as number;
      const d = x - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
    }
    fraction = i - dot - 1;
    digits += fraction;
  }
  if (i + 1 >= le || x !== 41 /* ) */ || digits === 0 || mantissa >= EXACT_LIMIT || fraction > 22 || c[i + 1] !== 32) return undefined;
  // Exact as `Number(text)` (see parseDecimalSeconds).
  const timestamp = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
  i += 2;
  const chStart = i;
  while (i < le && c[i] !== 32 && c[i] !== 9) i++;
  if (i === chStart || i + 1 >= le || c[i] !== 32) return undefined;
  const channel = names.name(c, chStart, i);
  const idStart = ++i;
  let rawId = 0;
  for (; i < le; i++) {
    const x = c[i] as number;
    if (x === 35 /* # */) break;
    const h = x < 128 ? (HEX_VALUE[x] as number) : -1;
    if (h < 0) return undefined;
    rawId = rawId * 16 + h;
  }
  const idDigits = i - idStart;
  if (i === le || idDigits < 1 || idDigits > 8) return undefined;
  const error = rawId >= CAN_ERR_FLAG && (rawId & CAN_ERR_FLAG) !== 0;
  const id = rawId & 0x1fffffff;
  if ((idDigits <= 3 && id > 0x7ff) || (rawId > 0x1fffffff && !error)) return undefined;
  const extended = idDigits > 3 || error;
  i++;
  let fd = false;
  let flags = 0;
  if (i < le && c[i] === 35 /* # */) {
    const x = i + 1 < le ? (c[i + 1] as number) : 0xffff;
    flags = x < 128 ? (HEX_VALUE[x] as number) : -1;
    if (flags < 0) return undefined;
    fd = true;
    i += 2;
  }
  const dataStart = i;
  const out = slab.room((le - i) >> 1);
  let o = slab.offset;
  while (i + 1 < le) {
    const a = c[i] as number;
    if (a === 32) break;
    const b = c[i + 1] as number;
    const v = (a | b) < 128 ? (HEX_PAIR[(a << 7) | b] as number) : -1;
    if (v < 0) return undefined;
    out[o++] = v;
    i += 2;
  }
  const n = (i - dataStart) >> 1;
  let tx: boolean | undefined;
  if (i < le) {
    if (c[i] !== 32 || i + 2 !== le) return undefined;
    const dir = (c[i + 1] as number) | 0x20;
    if (dir === 0x74 /* t */) tx = true;
    else if (dir === 0x72 /* r */) tx = false;
    else return undefined;
  }
  if (fd) {
    const dlc = FD_DLC[n] ?? -1;
    if (dlc < 0) return undefined;
    return frameOf(timestamp, channel, id, extended, true, (flags & 1) !== 0, (flags & 2) !== 0, false, error, dlc, slab.take(n), tx);
  }
  if (n > 8 && !error) return undefined;
  return frameOf(timestamp, channel, id, extended, false, false, false, false, error, Math.min(n, 15), slab.take(n), tx);
}

/**
 * Internal form: the line is `c[ls..le)`; data go to `slab`, channel names through `names`.
 * @throws {LineSyntaxError} naming the column.
 */
export function parseCandump(c: Chars, ls: number, le: number, slab: ByteSlab, names: ChannelNames): CanFrame | null {
  let i = skipSpaces(c, ls, le);
  if (i === le) return null;
  if (c[i] !== 40 /* ( */) fail('expected "(" and a timestamp', i, ls);
  let close = i + 1;
  while (close < le && c[close] !== 41 /* ) */) close++;
  if (close === le) fail('missing ")" after the timestamp', i, ls);
  const timestamp = parseDecimalSeconds(c, i + 1, close);
  if (Number.isNaN(timestamp)) fail(`${quoteChars(c, i + 1, close)} is not a timestamp in seconds`, i + 1, ls);
  i = skipSpaces(c, close + 1, le);
  const chEnd = tokenEnd(c, i, le);
  if (chEnd === i) fail('missing interface name', i, ls);
  const channel = names.name(c, i, chEnd);
  i = skipSpaces(c, chEnd, le);
  const frameStart = i;
  const frameEnd = tokenEnd(c, i, le);
  let tx: boolean | undefined;
  const j = skipSpaces(c, frameEnd, le);
  if (j < le) {
    const dirEnd = tokenEnd(c, j, le);
    const dir = dirEnd - j === 1 ? (c[j] as number) | 0x20 : 0;
    if (dir === 0x74 /* t */) tx = true;
    else if (dir === 0x72 /* r */) tx = false;
    else fail(`unexpected ${quoteChars(c, j, dirEnd)} after the frame`, j, ls);
    if (skipSpaces(c, dirEnd, le) !== le) fail('unexpected text after the direction', dirEnd, ls);
  }
  let hash = frameStart;
  while (hash < frameEnd && c[hash] !== 35 /* # */) hash++;
  if (hash === frameEnd) fail('expected ID#DATA', frameStart, ls);
  const idDigits = hash - frameStart;
  if (idDigits < 1 || idDigits > 8) fail('the id takes 1 to 8 hex digits', frameStart, ls);
  let rawId = 0;
  for (let p = frameStart; p < hash; p++) {
    const d = hexAt(c, p, hash);
    if (d < 0) fail(`${quoteChars(c, frameStart, hash)} is not a hex id`, p, ls);
    rawId = rawId * 16 + d;
  }
  let extended = idDigits > 3;
  const error = rawId >= CAN_ERR_FLAG && (rawId & CAN_ERR_FLAG) !== 0;
  const id = rawId & 0x1fffffff;
  if (!extended && id > 0x7ff) fail(`id ${textOf(c, frameStart, hash)} does not fit 11 bits`, frameStart, ls);
  if (rawId > 0x1fffffff && !error) fail(`id ${textOf(c, frameStart, hash)} has bits above the 29-bit id`, frameStart, ls);
  if (error) extended = true;
  const p = hash + 1;
  if (p < frameEnd && c[p] === 35 /* # */) {
    const flags = hexAt(c, p + 1, frameEnd);
    if (flags < 0) fail('CAN FD frame without its flags nibble', p + 1, ls);
    const data = hexBytes(c, p + 2, frameEnd, ls, slab);
    const n = (frameEnd - p - 2) / 2;
    if (FD_LENGTH_OK[n] !== true) fail(`${n} bytes is not a CAN FD length`, p + 2, ls);
    return frameOf(timestamp, channel, id, extended, true, (flags & 1) !== 0, (flags & 2) !== 0, false, error, lengthToDlc(n, true), data, tx);
  }
  if (p < frameEnd && ((c[p] as number) | 0x20) === 0x72 /* r */) {
    let dlc = 0;
    if (p + 1 < frameEnd) {
      dlc = hexAt(c, p + 1, frameEnd);
      if (dlc < 0 || p + 2 !== frameEnd) fail(`${quoteChars(c, p + 1, frameEnd)} is not a DLC`, p + 1, ls);
    }
    return frameOf(timestamp, channel, id, extended, false, false, false, true, error, dlc, NO_DATA, tx);
  }
  let dataEnd = frameEnd;
  let dlcOverride = -1;
  let underscore = p;
  while (underscore < frameEnd && c[underscore] !== 95 /* _ */) underscore++;
  if (underscore < frameEnd) {
    dataEnd = underscore;
    dlcOverride = hexAt(c, underscore + 1, frameEnd);
    if (dlcOverride < 9 || underscore + 2 !== frameEnd) fail('"_" must be followed by a DLC code 9..F', underscore + 1, ls);
  }
  const data = hexBytes(c, p, dataEnd, ls, slab);
  const n = (dataEnd - p) / 2;
  if (n > 8 && !error) fail(`${n} bytes do not fit a classic CAN frame`, p, ls);
  if (dlcOverride >= 0 && n !== 8) fail('a DLC above 8 needs 8 data bytes', underscore, ls);
  const dlc = dlcOverride >= 0 ? dlcOverride : Math.min(n, 15);
  return frameOf(timestamp, channel, id, extended, false, false, false, false, error, dlc, data, tx);
}

/** The `.log` reader's parser: candump lines carry no header state, so one serves every read. */
export function candumpLineParser(): LineParser {
  const names = new ChannelNames();
  return { parseLine: (c, start, end, slab) => parseCandumpFast(c, start, end, slab, names) ?? parseCandump(c, start, end, slab, names) };
}

// The one-line string functions share one small slab (regions are never reused, so that is safe).
const stringSlab = new ByteSlab(4096);
const stringNames = new ChannelNames();

/**
 * Parses one candump `-L` line. Blank lines give null.
 * @throws {TraceParseError} when the line is malformed; the location names the column.
 */
export function parseCandumpLine(line: string, location: SourceLocation = {}): CanFrame | null {
  try {
    const c = charsOf(line);
    return parseCandumpFast(c, 0, c.length, stringSlab, stringNames) ?? parseCandump(c, 0, c.length, stringSlab, stringNames);
  } catch (err) {
    if (err instanceof LineSyntaxError) throw new TraceParseError({ ...location, column: err.column }, err.detail, { cause: err });
    throw err;
  }
}

/** One candump `-L` line for a frame, without a newline. */
export function formatCandumpLine(frame: CanFrame): string {
  let id: string;
  if (frame.error) id = (((frame.id & 0x1fffffff) || CAN_ERR_BUSERROR) | CAN_ERR_FLAG).toString(16).toUpperCase().padStart(8, '0');
  else id = frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 3, '0');
  let body: string;
  if (frame.rtr) body = frame.dlc > 0 ? `R${frame.dlc.toString(16).toUpperCase()}` : 'R';
  else if (frame.fd) body = `#${(frame.brs ? 1 : 0) | (frame.esi ? 2 : 0)}${bytesToHexUpper(frame.data)}`;
  else body = bytesToHexUpper(frame.data) + (frame.dlc > 8 && frame.data.length === 8 ? `_${frame.dlc.toString(16).toUpperCase()}` : '');
  const channel = frame.channel.length > 0 ? frame.channel.replace(/\s/g, '_') : 'can0';
  return `(${frame.timestamp.toFixed(6)}) ${channel} ${id}#${body}${frame.tx === true ? ' T' : ''}`;
}

export function candumpFormatter(): LineFormatter {
  return { format: (frame) => formatCandumpLine(frame) + '\n', finish: () => '' };
}
