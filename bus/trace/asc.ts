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
 * epoch seconds), `Begin Triggerblock DATE` overrides it (an unreadable `date` is an error only if no
 * Triggerblock date follows before the first event: python-can 4.1's writer strips the microseconds
 * past the millisecond with a string replace that also cuts those digits wherever else they occur, the
 * year or the milliseconds, so about one `date` line in 300 is unreadable; its Triggerblock date is sound), `base hex|dec` selects the number base of
 * ids, DLCs and data, and `timestamps relative` makes each time a delta from the previous event.
 * Other event lines (statistics, status, J1939TP, markers) carry no frame and are passed over.
 *
 * Vector logs classic frames on CAN FD channels as CANFD lines too; their FLAGS lack EDL, and they are
 * read as classic frames (python-can 4.1 calls every CANFD line an FD frame).
 */
import type { CanFrame } from '../frame.js';
import { quoteInput, TraceParseError, type SourceLocation } from '../errors.js';
import { ByteSlab, NO_DATA } from './byte-slab.js';
import { channelFromNumber } from './channel.js';
import { charsOf, EXACT_LIMIT, parseDecimalSeconds, parseDecInt, parseHexInt, POW10, quoteChars, textOf, type Chars } from './chars.js';
import { frameOf } from './frame-of.js';
import { HEX_VALUE } from './hex.js';
import type { LineParser } from './line-reader.js';
import { LineSyntaxError } from './types.js';
import { parseVectorDate } from './vector-date.js';

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
const MAX_TOKENS = 256;

