/**
 * Walking one data group's records in file order: each starts with its record id (0 to 8 bytes), then
 * either the fixed record of its channel group or, for a variable-length (VLSD) group, a u32 length and
 * that many bytes. CAN groups' records become frames; every other group's records are stepped over.
 * A frame whose DataBytes live in a VLSD group waits (in order) until that record comes, as loggers
 * write it just after; one whose DataBytes are in a signal data stream reads them there.
 */
import type { CanFrame } from '../frame.js';
import { Mf4Error } from './mf4-block.js';
import { fieldReader, readField } from './mf4-fields.js';
import { FrameHeadReader, frameFrom, type FrameHead } from './mf4-frame.js';
import type { CanGroupLayout, ChannelGroupLayout, DataBytesLayout, DataGroupLayout } from './mf4-layout.js';
import type { DataStream } from './mf4-stream.js';

/** Largest VLSD record taken for a frame's DataBytes (a CAN FD frame needs 64). */
const MAX_PAYLOAD_BYTES = 1 << 16;
/** Frames waiting for their DataBytes, and DataBytes waiting for their frame, at most. */
const MAX_WAITING = 1 << 16;

interface Waiting {
  readonly group: CanGroupLayout;
  readonly head: FrameHead;
  readonly key: number;
  frame: CanFrame | undefined;
}

export interface CutReport {
  /** Bytes after the last whole record. */
  readonly trailingBytes: number;
  /** Frames whose DataBytes never came. */
  readonly framesWithoutData: number;
}

export class DataGroupRecords {
  readonly #dg: DataGroupLayout;
  readonly #stream: DataStream;
  readonly #signalData: ReadonlyMap<CanGroupLayout, DataStream>;
  #pos = 0;
  // Per record id: counts and VLSD stream positions in arrays for the small ids loggers use, maps beyond.
  readonly #smallCounts = new Float64Array(256);
  readonly #largeCounts = new Map<number, number>();
  readonly #vlsdPos = new Map<number, number>();
  readonly #smallVlsdPos = new Float64Array(256);
  /** VLSD group record ids that carry DataBytes of a CAN group. */
  readonly #payloadGroups = new Set<number>();
  /** Where `next()` puts ready frames; a frame ready with nothing queued before it goes straight there. */
  #out: CanFrame[] = [];
  readonly #timeOf = new Map<CanGroupLayout, ((buf: Buffer, rec: number) => number) | undefined>();
  readonly #queue: Waiting[] = [];
  #queueHead = 0;
  readonly #waiting = new Map<number, Waiting>();
  readonly #early = new Map<number, Uint8Array>();
  #cut: CutReport | undefined;
  readonly #heads = new Map<CanGroupLayout, FrameHeadReader>();
  /** The frame waiting last, kept out of `#waiting`: its DataBytes record usually comes next. */
  #lastWaiting: Waiting | undefined;
  /** Channel groups by record id, for the small ids loggers use. */
  readonly #byId: Array<ChannelGroupLayout | undefined> = [];

  constructor(dg: DataGroupLayout, stream: DataStream, signalData: ReadonlyMap<CanGroupLayout, DataStream>, readonly start: number) {
    this.#dg = dg;
    this.#stream = stream;
    this.#signalData = signalData;
    for (const g of dg.groups.values()) {
      if (g.recordId < 256) this.#byId[g.recordId] = g;
      if (g.can !== undefined) {
        this.#heads.set(g.can, new FrameHeadReader(g.can));
        this.#timeOf.set(g.can, g.can.time.field === undefined ? undefined : fieldReader(g.can.time.field));
      }
      if (g.can?.dataBytes?.kind === 'vlsd') {
        const target = dg.groups.get(g.can.dataBytes.recordId);
        if (target === undefined || !target.vlsd) throw new Mf4Error(g.at, 'DataBytes link to a channel group that is not variable length');
        this.#payloadGroups.add(target.recordId);
      }
    }
  }

  get done(): boolean {
    return this.#pos >= this.#stream.length && this.#queueHead >= this.#queue.length;
  }

