/**
 * Vector ASC reading. The lines that carry frames:
 *
 *   2.501000 1 ErrorFrame                                     error frame on channel 1
 *   3.098426 1  18EBFF00x       Rx   d 8 01 A0 0F A6 60 3B D1 40  Length = 273910 ...
 *   2.584921 4  300             Tx   r 8                      remote frame, DLC 8
 *  30.005071 CANFD   2 Rx   300  Name  1 0 8  8 01 02 .. 08  dur bits FLAGS crc ...
 *           (channel, dir, id[x], optional symbolic name, BRS, ESI, DLC hex, data length, data, then
 *            duration, bit count and FLAGS: bit 12 EDL, bit 13 BRS, bit 14 ESI, bit 4 remote)
 *
 * Header lines: `date WEEKDAY MONTH DAY TIME [AM|PM] YEAR` sets the absolute start (so timestamps are
 * epoch seconds), `Begin Triggerblock DATE` overrides it, `base hex|dec` selects the number base of
 * ids, DLCs and data, and `timestamps relative` makes each time a delta from the previous event.
 * Other event lines (statistics, status, J1939TP, markers) carry no frame and are passed over.
 *
 * Vector logs classic frames on CAN FD channels as CANFD lines too; their FLAGS lack EDL, and they are
 * read as classic frames (python-can 4.1 calls every CANFD line an FD frame).
 */
import type { CanFrame } from '../frame.js';
import { TraceParseError, type SourceLocation } from '../errors.js';
import { parseDecimalSeconds } from './candump.js';
import { channelFromNumber } from './channel.js';
import { frameOf } from './frame-of.js';
import { parseDecInt, parseHexInt } from './hex.js';
import type { LineParser } from './line-reader.js';
import { LineSyntaxError } from './types.js';
import { parseVectorDate } from './vector-date.js';

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
const MAX_TOKENS = 256;
const EMPTY = new Uint8Array(0);

