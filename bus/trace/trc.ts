/**
 * PEAK PCAN trace (`.trc`) reading, file versions 1.0, 1.1, 1.2, 1.3, 2.0 and 2.1:
 *
 *   1.0   `    1)      1841  0001  8  00 00 00 00 00 00 00 00`            number) ms id dlc data
 *   1.1   `    1)     17535.4  Rx     00000100  8  00 00 ...`             + type (Rx, Tx, Warng, Error); data `RTR` for remote
 *   1.2   `    1)     17535.400 1  Rx    00000100  8  00 ...`            + bus
 *   1.3   `    1)     17535.400 1  Rx    00000100 -  8  00 ...`          + reserved column
 *   2.x   columns named by `;$COLUMNS=N,O,T,B,I,d,R,L,D` (2.0 default N,O,T,I,d,l,D); types DT (data),
 *         FD, FB (BRS), FE (ESI), BI (BRS+ESI), RR (remote), ER (error frame); ST, EC, EV are status lines.
 *
 * `;$STARTTIME=` (days since 1899-12-30, local time) makes the timestamps absolute epoch seconds.
 * Ids of more than 4 hex digits are 29-bit. Bus N is channel `can{N-1}`; files without a bus column are `can0`.
 * Status lines (v1 `Warng`, v2 ST/EC/EV) carry no frame and are passed over.
 */
import { quoteInput } from '../errors.js';
import type { CanFrame } from '../frame.js';
import { ByteSlab, NO_DATA } from './byte-slab.js';
import { channelFromNumber } from './channel.js';
import { charsOf, parseDecimalSeconds, parseDecInt, parseHexInt, quoteChars, textOf, type Chars } from './chars.js';
import { frameOf } from './frame-of.js';
import { HEX_VALUE } from './hex.js';
import type { LineParser } from './line-reader.js';
import { LineSyntaxError } from './types.js';

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
const MAX_TOKENS = 256;
/** A column the layout does not have. */
const ABSENT = -2;
/** A column the layout has but the line is too short for: reads as empty text. */
const MISSING = -1;

// Message types by their two characters (PEAK's are all two letters, `Warng` and `Error` aside).
const code = (t: string): number => t.charCodeAt(0) * 65536 + t.charCodeAt(1);
const DT = code('DT'), FD = code('FD'), FB = code('FB'), FE = code('FE'), BI = code('BI'), RR = code('RR'), ER = code('ER');
const ST = code('ST'), EC = code('EC'), EV = code('EV'), RX = code('Rx'), TX = code('Tx');
const WARNG = -3;
const ERROR = -4;
const OTHER = -1;

/** Whitespace as `String.prototype.trim` and `/\s/` know it, for latin1 bytes and UTF-16 code units. */
function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13) || c === 160) return true;
  if (c < 0x1680) return false;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** OLE automation date (days since 1899-12-30, local wall clock) to epoch seconds. */
export function oleDateToEpoch(days: number): number {
  const naive = new Date(Math.round((days - 25569) * 86400000));
  const local = new Date(
    naive.getUTCFullYear(), naive.getUTCMonth(), naive.getUTCDate(),
    naive.getUTCHours(), naive.getUTCMinutes(), naive.getUTCSeconds(), naive.getUTCMilliseconds(),
  );
  return local.getTime() / 1000;
}

// The one-line string entry point shares one small slab (regions are never reused, so that is safe).
const stringSlab = new ByteSlab(4096);

/**
 * A stateful TRC line parser: the `;$` header lines choose the column layout, which is worked out once
 * per header as token positions; a record line is then split into tokens and read by position.
 */
export class TrcParser implements LineParser {
  #version = '1.1';
  #columns: string[] | undefined;
  #start = 0;
  // Token positions of each field for the current layout (ABSENT when the layout has no such column).
  #v1 = true;
  #numberAt = 0;
  #timeAt = 1;
  #typeAt = 2;
  #busAt = ABSENT;
  #idAt = 3;
  #dirAt = ABSENT;
  #dlcAt = 4;
  #lengthAt = ABSENT;
  #dataAt = 5;
  // Token boundaries of the current line, reused across lines.
  readonly #ts = new Int32Array(MAX_TOKENS);
  readonly #te = new Int32Array(MAX_TOKENS);
  #n = 0;
  #c: Chars = new Uint8Array(0);

  constructor() {
    this.#layout();
  }

  /**
   * Parses one line (without its newline): a frame, or null for header, status and blank lines.
   * @throws {LineSyntaxError} for a malformed line.
   */
  parse(line: string): CanFrame | null {
    return this.parseLine(charsOf(line), 0, line.length, stringSlab);
  }

