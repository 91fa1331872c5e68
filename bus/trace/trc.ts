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
import type { CanFrame } from '../frame.js';
import { channelFromNumber } from './channel.js';
import { parseDecimalSeconds } from './candump.js';
import { frameOf } from './frame-of.js';
import { parseDecInt, parseHexInt } from './hex.js';
import type { LineParser } from './line-reader.js';
import { LineSyntaxError } from './types.js';

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
const EMPTY = new Uint8Array(0);

/** OLE automation date (days since 1899-12-30, local wall clock) to epoch seconds. */
export function oleDateToEpoch(days: number): number {
  const naive = new Date(Math.round((days - 25569) * 86400000));
  const local = new Date(
    naive.getUTCFullYear(), naive.getUTCMonth(), naive.getUTCDate(),
    naive.getUTCHours(), naive.getUTCMinutes(), naive.getUTCSeconds(), naive.getUTCMilliseconds(),
  );
  return local.getTime() / 1000;
}

interface TrcRecord {
  time: string;
  type: string;
  bus?: string;
  id: string;
  dir?: string;
  dlc?: string;
  length?: string;
  data: string[];
}

/** A stateful TRC line parser: the `;$` header lines choose the column layout. */
export class TrcParser implements LineParser {
  #version = '1.1';
  #columns: string[] | undefined;
  #start = 0;

  parse(line: string): CanFrame | null {
    const trimmed = line.trim();
    if (trimmed === '') return null;
    if (trimmed.charCodeAt(0) === 59 /* ; */) {
      this.#header(trimmed);
      return null;
    }
    const tokens = trimmed.split(/\s+/);
    const record = this.#version.startsWith('2') ? this.#v2(tokens) : this.#v1(tokens);
    return record === null ? null : this.#frame(record);
  }

  #header(line: string): void {
    const eq = line.indexOf('=');
    if (!line.startsWith(';$') || eq < 0) return;
    const key = line.slice(2, eq).trim().toUpperCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'FILEVERSION') {
      if (!/^(1\.[0-3]|2\.[01])$/.test(value)) throw new LineSyntaxError(`unsupported TRC file version ${value}`);
      this.#version = value;
    } else if (key === 'STARTTIME') {
      const days = Number(value);
      if (!Number.isFinite(days) || value === '') throw new LineSyntaxError(`"${value}" is not a start time`);
      this.#start = oleDateToEpoch(days);
    } else if (key === 'COLUMNS') {
      this.#columns = value.split(',').map((c) => c.trim());
      if (!this.#columns.includes('O') || !this.#columns.includes('T')) throw new LineSyntaxError('$COLUMNS needs O (time) and T (type)');
    }
  }

  #v1(t: string[]): TrcRecord | null {
    const n = t[0] ?? '';
    if (!n.endsWith(')')) throw new LineSyntaxError(`expected a message number like "1)", not "${n}"`);
    if (this.#version === '1.0') return { time: t[1] ?? '', type: 'Rx', id: t[2] ?? '', dlc: t[3] ?? '', data: t.slice(4) };
    const hasBus = this.#version === '1.2' || this.#version === '1.3';
    let k = 2;
    const bus = hasBus ? t[k++] : undefined;
    const type = t[k++] ?? '';
    if (type === 'Warng') return null;
    const id = t[k++] ?? '';
    if (this.#version === '1.3') k++; // reserved
    const dlc = t[k++] ?? '';
    return { time: t[1] ?? '', type, ...(bus === undefined ? {} : { bus }), id, dlc, data: t.slice(k) };
  }

  #v2(t: string[]): TrcRecord | null {
    const cols = this.#columns ?? (this.#version === '2.0' ? ['N', 'O', 'T', 'I', 'd', 'l', 'D'] : ['N', 'O', 'T', 'B', 'I', 'd', 'R', 'L', 'D']);
    const typeAt = cols.indexOf('T');
    const type = t[typeAt] ?? '';
    if (type === 'ST' || type === 'EC' || type === 'EV') return null;
    const rec: TrcRecord = { time: '', type, id: '', data: [] };
    let k = 0;
    for (const c of cols) {
      if (c === 'D') {
        rec.data = t.slice(k);
        break;
      }
      const v = t[k++] ?? '';
      if (c === 'O') rec.time = v;
      else if (c === 'B') rec.bus = v;
      else if (c === 'I') rec.id = v;
      else if (c === 'd') rec.dir = v;
      else if (c === 'L') rec.dlc = v;
      else if (c === 'l') rec.length = v;
    }
    return rec;
  }

  #frame(r: TrcRecord): CanFrame {
    const ms = parseDecimalSeconds(r.time, 0, r.time.length);
    if (Number.isNaN(ms)) throw new LineSyntaxError(`"${r.time}" is not a time offset in ms`);
    const timestamp = this.#start + ms / 1000;
    let channel = 'can0';
    if (r.bus !== undefined && r.bus !== '-') {
      const bus = parseDecInt(r.bus, 0, r.bus.length);
      if (bus < 1) throw new LineSyntaxError(`"${r.bus}" is not a bus number`);
      channel = channelFromNumber(bus);
    }
    const tx = (r.dir ?? r.type) === 'Tx';
    if (r.type === 'ER' || r.type === 'Error') {
      return frameOf(timestamp, channel, 0, false, false, false, false, false, true, 0, EMPTY, tx);
    }
    const fd = r.type === 'FD' || r.type === 'FB' || r.type === 'FE' || r.type === 'BI';
    if (!fd && r.type !== 'DT' && r.type !== 'RR' && r.type !== 'Rx' && r.type !== 'Tx') throw new LineSyntaxError(`unknown message type "${r.type}"`);
    const rawId = parseHexInt(r.id, 0, r.id.length);
    const extended = r.id.length > 4;
    if (rawId < 0 || rawId > (extended ? 0x1fffffff : 0x7ff)) throw new LineSyntaxError(`"${r.id}" is not a CAN id`);
    let dlc = -1;
    if (r.dlc !== undefined) dlc = parseDecInt(r.dlc, 0, r.dlc.length);
    else if (r.length !== undefined) {
      const len = parseDecInt(r.length, 0, r.length.length);
      dlc = fd ? FD_LENGTHS.indexOf(len) : len;
    }
    if (dlc < 0 || dlc > 15) throw new LineSyntaxError(`"${r.dlc ?? r.length ?? ''}" is not a DLC`);
    const rtr = r.type === 'RR' || (r.data.length === 1 && r.data[0] === 'RTR');
    const count = rtr ? 0 : fd ? (FD_LENGTHS[dlc] as number) : Math.min(dlc, 8);
    if (r.data.length < count) throw new LineSyntaxError(`expected ${count} data bytes, found ${r.data.length}`);
    const data = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const b = r.data[i] as string;
      const v = b.length === 2 ? parseHexInt(b, 0, 2) : -1;
      if (v < 0) throw new LineSyntaxError(`"${b}" is not a hex data byte`);
      data[i] = v;
    }
    const brs = r.type === 'FB' || r.type === 'BI';
    const esi = r.type === 'FE' || r.type === 'BI';
    return frameOf(timestamp, channel, rawId, extended, fd, brs, esi, rtr, false, dlc, data, tx);
  }
}
