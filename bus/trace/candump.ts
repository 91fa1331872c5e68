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
 * A trailing ` R` or ` T` (receive/transmit, as python-can writes it) is accepted; ` T` is written
 * for transmitted frames only, so received frames look exactly like candump's own output.
 */
import { lengthToDlc, type CanFrame } from '../frame.js';
import { TraceParseError, type SourceLocation } from '../errors.js';
import { frameOf } from './frame-of.js';
import { bytesToHexUpper, hexDigit } from './hex.js';
import type { LineFormatter } from './text-writer.js';
import { LineSyntaxError } from './types.js';

const CAN_ERR_FLAG = 0x20000000;
const FD_LENGTH_OK = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]);

function fail(detail: string, column: number): never {
  throw new LineSyntaxError(detail, column + 1);
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

function tokenEnd(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9) i++;
  return i;
}

/** Parses a decimal timestamp `s[start..end)` with at most one dot; NaN when it is not one. */
export function parseDecimalSeconds(s: string, start: number, end: number): number {
  if (end <= start) return NaN;
  let dots = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) dots++;
    else if (c >= 48 && c <= 57) digits++;
    else return NaN;
  }
  if (dots > 1 || digits === 0) return NaN;
  return Number(s.slice(start, end));
}

function parseHexBytes(s: string, start: number, end: number): Uint8Array {
  if ((end - start) % 2 !== 0) fail('odd number of hex digits in the data', end - 1);
  const out = new Uint8Array((end - start) / 2);
  for (let i = 0, p = start; p < end; i++, p += 2) {
    const hi = hexDigit(s, p);
    const lo = hexDigit(s, p + 1);
    if (hi < 0 || lo < 0) fail(`"${s.slice(p, p + 2)}" is not a hex byte`, hi < 0 ? p : p + 1);
    out[i] = hi * 16 + lo;
  }
  return out;
}

/** Internal form: throws `LineSyntaxError`. */
export function parseCandump(line: string): CanFrame | null {
  let i = skipSpaces(line, 0);
  if (i === line.length) return null;
  if (line.charCodeAt(i) !== 40 /* ( */) fail('expected "(" and a timestamp', i);
  const close = line.indexOf(')', i + 1);
  if (close < 0) fail('missing ")" after the timestamp', i);
  const timestamp = parseDecimalSeconds(line, i + 1, close);
  if (Number.isNaN(timestamp)) fail(`"${line.slice(i + 1, close)}" is not a timestamp in seconds`, i + 1);
  i = skipSpaces(line, close + 1);
  const chEnd = tokenEnd(line, i);
  if (chEnd === i) fail('missing interface name', i);
  const channel = line.slice(i, chEnd);
  i = skipSpaces(line, chEnd);
  const frameStart = i;
  const frameEnd = tokenEnd(line, i);
  let tx: boolean | undefined;
  const j = skipSpaces(line, frameEnd);
  if (j < line.length) {
    const dirEnd = tokenEnd(line, j);
    const dir = dirEnd - j === 1 ? line.charCodeAt(j) | 0x20 : 0;
    if (dir === 0x74 /* t */) tx = true;
    else if (dir === 0x72 /* r */) tx = false;
    else fail(`unexpected "${line.slice(j, dirEnd)}" after the frame`, j);
    if (skipSpaces(line, dirEnd) !== line.length) fail('unexpected text after the direction', dirEnd);
  }
  const hash = line.indexOf('#', frameStart);
  if (hash < 0 || hash >= frameEnd) fail('expected ID#DATA', frameStart);
  const idDigits = hash - frameStart;
  if (idDigits < 1 || idDigits > 8) fail('the id takes 1 to 8 hex digits', frameStart);
  let rawId = 0;
  for (let p = frameStart; p < hash; p++) {
    const d = hexDigit(line, p);
    if (d < 0) fail(`"${line.slice(frameStart, hash)}" is not a hex id`, p);
    rawId = rawId * 16 + d;
  }
  let extended = idDigits > 3;
  const error = rawId >= CAN_ERR_FLAG && (rawId & CAN_ERR_FLAG) !== 0;
  const id = rawId & 0x1fffffff;
  if (!extended && id > 0x7ff) fail(`id ${line.slice(frameStart, hash)} does not fit 11 bits`, frameStart);
  if (rawId > 0x1fffffff && !error) fail(`id ${line.slice(frameStart, hash)} has bits above the 29-bit id`, frameStart);
  if (error) extended = true;
  const p = hash + 1;
  if (p < frameEnd && line.charCodeAt(p) === 35 /* # */) {
    const flags = hexDigit(line, p + 1);
    if (flags < 0 || p + 1 >= frameEnd) fail('CAN FD frame without its flags nibble', p + 1);
    const data = parseHexBytes(line, p + 2, frameEnd);
    if (!FD_LENGTH_OK.has(data.length)) fail(`${data.length} bytes is not a CAN FD length`, p + 2);
    return frameOf(timestamp, channel, id, extended, true, (flags & 1) !== 0, (flags & 2) !== 0, false, error, lengthToDlc(data.length, true), data, tx);
  }
  if (p < frameEnd && (line.charCodeAt(p) | 0x20) === 0x72 /* r */) {
    let dlc = 0;
    if (p + 1 < frameEnd) {
      dlc = hexDigit(line, p + 1);
      if (dlc < 0 || p + 2 !== frameEnd) fail(`"${line.slice(p + 1, frameEnd)}" is not a DLC`, p + 1);
    }
    return frameOf(timestamp, channel, id, extended, false, false, false, true, error, dlc, new Uint8Array(0), tx);
  }
  let dataEnd = frameEnd;
  let dlcOverride = -1;
  const underscore = line.indexOf('_', p);
  if (underscore >= 0 && underscore < frameEnd) {
    dataEnd = underscore;
    dlcOverride = hexDigit(line, underscore + 1);
    if (dlcOverride < 9 || underscore + 2 !== frameEnd) fail('"_" must be followed by a DLC code 9..F', underscore + 1);
  }
  const data = parseHexBytes(line, p, dataEnd);
  if (data.length > 8 && !error) fail(`${data.length} bytes do not fit a classic CAN frame`, p);
  if (dlcOverride >= 0 && data.length !== 8) fail('a DLC above 8 needs 8 data bytes', underscore);
  const dlc = dlcOverride >= 0 ? dlcOverride : Math.min(data.length, 15);
  return frameOf(timestamp, channel, id, extended, false, false, false, false, error, dlc, data, tx);
}

/**
 * Parses one candump `-L` line. Blank lines give null.
 * @throws {TraceParseError} when the line is malformed; the location names the column.
 */
export function parseCandumpLine(line: string, location: SourceLocation = {}): CanFrame | null {
  try {
    return parseCandump(line);
  } catch (err) {
    if (err instanceof LineSyntaxError) throw new TraceParseError({ ...location, column: err.column }, err.detail, { cause: err });
    throw err;
  }
}

/** One candump `-L` line for a frame, without a newline. */
export function formatCandumpLine(frame: CanFrame): string {
  let id: string;
  if (frame.error) id = ((frame.id | CAN_ERR_FLAG) >>> 0).toString(16).toUpperCase().padStart(8, '0');
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