function lowerEquals(s: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((s.charCodeAt(start + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** A stateful ASC line parser: the header lines before the frames change how frames read. */
export class AscParser implements LineParser {
  #hex = true;
  #relative = false;
  #start = 0;
  #last = 0;
  // Token boundaries of the current line, reused across lines so parsing allocates only the frame.
  readonly #ts = new Int32Array(MAX_TOKENS);
  readonly #te = new Int32Array(MAX_TOKENS);
  #n = 0;

  /** Absolute start (epoch seconds) from the header, or 0 when the file records none. */
  get start(): number {
    return this.#start;
  }

  #tokenize(line: string): void {
    let n = 0;
    let i = 0;
    const len = line.length;
    while (i < len && n < MAX_TOKENS) {
      let c = line.charCodeAt(i);
      while (c === 32 || c === 9) c = line.charCodeAt(++i);
      if (i >= len) break;
      this.#ts[n] = i;
      while (i < len && c !== 32 && c !== 9) c = line.charCodeAt(++i);
      this.#te[n++] = i;
    }
    this.#n = n;
  }

  #tok(line: string, k: number): string {
    return line.slice(this.#ts[k] as number, this.#te[k] as number);
  }

  #is(line: string, k: number, word: string): boolean {
    return k < this.#n && lowerEquals(line, this.#ts[k] as number, this.#te[k] as number, word);
  }

  #num(line: string, k: number, what: string): number {
    if (k >= this.#n) throw new LineSyntaxError(`missing ${what}`);
    const v = this.#hex ? parseHexInt(line, this.#ts[k] as number, this.#te[k] as number) : parseDecInt(line, this.#ts[k] as number, this.#te[k] as number);
    if (v < 0) throw new LineSyntaxError(`"${this.#tok(line, k)}" is not a ${this.#hex ? 'hex' : 'decimal'} ${what}`, (this.#ts[k] as number) + 1);
    return v;
  }

  #id(line: string, k: number): { id: number; extended: boolean } {
    if (k >= this.#n) throw new LineSyntaxError('missing id');
    const s = this.#ts[k] as number;
    let e = this.#te[k] as number;
    const extended = (line.charCodeAt(e - 1) | 0x20) === 0x78; /* x */
    if (extended) e--;
    const id = this.#hex ? parseHexInt(line, s, e) : parseDecInt(line, s, e);
    if (id < 0 || id > (extended ? 0x1fffffff : 0x7ff)) throw new LineSyntaxError(`"${this.#tok(line, k)}" is not a CAN id`, s + 1);
    return { id, extended };
  }

  #data(line: string, k: number, count: number): Uint8Array {
    if (k + count > this.#n) throw new LineSyntaxError(`expected ${count} data bytes, found ${Math.max(0, this.#n - k)}`);
    const data = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const s = this.#ts[k + i] as number;
      const e = this.#te[k + i] as number;
      const v = this.#hex ? parseHexInt(line, s, e) : parseDecInt(line, s, e);
      if (v < 0 || v > 255) throw new LineSyntaxError(`"${line.slice(s, e)}" is not a data byte`, s + 1);
      data[i] = v;
    }
    return data;
  }

  #time(value: number): number {
    if (this.#relative) {
      this.#last += value;
      return this.#start + this.#last;
    }
    return this.#start + value;
  }

  parse(line: string): CanFrame | null {
    this.#tokenize(line);
    if (this.#n === 0) return null;
    const c0 = line.charCodeAt(this.#ts[0] as number);
    if (c0 >= 48 && c0 <= 57) return this.#event(line);
    if (c0 === 47 && line.charCodeAt((this.#ts[0] as number) + 1) === 47) return null; // comment
    if (this.#is(line, 0, 'date')) {
      const t = parseVectorDate(line.slice(this.#te[0]));
      if (t === undefined) throw new LineSyntaxError(`unreadable date "${line.slice(this.#te[0]).trim()}"`);
      this.#start = t;
      return null;
    }
    if (this.#is(line, 0, 'base')) {
      if (this.#is(line, 1, 'hex')) this.#hex = true;
      else if (this.#is(line, 1, 'dec')) this.#hex = false;
      else throw new LineSyntaxError('"base" must be hex or dec');
      if (this.#is(line, 2, 'timestamps')) this.#relative = this.#is(line, 3, 'relative');
      return null;
    }
    if (this.#is(line, 0, 'begin') && this.#is(line, 1, 'triggerblock')) {
      const t = this.#n > 2 ? parseVectorDate(line.slice(this.#ts[2])) : undefined;
      if (t !== undefined) this.#start = t;
      this.#last = 0;
      return null;
    }
    if (this.#is(line, 0, 'end') && this.#is(line, 1, 'triggerblock')) return null;
    if (this.#is(line, 0, 'internal') || (this.#is(line, 0, 'no') && this.#is(line, 1, 'internal'))) return null;
    throw new LineSyntaxError(`not an ASC line: "${line.trim().slice(0, 40)}"`, (this.#ts[0] as number) + 1);
  }

  #event(line: string): CanFrame | null {
    const t = parseDecimalSeconds(line, this.#ts[0] as number, this.#te[0] as number);
    if (Number.isNaN(t)) throw new LineSyntaxError(`"${this.#tok(line, 0)}" is not a timestamp`, (this.#ts[0] as number) + 1);
    if (this.#n < 3) return null;
    if (this.#is(line, 1, 'canfd')) return this.#fdFrame(line, this.#time(t));
    const ch = parseDecInt(line, this.#ts[1] as number, this.#te[1] as number);
    if (ch < 0) {
      this.#time(t);
      return null; // "CAN 1 Status:...", "SV:", "Start of measurement" and the like
    }
    const timestamp = this.#time(t);
    const channel = channelFromNumber(ch);
    if (this.#is(line, 2, 'errorframe')) {
      return { timestamp, channel, id: 0, extended: false, fd: false, brs: false, esi: false, rtr: false, error: true, dlc: 0, data: EMPTY };
    }
    const rx = this.#is(line, 3, 'rx');
    if (!rx && !this.#is(line, 3, 'tx')) return null; // statistics, J1939TP and other events
    const { id, extended } = this.#id(line, 2);
    const kind = this.#n > 4 ? line.charCodeAt(this.#ts[4] as number) | 0x20 : 0;
    const tx = !rx;
    if (kind === 0x72 /* r */ && this.#te[4] === (this.#ts[4] as number) + 1) {
      let dlc = 0;
      if (this.#n > 5) {
        const v = this.#hex ? parseHexInt(line, this.#ts[5] as number, this.#te[5] as number) : parseDecInt(line, this.#ts[5] as number, this.#te[5] as number);
        if (v >= 0 && v <= 15) dlc = v;
      }
      return frameOf(timestamp, channel, id, extended, false, false, false, true, false, dlc, EMPTY, tx);
    }
    if (kind !== 0x64 /* d */ || this.#te[4] !== (this.#ts[4] as number) + 1) throw new LineSyntaxError('expected "d" or "r" after the direction', (this.#ts[4] ?? 0) + 1);
    const dlc = this.#num(line, 5, 'DLC');
    if (dlc > 15) throw new LineSyntaxError(`DLC ${dlc} is not a code 0..15`, (this.#ts[5] as number) + 1);
    const data = this.#data(line, 6, Math.min(dlc, 8));
    return frameOf(timestamp, channel, id, extended, false, false, false, false, false, dlc, data, tx);
  }

  #fdFrame(line: string, timestamp: number): CanFrame {
    const ch = this.#n > 2 ? parseDecInt(line, this.#ts[2] as number, this.#te[2] as number) : -1;
    if (ch < 0) throw new LineSyntaxError('CANFD line without a channel number');
    const channel = channelFromNumber(ch);
    const rx = this.#is(line, 3, 'rx');
    if (!rx && !this.#is(line, 3, 'tx')) throw new LineSyntaxError('CANFD line without Rx or Tx', (this.#ts[3] ?? 0) + 1);
    const tx = !rx;
    if (this.#is(line, 4, 'errorframe')) {
      return frameOf(timestamp, channel, 0, false, false, false, false, false, true, 0, EMPTY, tx);
    }
    const { id, extended } = this.#id(line, 4);
    // A symbolic name may sit between the id and the BRS flag; BRS is a lone 0 or 1.
    let k = 5;
    const isFlag = (j: number): boolean => j < this.#n && this.#te[j] === (this.#ts[j] as number) + 1 && (line.charCodeAt(this.#ts[j] as number) | 1) === 49;
    if (!(isFlag(k) && isFlag(k + 1))) k++;
    if (!isFlag(k) || !isFlag(k + 1)) throw new LineSyntaxError('expected BRS and ESI flags (0 or 1)', (this.#ts[k] ?? 0) + 1);
    const brsCol = line.charCodeAt(this.#ts[k] as number) === 49;
    const esiCol = line.charCodeAt(this.#ts[k + 1] as number) === 49;
    const dlc = k + 2 < this.#n ? parseHexInt(line, this.#ts[k + 2] as number, this.#te[k + 2] as number) : -1;
    if (dlc < 0 || dlc > 15) throw new LineSyntaxError('expected a DLC code 0..f', (this.#ts[k + 2] ?? 0) + 1);
    const length = k + 3 < this.#n ? parseDecInt(line, this.#ts[k + 3] as number, this.#te[k + 3] as number) : -1;
    if (length < 0 || length > 64) throw new LineSyntaxError('expected a data length 0..64', (this.#ts[k + 3] ?? 0) + 1);
    const data = this.#data(line, k + 4, length);
    const flagsAt = k + 4 + length + 2;
    const flags = flagsAt < this.#n ? parseHexInt(line, this.#ts[flagsAt] as number, this.#te[flagsAt] as number) : -1;
    const fd = flags >= 0 ? (flags & 0x1000) !== 0 || length > 8 || dlc > 8 : !(length === 0 && dlc > 0);
    if (fd) {
      if (FD_LENGTHS[dlc] !== length) throw new LineSyntaxError(`DLC ${dlc.toString(16)} means ${FD_LENGTHS[dlc]} bytes, not ${length}`, (this.#ts[k + 2] as number) + 1);
      const brs = brsCol || (flags >= 0 && (flags & 0x2000) !== 0);
      const esi = esiCol || (flags >= 0 && (flags & 0x4000) !== 0);
      return frameOf(timestamp, channel, id, extended, true, brs, esi, false, false, dlc, data, tx);
    }
    const rtr = length === 0 && (dlc > 0 || (flags >= 0 && (flags & 0x10) !== 0));
    if (!rtr && length !== Math.min(dlc, 8)) throw new LineSyntaxError(`DLC ${dlc} does not match the data length ${length}`, (this.#ts[k + 2] as number) + 1);
    return frameOf(timestamp, channel, id, extended, false, false, false, rtr, false, dlc, data, tx);
  }
}

/**
 * Parses a whole ASC text (header and frames), for small inputs and tests; files go through
 * `openTraceReader`, which streams.
 * @throws {TraceParseError} naming the line of the first malformed one.
 */
export function parseAscText(text: string, location: SourceLocation = {}): CanFrame[] {
  const parser = new AscParser();
  const frames: CanFrame[] = [];
  text.split('\n').forEach((raw, index) => {
    try {
      const f = parser.parse(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
      if (f) frames.push(f);
    } catch (err) {
      if (err instanceof LineSyntaxError) throw new TraceParseError({ ...location, line: index + 1, column: err.column }, err.detail, { cause: err });
      throw err;
    }
  });
  return frames;
}
