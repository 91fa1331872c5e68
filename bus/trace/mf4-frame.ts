/**
 * A CAN frame from one bus-logging record: the fields the channel group has (BusChannel, ID, IDE, DLC,
 * DataLength, Dir, EDL, BRS, ESI), read where its layout says, and the payload found elsewhere.
 * Where the fields disagree the reading follows what the bus can carry: a classic frame holds at most
 * 8 bytes, an FD frame a valid FD length (rounded down to one), a remote frame none.
 */
import type { CanFrame } from '../frame.js';
import { NO_DATA } from './byte-slab.js';
import { channelFromNumber } from './channel.js';
import { frameOf } from './frame-of.js';
import { fieldReader } from './mf4-fields.js';
import type { CanGroupLayout, FieldName } from './mf4-layout.js';

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

/** The fields of a record that do not depend on where its payload is. */
export interface FrameHead {
  readonly timestamp: number;
  readonly channel: string;
  readonly id: number;
  readonly extended: boolean;
  readonly tx: boolean;
  readonly edl: boolean;
  readonly brs: boolean;
  readonly esi: boolean;
  readonly dlc: number | undefined;
  readonly dataLength: number | undefined;
}

type Reader = ((buf: Buffer, rec: number) => number) | undefined;

/** The field readers of one CAN channel group, compiled once. */
export class FrameHeadReader {
  readonly #busChannel: Reader;
  readonly #id: Reader;
  readonly #ide: Reader;
  readonly #dir: Reader;
  readonly #edl: Reader;
  readonly #brs: Reader;
  readonly #esi: Reader;
  readonly #dlc: Reader;
  readonly #dataLength: Reader;

  constructor(g: CanGroupLayout) {
    const r = (name: FieldName): Reader => {
      const f = g.fields[name];
      return f === undefined ? undefined : fieldReader(f);
    };
    this.#busChannel = r('BusChannel');
    this.#id = r('ID');
    this.#ide = r('IDE');
    this.#dir = r('Dir');
    this.#edl = r('EDL');
    this.#brs = r('BRS');
    this.#esi = r('ESI');
    this.#dlc = r('DLC');
    this.#dataLength = r('DataLength');
  }

  read(buf: Buffer, rec: number, timestamp: number): FrameHead {
    const id = this.#id === undefined ? 0 : this.#id(buf, rec) % 0x20000000;
    const bus = this.#busChannel === undefined ? 1 : this.#busChannel(buf, rec);
    return {
      timestamp,
      channel: channelFromNumber(Math.max(1, Math.min(bus, 1 << 16))),
      id,
      extended: (this.#ide !== undefined && this.#ide(buf, rec) === 1) || id > 0x7ff,
      tx: this.#dir !== undefined && this.#dir(buf, rec) === 1,
      edl: this.#edl !== undefined && this.#edl(buf, rec) === 1,
      brs: this.#brs !== undefined && this.#brs(buf, rec) === 1,
      esi: this.#esi !== undefined && this.#esi(buf, rec) === 1,
      dlc: this.#dlc?.(buf, rec),
      dataLength: this.#dataLength?.(buf, rec),
    };
  }
}

/** The frame of `head` with the payload bytes `bytes` (all the record had; fewer are taken when its lengths say so). */
export function frameFrom(kind: CanGroupLayout['kind'], h: FrameHead, bytes: Uint8Array): CanFrame {
  const dlcField = h.dlc === undefined ? undefined : Math.min(h.dlc, 15);
  if (kind === 'remote') {
    return frameOf(h.timestamp, h.channel, h.id, h.extended, false, false, false, true, false, dlcField ?? Math.min(h.dataLength ?? 0, 15), NO_DATA, h.tx);
  }
  if (kind === 'error') {
    const n = Math.min(bytes.length, 8, h.dataLength ?? 8);
    return frameOf(h.timestamp, h.channel, h.id, h.extended, false, false, false, false, true, n, n === 0 ? NO_DATA : view(bytes, n), h.tx);
  }
  if (h.edl) {
    const wanted = h.dataLength ?? FD_LENGTHS[dlcField ?? 0] ?? 0;
    let n = Math.min(bytes.length, 64, wanted);
    while (!FD_LENGTHS.includes(n)) n--;
    return frameOf(h.timestamp, h.channel, h.id, h.extended, true, h.brs, h.esi, false, false, FD_LENGTHS.indexOf(n), n === 0 ? NO_DATA : view(bytes, n), h.tx);
  }
  const n = Math.min(bytes.length, 8, h.dataLength ?? Math.min(dlcField ?? 8, 8));
  const dlc = dlcField !== undefined && dlcField > 8 && n === 8 ? dlcField : n;
  return frameOf(h.timestamp, h.channel, h.id, h.extended, false, false, false, false, false, dlc, n === 0 ? NO_DATA : view(bytes, n), h.tx);
}

function view(bytes: Uint8Array, n: number): Uint8Array {
  return n === bytes.length ? bytes : bytes.subarray(0, n);
}