function lowerEquals(c: Chars, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (((c[start + i] as number) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

// The one-line string entry points share one small slab (regions are never reused, so that is safe).
const stringSlab = new ByteSlab(4096);

/**
 * A stateful ASC line parser: the header lines before the frames change how frames read.
 * Token positions are indices into the characters passed in; columns in errors count from the line's start.
 */
export class AscParser implements LineParser {
  #hex = true;
  #relative = false;
  #start = 0;
  #last = 0;
  /** An unreadable `date` line, fatal only if no Triggerblock date replaces it before the first event. */
  #badDate: string | undefined;
  // Token boundaries of the current line, reused across lines so parsing allocates only the frame.
  readonly #ts = new Int32Array(MAX_TOKENS);
  readonly #te = new Int32Array(MAX_TOKENS);
  #n = 0;
  // The current line: its characters and where it starts (for columns).
  #c: Chars = new Uint8Array(0);
  #ls = 0;
  readonly #fastPath: boolean;

  /**
   * @param options.fastPath - read classic frame lines in one pass (default); false reads every line
   *   through the general tokenizer, which exists to cross-check the fast path.
   */
  constructor(options: { fastPath?: boolean } = {}) {
    this.#fastPath = options.fastPath ?? true;
  }

  /** Absolute start (epoch seconds) from the header, or 0 when the file records none. */
  get start(): number {
    return this.#start;
  }

  /**
   * Parses one line (without its newline): a frame, or null for header, event and blank lines.
   * @throws {LineSyntaxError} for a malformed line.
   */
  parse(line: string): CanFrame | null {
    return this.parseLine(charsOf(line), 0, line.length, stringSlab);
  }

  /**
   * A last line that begins with a time is an event line (frames are events); header and footer
   * lines (`date`, `base`, `End TriggerBlock`, comments) begin with a word.
   */
  isCutShort(c: Chars, start: number, end: number): boolean {
    let i = start;
    while (i < end && (c[i] === 32 || c[i] === 9)) i++;
    const first = i < end ? (c[i] as number) : 0;
    return first >= 48 && first <= 57;
  }

  parseLine(c: Chars, start: number, end: number, slab: ByteSlab): CanFrame | null {
    if (this.#fastPath && this.#hex) {
      const frame = this.#fastClassic(c, start, end, slab);
      if (frame !== undefined) return frame;
    }
    this.#c = c;
    this.#ls = start;
    this.#tokenize(c, start, end);
    if (this.#n === 0) return null;
    const t0 = this.#ts[0] as number;
    const c0 = c[t0] as number;
    if (c0 >= 48 && c0 <= 57) return this.#event(slab);
    if (c0 === 47 && (this.#te[0] as number) > t0 + 1 && c[t0 + 1] === 47) return null; // comment
    if (this.#is(0, 'date')) {
      const text = textOf(c, this.#te[0] as number, end).trim();
      const t = parseVectorDate(text);
      if (t === undefined) this.#badDate = text;
      else this.#start = t;
      return null;
    }
    if (this.#is(0, 'base')) {
      if (this.#is(1, 'hex')) this.#hex = true;
      else if (this.#is(1, 'dec')) this.#hex = false;
      else throw new LineSyntaxError('"base" must be hex or dec');
      if (this.#is(2, 'timestamps')) this.#relative = this.#is(3, 'relative');
      return null;
    }
    if (this.#is(0, 'begin') && this.#is(1, 'triggerblock')) {
      const t = this.#n > 2 ? parseVectorDate(textOf(c, this.#ts[2] as number, end)) : undefined;
      if (t !== undefined) {
        this.#start = t;
        this.#badDate = undefined;
      }
      this.#last = 0;
      return null;
    }
    if (this.#is(0, 'end') && this.#is(1, 'triggerblock')) return null;
    if (this.#is(0, 'internal') || (this.#is(0, 'no') && this.#is(1, 'internal'))) return null;
    throw new LineSyntaxError(`not an ASC line: ${quoteChars(c, this.#ts[0] as number, this.#te[this.#n - 1] as number)}`, this.#col(0));
  }

  /**
   * One pass over a classic frame line as python-can and CANoe write it in hex base
   * (`TIME CH ID[x] Rx|Tx d DLC HH HH ...`, anything after the data ignored). Any other line, and
   * anything unusual (a data byte not written as two digits, a DLC above 15, error frames, remote
   * frames) returns undefined before any state changes, and goes to the general path, which reads
   * what this accepts identically (test/bus/trace/asc.test.ts compares the two).
   */
  #fastClassic(c: Chars, ls: number, le: number, slab: ByteSlab): CanFrame | undefined {
    let i = ls;
    let x = i < le ? (c[i] as number) : 0;
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    // Time: a digit first (the general path sends lines starting otherwise elsewhere), at most one dot.
    if (x < 48 || x > 57) return undefined;
    const t0 = i;
    let mantissa = 0;
    let fraction = -1;
    for (; i < le; i++) {
      x = c[i] as number;
      if (x === 46) {
        if (fraction >= 0) return undefined;
        fraction = 0;
        continue;
      }
      const d = x - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      if (fraction >= 0) fraction++;
    }
    const digits = i - t0 - (fraction >= 0 ? 1 : 0);
    if (i === le || (x !== 32 && x !== 9) || digits === 0 || mantissa >= EXACT_LIMIT || fraction > 22) return undefined;
    const t = fraction <= 0 ? mantissa : mantissa / (POW10[fraction] as number);
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    if (x === 67 /* C */) return this.#fastFd(c, i, le, t, slab);
    // Channel number: at most 15 digits, as parseDecInt.
    i = this.#fastChannel(c, i, le);
    if (i < 0) return undefined;
    const ch = this.#fastCh;
    x = i < le ? (c[i] as number) : 0;
    // Id: hex digits, `x` for 29-bit.
    i = this.#fastId(c, i, le);
    if (i < 0) return undefined;
    const id = this.#idAt;
    const extended = this.#idExtended;
    x = i < le ? (c[i] as number) : 0;
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    // Direction, then `d`, each a token of its own.
    i = this.#fastDirection(c, i, le);
    if (i < 0) return undefined;
    const tx = this.#fastTx;
    x = i < le ? (c[i] as number) : 0;
    if (i + 2 >= le || (x | 0x20) !== 0x64 || (c[i + 1] !== 32 && c[i + 1] !== 9)) return undefined;
    x = c[++i] as number;
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    // DLC: one hex digit (0..f); data: that many bytes up to 8, two digits each.
    const dlc = x < 128 ? (HEX_VALUE[x] as number) : -1;
    if (dlc < 0) return undefined;
    x = ++i < le ? (c[i] as number) : 0;
    if (i < le && x !== 32 && x !== 9) return undefined;
    const count = dlc < 8 ? dlc : 8;
    if (this.#fastData(c, i, le, count, slab) < 0) return undefined;
    return frameOf(this.#time(t), channelFromNumber(ch), id, extended, false, false, false, false, false, dlc, slab.take(count), tx);
  }

  /**
   * `count` data bytes of two hex digits each, after blanks, from `c[i]` into the slab (not yet taken);
   * the index past the last, or -1 for anything else.
   */
  #fastData(c: Chars, i: number, le: number, count: number, slab: ByteSlab): number {
    const out = slab.room(count);
    const o = slab.offset;
    let x = i < le ? (c[i] as number) : 0;
    for (let k = 0; k < count; k++) {
      while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
      if (i + 1 >= le) return -1;
      const hi = x < 128 ? (HEX_VALUE[x] as number) : -1;
      const b = c[i + 1] as number;
      const lo = b < 128 ? (HEX_VALUE[b] as number) : -1;
      i += 2;
      x = i < le ? (c[i] as number) : 0;
      if ((hi | lo) < 0 || (i < le && x !== 32 && x !== 9)) return -1;
      out[o + k] = (hi << 4) | lo;
    }
    return i;
  }

  #fastCh = 0;
  #fastTx = false;

  /** `Rx` or `Tx` (any case) at `c[i]`, a token of its own, into `#fastTx`; the index past its blanks, or -1. */
  #fastDirection(c: Chars, i: number, le: number): number {
    if (i + 2 >= le) return -1;
    const dir = (c[i] as number) | 0x20;
    const after = c[i + 2] as number;
    if ((dir !== 0x72 && dir !== 0x74) || ((c[i + 1] as number) | 0x20) !== 0x78 || (after !== 32 && after !== 9)) return -1;
    i += 3;
    while (i < le && (c[i] === 32 || c[i] === 9)) i++;
    this.#fastTx = dir === 0x74;
    return i;
  }

  /** A channel number at `c[i]` (at most 15 digits, as parseDecInt) into `#fastCh`; the index past its blanks, or -1. */
  #fastChannel(c: Chars, i: number, le: number): number {
    const start = i;
    let ch = 0;
    let x = 0;
    for (; i < le; i++) {
      x = c[i] as number;
      const d = x - 48;
      if (d < 0 || d > 9) break;
      ch = ch * 10 + d;
    }
    if (i === start || i - start > 15 || (x !== 32 && x !== 9)) return -1;
    while (i < le && (c[i] === 32 || c[i] === 9)) i++;
    this.#fastCh = ch;
    return i;
  }

  /** A hex id at `c[i]`, `x` for 29-bit, into `#idAt` and `#idExtended`; the index past its blanks, or -1. */
  #fastId(c: Chars, i: number, le: number): number {
    const start = i;
    let id = 0;
    let x = 0;
    for (; i < le; i++) {
      x = c[i] as number;
      const h = x < 128 ? (HEX_VALUE[x] as number) : -1;
      if (h < 0) break;
      id = id * 16 + h;
    }
    const digits = i - start;
    const extended = (x | 0x20) === 0x78;
    if (extended) x = ++i < le ? (c[i] as number) : 0;
    if (i >= le || digits === 0 || digits > 8 || (x !== 32 && x !== 9) || id > (extended ? 0x1fffffff : 0x7ff)) return -1;
    while (i < le && (c[i] === 32 || c[i] === 9)) i++;
    this.#idAt = id;
    this.#idExtended = extended;
    return i;
  }

  /**
   * The rest of a CANFD line as python-can and CANoe write it (`CANFD CH Rx|Tx ID[x] BRS ESI DLC LEN
   * HH ... DUR BITS FLAGS ...`) from `c[i]`, the time `t` already read; one pass, no tokens. A symbolic
   * name, a missing FLAGS column, a DLC or data byte written otherwise, a mismatched length or an
   * error frame return undefined before any state changes, for the general path (which reads what
   * this accepts identically: test/bus/trace/asc.test.ts compares the two).
   */
  #fastFd(c: Chars, i: number, le: number, t: number, slab: ByteSlab): CanFrame | undefined {
    if (i + 5 >= le || c[i + 1] !== 65 || c[i + 2] !== 78 || c[i + 3] !== 70 || c[i + 4] !== 68) return undefined; // ANFD
    i += 5;
    let x = c[i] as number;
    if (x !== 32 && x !== 9) return undefined;
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    i = this.#fastChannel(c, i, le);
    if (i < 0) return undefined;
    const ch = this.#fastCh;
    i = this.#fastDirection(c, i, le);
    if (i < 0) return undefined;
    const tx = this.#fastTx;
    x = i < le ? (c[i] as number) : 0;
    i = this.#fastId(c, i, le);
    if (i < 0) return undefined;
    const id = this.#idAt;
    const extended = this.#idExtended;
    x = i < le ? (c[i] as number) : 0;
    // BRS and ESI, each a lone 0 or 1; then the DLC, one hex digit, and the length, one or two digits.
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    if (i + 1 >= le || (x | 1) !== 49 || (c[i + 1] !== 32 && c[i + 1] !== 9)) return undefined;
    const brsCol = x === 49;
    x = c[++i] as number;
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    if (i + 1 >= le || (x | 1) !== 49 || (c[i + 1] !== 32 && c[i + 1] !== 9)) return undefined;
    const esiCol = x === 49;
    x = c[++i] as number;
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    const dlc = x < 128 ? (HEX_VALUE[x] as number) : -1;
    if (dlc < 0 || i + 1 >= le || (c[i + 1] !== 32 && c[i + 1] !== 9)) return undefined;
    x = c[++i] as number;
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    const lenStart = i;
    let length = 0;
    for (; i < le; i++) {
      x = c[i] as number;
      const d = x - 48;
      if (d < 0 || d > 9) break;
      length = length * 10 + d;
    }
    if (i === lenStart || i - lenStart > 2 || length > 64 || (x !== 32 && x !== 9)) return undefined;
    i = this.#fastData(c, i, le, length, slab);
    if (i < 0) return undefined;
    x = i < le ? (c[i] as number) : 0;
    // Duration and bit count pass; FLAGS is hex, at most 8 digits.
    for (let skip = 0; skip < 2; skip++) {
      while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
      while (x !== 32 && x !== 9 && i < le) x = ++i < le ? (c[i] as number) : 0;
    }
    while (x === 32 || x === 9) x = ++i < le ? (c[i] as number) : 0;
    const flagsStart = i;
    let flags = 0;
    for (; i < le; i++) {
      x = c[i] as number;
      const h = x < 128 ? (HEX_VALUE[x] as number) : -1;
      if (h < 0) break;
      flags = flags * 16 + h;
    }
    if (i === flagsStart || i - flagsStart > 8 || (i < le && x !== 32 && x !== 9)) return undefined;
    const fd = (flags & 0x1000) !== 0 || length > 8 || dlc > 8;
    if (fd) {
      if (FD_LENGTHS[dlc] !== length) return undefined;
      return frameOf(this.#time(t), channelFromNumber(ch), id, extended, true, brsCol || (flags & 0x2000) !== 0, esiCol || (flags & 0x4000) !== 0, false, false, dlc, slab.take(length), tx);
    }
    const rtr = length === 0 && (dlc > 0 || (flags & 0x10) !== 0);
    if (!rtr && length !== Math.min(dlc, 8)) return undefined;
    return frameOf(this.#time(t), channelFromNumber(ch), id, extended, false, false, false, rtr, false, dlc, slab.take(length), tx);
  }

  #tokenize(c: Chars, start: number, end: number): void {
    const ts = this.#ts;
    const te = this.#te;
    let n = 0;
    let i = start;
    while (i < end && n < MAX_TOKENS) {
      let x = c[i] as number;
      while (x === 32 || x === 9) x = ++i < end ? (c[i] as number) : -1;
      if (i >= end) break;
      ts[n] = i;
      while (x !== 32 && x !== 9 && x !== -1) x = ++i < end ? (c[i] as number) : -1;
      te[n++] = i;
    }
    this.#n = n;
  }

  /** 1-based column of token k (of the line's start when there is no such token). */
  #col(k: number): number {
    return (k < this.#n ? (this.#ts[k] as number) : this.#ls) - this.#ls + 1;
  }

  #quoted(k: number): string {
    return quoteChars(this.#c, this.#ts[k] as number, this.#te[k] as number);
  }

  #is(k: number, word: string): boolean {
    return k < this.#n && lowerEquals(this.#c, this.#ts[k] as number, this.#te[k] as number, word);
  }

  #int(k: number): number {
    return this.#hex ? parseHexInt(this.#c, this.#ts[k] as number, this.#te[k] as number) : parseDecInt(this.#c, this.#ts[k] as number, this.#te[k] as number);
  }

  #num(k: number, what: string): number {
    if (k >= this.#n) throw new LineSyntaxError(`missing ${what}`);
    const v = this.#int(k);
    if (v < 0) throw new LineSyntaxError(`${this.#quoted(k)} is not a ${this.#hex ? 'hex' : 'decimal'} ${what}`, this.#col(k));
    return v;
  }

  #idAt = 0;
  #idExtended = false;

  /** Reads the id of token k into `#idAt` and `#idExtended` (no object per frame). */
  #id(k: number): void {
    if (k >= this.#n) throw new LineSyntaxError('missing id');
    const c = this.#c;
    const s = this.#ts[k] as number;
    let e = this.#te[k] as number;
    const extended = ((c[e - 1] as number) | 0x20) === 0x78; /* x */
    if (extended) e--;
    const id = this.#hex ? parseHexInt(c, s, e) : parseDecInt(c, s, e);
    if (id < 0 || id > (extended ? 0x1fffffff : 0x7ff)) throw new LineSyntaxError(`${this.#quoted(k)} is not a CAN id`, this.#col(k));
    this.#idAt = id;
    this.#idExtended = extended;
  }

  #data(k: number, count: number, slab: ByteSlab): Uint8Array {
    if (k + count > this.#n) throw new LineSyntaxError(`expected ${count} data bytes, found ${Math.max(0, this.#n - k)}`);
    const c = this.#c;
    const ts = this.#ts;
    const te = this.#te;
    const hex = this.#hex;
    const out = slab.room(count);
    const o = slab.offset;
    for (let i = 0; i < count; i++) {
      const s = ts[k + i] as number;
      let v = -1;
      if (hex && te[k + i] === s + 2) {
        // The usual two hex digits, without the general loop.
        const a = c[s] as number;
        const b = c[s + 1] as number;
        const hi = a < 128 ? (HEX_VALUE[a] as number) : -1;
        const lo = b < 128 ? (HEX_VALUE[b] as number) : -1;
        if ((hi | lo) >= 0) v = (hi << 4) | lo;
      } else {
        v = this.#int(k + i);
      }
      if (v < 0 || v > 255) throw new LineSyntaxError(`${this.#quoted(k + i)} is not a data byte`, this.#col(k + i));
      out[o + i] = v;
    }
    return slab.take(count);
  }

  #time(value: number): number {
    if (this.#badDate !== undefined) throw new LineSyntaxError(`unreadable date ${quoteInput(this.#badDate)} in the header, and no Begin Triggerblock date to take the start from`);
    if (this.#relative) {
      this.#last += value;
      return this.#start + this.#last;
    }
    return this.#start + value;
  }

  #event(slab: ByteSlab): CanFrame | null {
    const c = this.#c;
    const t = parseDecimalSeconds(c, this.#ts[0] as number, this.#te[0] as number);
    if (Number.isNaN(t)) throw new LineSyntaxError(`${this.#quoted(0)} is not a timestamp`, this.#col(0));
    if (this.#n < 3) return null;
    if (this.#is(1, 'canfd')) return this.#fdFrame(this.#time(t), slab);
    const ch = parseDecInt(c, this.#ts[1] as number, this.#te[1] as number);
    if (ch < 0) {
      this.#time(t);
      return null; // "CAN 1 Status:...", "SV:", "Start of measurement" and the like
    }
    const timestamp = this.#time(t);
    const channel = channelFromNumber(ch);
    if (this.#is(2, 'errorframe')) {
      return { timestamp, channel, id: 0, extended: false, fd: false, brs: false, esi: false, rtr: false, error: true, dlc: 0, data: NO_DATA };
    }
    const rx = this.#is(3, 'rx');
    if (!rx && !this.#is(3, 'tx')) return null; // statistics, J1939TP and other events
    this.#id(2);
    const id = this.#idAt;
    const extended = this.#idExtended;
    const oneChar = this.#n > 4 && this.#te[4] === (this.#ts[4] as number) + 1;
    const kind = this.#n > 4 ? (c[this.#ts[4] as number] as number) | 0x20 : 0;
    const tx = !rx;
    if (kind === 0x72 /* r */ && oneChar) {
      let dlc = 0;
      if (this.#n > 5) {
        const v = this.#int(5);
        if (v >= 0 && v <= 15) dlc = v;
      }
      return frameOf(timestamp, channel, id, extended, false, false, false, true, false, dlc, NO_DATA, tx);
    }
    if (kind !== 0x64 /* d */ || !oneChar) throw new LineSyntaxError('expected "d" or "r" after the direction', this.#col(4));
    const dlc = this.#num(5, 'DLC');
    if (dlc > 15) throw new LineSyntaxError(`DLC ${dlc} is not a code 0..15`, this.#col(5));
    const data = this.#data(6, Math.min(dlc, 8), slab);
    return frameOf(timestamp, channel, id, extended, false, false, false, false, false, dlc, data, tx);
  }

  /** A BRS or ESI column: a lone 0 or 1. */
  #isFlag(k: number): boolean {
    return k < this.#n && this.#te[k] === (this.#ts[k] as number) + 1 && ((this.#c[this.#ts[k] as number] as number) | 1) === 49;
  }

  #fdFrame(timestamp: number, slab: ByteSlab): CanFrame {
    const c = this.#c;
    const ch = this.#n > 2 ? parseDecInt(c, this.#ts[2] as number, this.#te[2] as number) : -1;
    if (ch < 0) throw new LineSyntaxError('CANFD line without a channel number');
    const channel = channelFromNumber(ch);
    const rx = this.#is(3, 'rx');
    if (!rx && !this.#is(3, 'tx')) throw new LineSyntaxError('CANFD line without Rx or Tx', this.#col(3));
    const tx = !rx;
    if (this.#is(4, 'errorframe')) {
      return frameOf(timestamp, channel, 0, false, false, false, false, false, true, 0, NO_DATA, tx);
    }
    this.#id(4);
    const id = this.#idAt;
    const extended = this.#idExtended;
    // A symbolic name may sit between the id and the BRS flag; BRS is a lone 0 or 1.
    let k = 5;
    if (!(this.#isFlag(k) && this.#isFlag(k + 1))) k++;
    if (!this.#isFlag(k) || !this.#isFlag(k + 1)) throw new LineSyntaxError('expected BRS and ESI flags (0 or 1)', this.#col(k));
    const brsCol = c[this.#ts[k] as number] === 49;
    const esiCol = c[this.#ts[k + 1] as number] === 49;
    const dlc = k + 2 < this.#n ? parseHexInt(c, this.#ts[k + 2] as number, this.#te[k + 2] as number) : -1;
    if (dlc < 0 || dlc > 15) throw new LineSyntaxError('expected a DLC code 0..f', this.#col(k + 2));
    const length = k + 3 < this.#n ? parseDecInt(c, this.#ts[k + 3] as number, this.#te[k + 3] as number) : -1;
    if (length < 0 || length > 64) throw new LineSyntaxError('expected a data length 0..64', this.#col(k + 3));
    const data = this.#data(k + 4, length, slab);
    const flagsAt = k + 4 + length + 2;
    const flags = flagsAt < this.#n ? parseHexInt(c, this.#ts[flagsAt] as number, this.#te[flagsAt] as number) : -1;
    const fd = flags >= 0 ? (flags & 0x1000) !== 0 || length > 8 || dlc > 8 : !(length === 0 && dlc > 0);
    if (fd) {
      if (FD_LENGTHS[dlc] !== length) throw new LineSyntaxError(`DLC ${dlc.toString(16)} means ${FD_LENGTHS[dlc]} bytes, not ${length}`, this.#col(k + 2));
      const brs = brsCol || (flags >= 0 && (flags & 0x2000) !== 0);
      const esi = esiCol || (flags >= 0 && (flags & 0x4000) !== 0);
      return frameOf(timestamp, channel, id, extended, true, brs, esi, false, false, dlc, data, tx);
    }
    const rtr = length === 0 && (dlc > 0 || (flags >= 0 && (flags & 0x10) !== 0));
    if (!rtr && length !== Math.min(dlc, 8)) throw new LineSyntaxError(`DLC ${dlc} does not match the data length ${length}`, this.#col(k + 2));
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
