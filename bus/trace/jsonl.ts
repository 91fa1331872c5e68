/**
 * JSON lines, the form `ecu-ai trace cat` prints and the `.jsonl` trace format:
 *
 *   {"t":1.234567,"ch":"can0","id":291,"ext":false,"fd":false,"brs":false,"rtr":false,"err":false,"dlc":8,"data":"deadbeef00112233"}
 *
 * Keys in exactly this order; `t` rounded to microseconds. Decoded frames add `"msg"` and `"sig"`.
 * The `.jsonl` file writer appends `"esi":true` and `"tx":true` (only when true) after `data`, so
 * files keep everything a frame carries while `trace cat` prints exactly the contract.
 */
import { dlcToLength, type CanFrame } from '../frame.js';
import { quoteInput, TraceParseError, type SourceLocation } from '../errors.js';
import { bytesToHexLower, hexDigit } from './hex.js';
import type { LineFormatter } from './text-writer.js';
import { LineSyntaxError } from './types.js';

/** The J1939 reading of a 29-bit id: priority, PGN, source and destination (255 for PDU2). */
export interface J1939Fields {
  pri: number;
  pgn: number;
  sa: number;
  da: number;
}

export interface DecodedFields {
  /** The DBC message and its signals; both or neither. */
  msg?: string;
  sig?: Record<string, number | string>;
  j1939?: J1939Fields;
}

export interface JsonLineOptions {
  /** Append `"esi":true` / `"tx":true` when set (the `.jsonl` file form). */
  extras?: boolean;
}

/** Seconds rounded to microseconds, as a JSON number. */
function seconds(t: number): string {
  const r = Math.round(t * 1e6) / 1e6;
  return Number.isFinite(r) ? String(r) : '0';
}

/** `{"pri":..,"pgn":..,"sa":..,"da":..}`, keys in that order. */
export function j1939Json(f: J1939Fields): string {
  return `{"pri":${f.pri},"pgn":${f.pgn},"sa":${f.sa},"da":${f.da}}`;
}

/** One JSON line for a frame (no newline); with `decoded`, adds `j1939`, `msg` and `sig` where given. */
export function frameToJsonLine(frame: CanFrame, decoded?: DecodedFields, options?: JsonLineOptions): string {
  let s =
    `{"t":${seconds(frame.timestamp)},"ch":${JSON.stringify(frame.channel)},"id":${frame.id},"ext":${frame.extended},"fd":${frame.fd}` +
    `,"brs":${frame.brs},"rtr":${frame.rtr},"err":${frame.error},"dlc":${frame.dlc},"data":"${bytesToHexLower(frame.data)}"`;
  if (options?.extras) {
    if (frame.esi) s += ',"esi":true';
    if (frame.tx === true) s += ',"tx":true';
  }
  if (decoded?.j1939) s += `,"j1939":${j1939Json(decoded.j1939)}`;
  if (decoded?.msg !== undefined) s += `,"msg":${JSON.stringify(decoded.msg)},"sig":${JSON.stringify(decoded.sig ?? {})}`;
  return s + '}';
}

function field<T>(obj: Record<string, unknown>, key: string, check: (v: unknown) => v is T, what: string): T {
  const v = obj[key];
  if (!check(v)) throw new LineSyntaxError(`"${key}" must be ${what}`);
  return v;
}

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Internal form: throws `LineSyntaxError`. Blank lines give null. */
export function parseJsonLine(line: string): CanFrame | null {
  if (line.trim() === '') return null;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    // The parser's own message quotes the input raw: quote it escaped instead.
    throw new LineSyntaxError(`not JSON: ${quoteInput(line)}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new LineSyntaxError('expected a JSON object per line');
  const o = obj as Record<string, unknown>;
  const timestamp = field(o, 't', isNumber, 'a number of seconds');
  const channel = field(o, 'ch', isString, 'a string');
  const id = field(o, 'id', isInt, 'a non-negative integer');
  const extended = field(o, 'ext', isBool, 'true or false');
  const fd = field(o, 'fd', isBool, 'true or false');
  const brs = field(o, 'brs', isBool, 'true or false');
  const rtr = field(o, 'rtr', isBool, 'true or false');
  const error = field(o, 'err', isBool, 'true or false');
  const dlc = field(o, 'dlc', isInt, 'a DLC code 0..15');
  const hex = field(o, 'data', isString, 'a hex string');
  const esi = o['esi'] === undefined ? false : field(o, 'esi', isBool, 'true or false');
  const tx = o['tx'] === undefined ? undefined : field(o, 'tx', isBool, 'true or false');
  if (dlc > 15) throw new LineSyntaxError(`"dlc" ${dlc} is not a code 0..15`);
  if (id > (extended ? 0x1fffffff : 0x7ff)) throw new LineSyntaxError(`id ${id} does not fit a ${extended ? 29 : 11}-bit identifier`);
  if (fd && rtr) throw new LineSyntaxError('CAN FD has no remote frames');
  if ((brs || esi) && !fd) throw new LineSyntaxError('"brs" and "esi" need "fd": true');
  if (hex.length % 2 !== 0) throw new LineSyntaxError('"data" has an odd number of hex digits');
  const data = new Uint8Array(hex.length / 2);
  for (let i = 0; i < data.length; i++) {
    const hi = hexDigit(hex, 2 * i);
    const lo = hexDigit(hex, 2 * i + 1);
    if (hi < 0 || lo < 0) throw new LineSyntaxError(`"data" is not hex at digit ${2 * i + 1}`);
    data[i] = hi * 16 + lo;
  }
  if (!rtr && !error && data.length !== dlcToLength(dlc, fd)) {
    throw new LineSyntaxError(`"dlc" ${dlc} means ${dlcToLength(dlc, fd)} bytes but "data" has ${data.length}`);
  }
  if (rtr && data.length > 0) throw new LineSyntaxError('a remote frame carries no data');
  return { timestamp, channel, id, extended, fd, brs, esi, rtr, error, dlc, data, ...(tx === undefined ? {} : { tx }) };
}

/**
 * Parses one JSON line back into a frame.
 * @throws {TraceParseError} when the line is not a frame object; `location` names where it came from.
 */
export function frameFromJsonLine(line: string, location: SourceLocation = {}): CanFrame {
  try {
    const frame = parseJsonLine(line);
    if (frame === null) throw new LineSyntaxError('blank line');
    return frame;
  } catch (err) {
    if (err instanceof LineSyntaxError) throw new TraceParseError(location, err.detail, { cause: err });
    throw err;
  }
}

export function jsonlFormatter(): LineFormatter {
  return { format: (frame) => frameToJsonLine(frame, undefined, { extras: true }) + '\n', finish: () => '' };
}