  /** Records per channel group record id, read so far. */
  get counts(): ReadonlyMap<number, number> {
    const all = new Map(this.#largeCounts);
    this.#smallCounts.forEach((n, id) => n > 0 && all.set(id, n));
    return all;
  }

  /** What the end of the data cut off, once `done` (undefined when nothing was). */
  get cut(): CutReport | undefined {
    return this.#cut;
  }

  /** Decodes records into `out` until it holds `limit` frames or the data end. */
  async next(out: CanFrame[], limit: number): Promise<void> {
    const stream = this.#stream;
    this.#out = out;
    const length = stream.length;
    const idSize = this.#dg.recordIdSize;
    let chunk = this.#pos < length ? await stream.chunkAt(this.#pos) : undefined;
    // Bytes from `pos` as a view into the current chunk when they lie in it (the common case: no promise).
    const inChunk = (pos: number, n: number): Buffer | undefined => {
      const c = chunk as { start: number; bytes: Buffer };
      return pos >= c.start && pos + n <= c.start + c.bytes.length ? c.bytes.subarray(pos - c.start, pos - c.start + n) : undefined;
    };
    // Bytes across chunks, joined; the chunk after them becomes current.
    const bytes = async (pos: number, n: number): Promise<Buffer> => {
      const b = await stream.bytes(pos, n);
      chunk = await stream.chunkAt(Math.min(pos + n, length - 1));
      return b;
    };
    while (out.length < limit && this.#pos < length) {
      const recAt = this.#pos;
      let c = chunk as { start: number; bytes: Buffer };
      if (recAt >= c.start + c.bytes.length || recAt < c.start) c = chunk = await stream.chunkAt(recAt);
      let buf = c.bytes;
      let at = recAt - c.start;
      if (idSize > 0 && at + idSize > buf.length) {
        if (recAt + idSize > length) return this.#end(length - recAt);
        buf = await bytes(recAt, idSize);
        at = 0;
      }
      const recordId = idSize === 0 ? (this.#dg.groups.keys().next().value as number) : readRecordId(buf, at, idSize);
      const group = recordId < 256 ? this.#byId[recordId] : this.#dg.groups.get(recordId);
      if (group === undefined) throw new Mf4Error(stream.fileOffset(recAt), `record id ${recordId} belongs to no channel group of the data group at byte ${this.#dg.at}`);
      const bodyAt = recAt + idSize;
      if (group.vlsd) {
        if (bodyAt + 4 > length) return this.#end(length - recAt);
        const rel = bodyAt - c.start;
        const len = rel >= 0 && rel + 4 <= c.bytes.length ? c.bytes.readUInt32LE(rel) : (await bytes(bodyAt, 4)).readUInt32LE(0);
        if (bodyAt + 4 + len > length) return this.#end(length - recAt);
        const small = recordId < 256;
        const vlsdAt = small ? (this.#smallVlsdPos[recordId] as number) : (this.#vlsdPos.get(recordId) ?? 0);
        if (small) this.#smallVlsdPos[recordId] = vlsdAt + 4 + len;
        else this.#vlsdPos.set(recordId, vlsdAt + 4 + len);
        this.#pos = bodyAt + 4 + len;
        this.#count(recordId);
        if (this.#payloadGroups.has(recordId)) {
          if (len > MAX_PAYLOAD_BYTES) throw new Mf4Error(stream.fileOffset(recAt), `VLSD record of ${len} bytes for DataBytes, more than the limit of ${MAX_PAYLOAD_BYTES}`);
          const cc = chunk as { start: number; bytes: Buffer };
          const from = bodyAt + 4 - cc.start;
          // A view of the chunk (never written again), cheaper than a Buffer's subarray.
          const payload = from >= 0 && from + len <= cc.bytes.length ? new Uint8Array(cc.bytes.buffer, cc.bytes.byteOffset + from, len) : await bytes(bodyAt + 4, len);
          this.#payload(recordId, vlsdAt, payload, recAt);
          if (this.#queueHead < this.#queue.length) this.#flush(out);
        }
        continue;
      }
      if (bodyAt + group.recordBytes > length) return this.#end(length - recAt);
      this.#pos = bodyAt + group.recordBytes;
      const index = this.#count(recordId);
      const can = group.can;
      if (can === undefined) continue;
      let rec = at + idSize;
      if (rec + group.recordBytes > buf.length) {
        buf = await bytes(bodyAt, group.recordBytes);
        rec = 0;
      }
      if (can.dataBytes?.kind === 'sd') await this.#signalRecord(can, buf, rec, index);
      else this.#record(can, buf, rec, index, recAt);
      if (this.#queueHead < this.#queue.length) this.#flush(out);
    }
    if (this.#pos >= length) this.#end(0);
    this.#flush(out);
  }

  #count(recordId: number): number {
    if (recordId < 256) {
      const small = this.#smallCounts[recordId] as number;
      this.#smallCounts[recordId] = small + 1;
      return small;
    }
    const n = this.#largeCounts.get(recordId) ?? 0;
    this.#largeCounts.set(recordId, n + 1);
    return n;
  }

  #head(can: CanGroupLayout, buf: Buffer, rec: number, index: number): FrameHead {
    const t = can.time;
    const time = this.#timeOf.get(can);
    const raw = time === undefined ? index : time(buf, rec);
    return (this.#heads.get(can) as FrameHeadReader).read(buf, rec, this.start + t.offset + t.factor * raw);
  }

  /** A record whose DataBytes are in a signal data stream. */
  async #signalRecord(can: CanGroupLayout, buf: Buffer, rec: number, index: number): Promise<void> {
    const db = can.dataBytes as Extract<DataBytesLayout, { kind: 'sd' }>;
    const head = this.#head(can, buf, rec, index);
    if (can.kind === 'remote') return this.#enqueue(can, head, new Uint8Array(0));
    this.#enqueue(can, head, await this.#signalBytes(can, readField(db.offsetField, buf, rec), db.at));
  }

  #record(can: CanGroupLayout, buf: Buffer, rec: number, index: number, recAt: number): void {
    const head = this.#head(can, buf, rec, index);
    const db = can.dataBytes;
    if (db === undefined || db.kind === 'sd' || can.kind === 'remote') return this.#enqueue(can, head, new Uint8Array(0));
    if (db.kind === 'fixed') return this.#enqueue(can, head, buf.subarray(rec + db.byteOffset, rec + db.byteOffset + db.length));
    const offset = readField(db.offsetField, buf, rec);
    const key = offset * 256 + (db.recordId % 256);
    const early = this.#early.get(key);
    if (early !== undefined) {
      this.#early.delete(key);
      return this.#enqueue(can, head, early);
    }
    if (this.#waiting.size >= MAX_WAITING) throw new Mf4Error(this.#stream.fileOffset(recAt), `more than ${MAX_WAITING} frames wait for their DataBytes (VLSD records missing)`);
    const w: Waiting = { group: can, head, key, frame: undefined };
    const last = this.#lastWaiting;
    if (last !== undefined) this.#waiting.set(last.key, last);
    this.#lastWaiting = w;
    this.#queue.push(w);
  }

  #enqueue(can: CanGroupLayout, head: FrameHead, bytes: Uint8Array): void {
    const frame = frameFrom(can.kind, head, bytes);
    if (this.#queueHead === this.#queue.length) this.#out.push(frame);
    else this.#queue.push({ group: can, head, key: -1, frame });
  }

  #payload(recordId: number, vlsdAt: number, bytes: Uint8Array, recAt: number): void {
    const key = vlsdAt * 256 + (recordId % 256);
    const last = this.#lastWaiting;
    if (last !== undefined && last.key === key) {
      this.#lastWaiting = undefined;
      const frame = frameFrom(last.group.kind, last.head, bytes);
      // Alone in the queue (the usual case): straight out.
      if (this.#queueHead === this.#queue.length - 1 && this.#queue[this.#queueHead] === last) {
        this.#out.push(frame);
        this.#queue.length = 0;
        this.#queueHead = 0;
      } else {
        last.frame = frame;
      }
      return;
    }
    const w = this.#waiting.get(key);
    if (w !== undefined) {
      this.#waiting.delete(key);
      w.frame = frameFrom(w.group.kind, w.head, bytes);
      return;
    }
    if (this.#early.size >= MAX_WAITING) throw new Mf4Error(this.#stream.fileOffset(recAt), `more than ${MAX_WAITING} VLSD records wait for the frame that refers to them`);
    this.#early.set(key, bytes);
  }

  async #signalBytes(can: CanGroupLayout, offset: number, at: number): Promise<Buffer> {
    const sd = this.#signalData.get(can) as DataStream;
    if (offset + 4 > sd.length) throw new Mf4Error(at, `DataBytes offset ${offset} lies beyond the ${sd.length} bytes of signal data`);
    const len = (await sd.bytes(offset, 4)).readUInt32LE(0);
    if (len > MAX_PAYLOAD_BYTES) throw new Mf4Error(sd.fileOffset(offset), `signal data record of ${len} bytes for DataBytes, more than the limit of ${MAX_PAYLOAD_BYTES}`);
    if (offset + 4 + len > sd.length) throw new Mf4Error(sd.fileOffset(offset), `signal data record of ${len} bytes runs past the end of the signal data`);
    return sd.bytes(offset + 4, len);
  }

  /** Hands over, in record order, the frames at the head of the queue that have their DataBytes. */
  #flush(out: CanFrame[]): void {
    const q = this.#queue;
    while (this.#queueHead < q.length) {
      const w = q[this.#queueHead] as Waiting;
      if (w.frame === undefined) {
        if (this.#pos < this.#stream.length) break;
        this.#queueHead++;
        continue;
      }
      out.push(w.frame);
      this.#queueHead++;
    }
    if (this.#queueHead > 4096 && this.#queueHead * 2 > q.length) {
      q.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
  }

  /** The data end here: `trailing` bytes of a record cut short; frames still waiting never got their DataBytes. */
  #end(trailing: number): void {
    this.#pos = this.#stream.length;
    const waiting = this.#waiting.size + (this.#lastWaiting === undefined ? 0 : 1);
    if (this.#cut === undefined && (trailing > 0 || waiting > 0)) {
      this.#cut = { trailingBytes: trailing, framesWithoutData: waiting };
    }
  }
}

function readRecordId(buf: Buffer, at: number, size: number): number {
  if (size === 1) return buf[at] as number;
  if (size === 2) return buf.readUInt16LE(at);
  if (size === 4) return buf.readUInt32LE(at);
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 4294967296;
}