  parseLine(c: Chars, start: number, end: number, slab: ByteSlab): CanFrame | null {
    let s = start;
    while (s < end && isSpace(c[s] as number)) s++;
    if (s === end) return null;
    if (c[s] === 59 /* ; */) {
      // Only `;$KEY=value` lines say anything; a comment is passed over without being decoded.
      if (s + 1 < end && c[s + 1] === 36 /* $ */) this.#header(textOf(c, start, end).trim());
      return null;
    }
    this.#c = c;
    this.#tokenize(c, s, end);
    return this.#record(slab);
  }

  #tokenize(c: Chars, start: number, end: number): void {
    const ts = this.#ts;
    const te = this.#te;
    let n = 0;
    let i = start;
    // Past MAX_TOKENS nothing is read: every column and at most 64 data bytes sit well before it.
    while (i < end && n < MAX_TOKENS) {
      let x = c[i] as number;
      // Printable ASCII first: the general whitespace test only for the rest.
      while (x === 32 || (x < 33 || x > 126 ? isSpace(x) : false)) x = ++i < end ? (c[i] as number) : 33;
      if (i >= end) break;
      ts[n] = i;
      while (x > 32 && x < 127 ? true : !isSpace(x)) x = ++i < end ? (c[i] as number) : 32;
      te[n++] = i;
    }
    this.#n = n;
  }

  #header(line: string): void {
    const eq = line.indexOf('=');
    if (!line.startsWith(';$') || eq < 0) return;
    const key = line.slice(2, eq).trim().toUpperCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'FILEVERSION') {
      if (!/^(1\.[0-3]|2\.[01])$/.test(value)) throw new LineSyntaxError(`unsupported TRC file version ${quoteInput(value)}`);
      this.#version = value;
    } else if (key === 'STARTTIME') {
      const days = Number(value);
      if (!Number.isFinite(days) || value === '') throw new LineSyntaxError(`${quoteInput(value)} is not a start time`);
      this.#start = oleDateToEpoch(days);
    } else if (key === 'COLUMNS') {
      this.#columns = value.split(',').map((c) => c.trim());
      if (!this.#columns.includes('O') || !this.#columns.includes('T')) throw new LineSyntaxError('$COLUMNS needs O (time) and T (type)');
    }
    this.#layout();
  }

  /** Token positions for the version and columns in force. */
  #layout(): void {
    const v = this.#version;
    this.#v1 = !v.startsWith('2');
    this.#busAt = ABSENT;
    this.#dirAt = ABSENT;
    this.#lengthAt = ABSENT;
    this.#dlcAt = ABSENT;
    if (this.#v1) {
      // 1.0: N) ms id dlc data; 1.1: + type after the time; 1.2: + bus before the type; 1.3: + reserved after the id.
      this.#numberAt = 0;
      this.#timeAt = 1;
      if (v === '1.0') {
        this.#typeAt = ABSENT;
        this.#idAt = 2;
        this.#dlcAt = 3;
        this.#dataAt = 4;
        return;
      }
      let k = 2;
      if (v === '1.2' || v === '1.3') this.#busAt = k++;
      this.#typeAt = k++;
      this.#idAt = k++;
      if (v === '1.3') k++;
      this.#dlcAt = k++;
      this.#dataAt = k;
      return;
    }
    const cols = this.#columns ?? (v === '2.0' ? ['N', 'O', 'T', 'I', 'd', 'l', 'D'] : ['N', 'O', 'T', 'B', 'I', 'd', 'R', 'L', 'D']);
    this.#typeAt = cols.indexOf('T');
    this.#timeAt = ABSENT;
    this.#idAt = ABSENT;
    this.#dataAt = ABSENT;
    for (let k = 0; k < cols.length; k++) {
      const col = cols[k];
      if (col === 'D') {
        this.#dataAt = k;
        break;
      }
      if (col === 'O') this.#timeAt = k;
      else if (col === 'B') this.#busAt = k;
      else if (col === 'I') this.#idAt = k;
      else if (col === 'd') this.#dirAt = k;
      else if (col === 'L') this.#dlcAt = k;
      else if (col === 'l') this.#lengthAt = k;
    }
  }

  /** Token k of the line for a column at position k: MISSING when the line is shorter, ABSENT stays. */
  #at(k: number): number {
    return k === ABSENT ? ABSENT : k < this.#n ? k : MISSING;
  }

  /** A column quoted for a message (empty when missing). */
  #quoted(k: number): string {
    return k < 0 ? '""' : quoteChars(this.#c, this.#ts[k] as number, this.#te[k] as number);
  }

  #len(k: number): number {
    return k < 0 ? 0 : (this.#te[k] as number) - (this.#ts[k] as number);
  }

  #type(k: number): number {
    if (k < 0) return OTHER;
    const c = this.#c;
    const s = this.#ts[k] as number;
    const len = (this.#te[k] as number) - s;
    if (len === 2) return (c[s] as number) * 65536 + (c[s + 1] as number);
    if (len === 5) {
      const t = textOf(c, s, s + 5);
      if (t === 'Warng') return WARNG;
      if (t === 'Error') return ERROR;
    }
    return OTHER;
  }

  #record(slab: ByteSlab): CanFrame | null {
    const c = this.#c;
    let type: number;
    if (this.#v1) {
      const n0 = this.#te[0] as number;
      if (c[n0 - 1] !== 41 /* ) */) throw new LineSyntaxError(`expected a message number like "1)", not ${this.#quoted(0)}`);
      type = this.#typeAt === ABSENT ? RX : this.#type(this.#at(this.#typeAt));
      if (type === WARNG) return null;
    } else {
      type = this.#type(this.#at(this.#typeAt));
      if (type === ST || type === EC || type === EV) return null;
    }
    const time = this.#at(this.#timeAt);
    const ms = time < 0 ? NaN : parseDecimalSeconds(c, this.#ts[time] as number, this.#te[time] as number);
    if (Number.isNaN(ms)) throw new LineSyntaxError(`${this.#quoted(time)} is not a time offset in ms`);
    const timestamp = this.#start + ms / 1000;
    let channel = 'can0';
    const busAt = this.#at(this.#busAt);
    if (busAt !== ABSENT && !(this.#len(busAt) === 1 && c[this.#ts[busAt] as number] === 45 /* - */)) {
      const bus = busAt < 0 ? -1 : parseDecInt(c, this.#ts[busAt] as number, this.#te[busAt] as number);
      if (bus < 1) throw new LineSyntaxError(`${this.#quoted(busAt)} is not a bus number`);
      channel = channelFromNumber(bus);
    }
    const dirAt = this.#at(this.#dirAt);
    const tx = dirAt === ABSENT ? type === TX : this.#type(dirAt) === TX;
    if (type === ER || type === ERROR) {
      return frameOf(timestamp, channel, 0, false, false, false, false, false, true, 0, NO_DATA, tx);
    }
    const fd = type === FD || type === FB || type === FE || type === BI;
    if (!fd && type !== DT && type !== RR && type !== RX && type !== TX) throw new LineSyntaxError(`unknown message type ${this.#quoted(this.#at(this.#typeAt))}`);
    const idAt = this.#at(this.#idAt);
    const rawId = idAt < 0 ? -1 : parseHexInt(c, this.#ts[idAt] as number, this.#te[idAt] as number);
    const extended = this.#len(idAt) > 4;
    if (rawId < 0 || rawId > (extended ? 0x1fffffff : 0x7ff)) throw new LineSyntaxError(`${this.#quoted(idAt)} is not a CAN id`);
    let dlc = -1;
    const dlcAt = this.#at(this.#dlcAt);
    const lengthAt = this.#at(this.#lengthAt);
    if (dlcAt !== ABSENT) dlc = dlcAt < 0 ? -1 : parseDecInt(c, this.#ts[dlcAt] as number, this.#te[dlcAt] as number);
    else if (lengthAt !== ABSENT) {
      const len = lengthAt < 0 ? -1 : parseDecInt(c, this.#ts[lengthAt] as number, this.#te[lengthAt] as number);
      dlc = fd ? FD_LENGTHS.indexOf(len) : len;
    }
    if (dlc < 0 || dlc > 15) throw new LineSyntaxError(`${this.#quoted(dlcAt !== ABSENT ? dlcAt : lengthAt)} is not a DLC`);
    const dataAt = this.#dataAt === ABSENT ? this.#n : Math.min(this.#dataAt, this.#n);
    const available = this.#n - dataAt;
    const rtr = type === RR || (available === 1 && this.#len(dataAt) === 3 && c[this.#ts[dataAt] as number] === 82 && c[(this.#ts[dataAt] as number) + 1] === 84 && c[(this.#ts[dataAt] as number) + 2] === 82) /* RTR */;
    const count = rtr ? 0 : fd ? (FD_LENGTHS[dlc] as number) : Math.min(dlc, 8);
    if (available < count) throw new LineSyntaxError(`expected ${count} data bytes, found ${available}`);
    const out = slab.room(count);
    const o = slab.offset;
    for (let i = 0; i < count; i++) {
      const k = dataAt + i;
      const at = this.#ts[k] as number;
      let v = -1;
      if (this.#te[k] === at + 2) {
        const a = c[at] as number;
        const b = c[at + 1] as number;
        const hi = a < 128 ? (HEX_VALUE[a] as number) : -1;
        const lo = b < 128 ? (HEX_VALUE[b] as number) : -1;
        if ((hi | lo) >= 0) v = (hi << 4) | lo;
      }
      if (v < 0) throw new LineSyntaxError(`${this.#quoted(k)} is not a hex data byte`);
      out[o + i] = v;
    }
    const data = slab.take(count);
    const brs = type === FB || type === BI;
    const esi = type === FE || type === BI;
    return frameOf(timestamp, channel, rawId, extended, fd, brs, esi, rtr, false, dlc, data, tx);
  }
}
