/**
 * ASAM MDF 4.11 bus-logging writing: one data group with a CAN_DataFrame, a CAN_RemoteFrame and a
 * CAN_ErrorFrame channel group, the payloads in variable-length (VLSD) channel groups beside them, as
 * CAN loggers write it. Metadata come first (their size is fixed); records follow in data blocks of
 * `blockBytes`, plain (DT) or deflated (DZ, optionally transposed), listed by a DL block when there are
 * several. Closing records the cycle counts and the data links. `unfinalized` writes what a logger
 * leaves when it stops mid-file: "UnFinMF ", no cycle counts, one DT block whose length says 0 bytes.
 */
import { deflateSync } from 'node:zlib';
import type { CanFrame } from '../frame.js';
import { openAtomic, type AtomicFile } from '../files/index.js';
import { commitAfter } from './atomic-end.js';
import { channelToNumber } from './channel.js';
import { BLOCK_HEADER_SIZE } from './mf4-block.js';
import { FLOAT_LE, UINT_LE } from './mf4-fields.js';
import { ID_BLOCK_SIZE } from './mf4-layout.js';
import { align8, BlockLayout, encodeBlock } from './mf4-write-blocks.js';
import type { TraceWriter } from './types.js';

export interface Mf4WriteOptions {
  /** Record bytes per data block (default 4 MiB); records may span blocks. */
  blockBytes?: number;
  compression?: 'none' | 'deflate' | 'transposed';
  /** List several data blocks under an HL block (default: a DL block alone). */
  headerList?: boolean;
  unfinalized?: boolean;
}

const DATA_ID = 1;
const DATA_VLSD_ID = 2;
const REMOTE_ID = 3;
const ERROR_ID = 4;
const ERROR_VLSD_ID = 5;
const FRAME_RECORD = 24;
const REMOTE_RECORD = 16;
/** Record bytes in a transposed DZ block are grouped by this many columns. */
const TRANSPOSE_COLUMNS = 1 + FRAME_RECORD;

interface Metadata {
  readonly bytes: Buffer;
  readonly dgAt: number;
  readonly cgAt: ReadonlyMap<number, number>;
}

/** The channel layout of a frame group: [name suffix, byte offset, bit offset, bits]. */
const FIELDS: ReadonlyArray<readonly [string, number, number, number]> = [
  ['IDE', 8, 0, 1], ['ID', 8, 3, 29], ['Dir', 12, 0, 1], ['DataLength', 12, 1, 7],
  ['EDL', 13, 0, 1], ['BRS', 13, 1, 1], ['ESI', 13, 2, 1], ['DLC', 13, 4, 4],
];

function channelData(type: number, sync: number, dataType: number, byteOffset: number, bitOffset: number, bits: number): Buffer {
  const d = Buffer.alloc(72);
  d[0] = type;
  d[1] = sync;
  d[2] = dataType;
  d[3] = bitOffset;
  d.writeUInt32LE(byteOffset, 4);
  d.writeUInt32LE(bits, 8);
  return d;
}

function groupData(recordId: number, flags: number, dataBytes: number): Buffer {
  const d = Buffer.alloc(32);
  d.writeBigUInt64LE(BigInt(recordId), 0);
  d.writeUInt16LE(flags, 16);
  d.writeUInt32LE(dataBytes, 24);
  return d;
}

function text(layout: BlockLayout, s: string): number {
  return layout.add('##TX', [], Buffer.from(`${s}\0`, 'utf8'));
}

function metadata(startNs: bigint, unfinalized: boolean): Metadata {
  const m = new BlockLayout(ID_BLOCK_SIZE);
  const hdData = Buffer.alloc(32);
  hdData.writeBigUInt64LE(startNs, 0);
  hdData[12] = 2; // time offsets valid: the start is UTC
  const hd = m.add('##HD', [0, 0, 0, 0, 0, 0], hdData);
  const dgData = Buffer.alloc(8);
  dgData[0] = 1;
  const dg = m.add('##DG', [0, 0, 0, 0], dgData);
  m.setLink(hd, 0, dg);
  const cgAt = new Map<number, number>();
  const groups: Array<[number, string, number, number]> = [
    [DATA_ID, 'CAN_DataFrame', FRAME_RECORD, DATA_VLSD_ID], [DATA_VLSD_ID, '', 0, 0],
    [REMOTE_ID, 'CAN_RemoteFrame', REMOTE_RECORD, 0],
    [ERROR_ID, 'CAN_ErrorFrame', FRAME_RECORD, ERROR_VLSD_ID], [ERROR_VLSD_ID, '', 0, 0],
  ];
  for (const [recordId, name, bytes] of groups) {
    const cg = m.add('##CG', [0, 0, name === '' ? 0 : text(m, name), 0, 0, 0], groupData(recordId, name === '' ? 1 : 6, bytes));
    const previous = [...cgAt.values()].at(-1);
    m.setLink(previous ?? dg, previous === undefined ? 1 : 0, cg);
    cgAt.set(recordId, cg);
  }
  for (const [recordId, name, bytes, vlsd] of groups) {
    if (name === '') continue;
    const time = m.add('##CN', [0, 0, text(m, 'Timestamp'), 0, 0, 0, 0, 0], channelData(2, 1, FLOAT_LE, 0, 0, 64));
    const frame = m.add('##CN', [0, 0, text(m, name), 0, 0, 0, 0, 0], channelData(0, 0, 10, 8, 0, (bytes - 8) * 8));
    m.setLink(time, 0, frame);
    m.setLink(cgAt.get(recordId) as number, 1, time);
    const children: number[] = FIELDS.map(([suffix, byteOffset, bitOffset, bits]) =>
      m.add('##CN', [0, 0, text(m, `${name}.${suffix}`), 0, 0, 0, 0, 0], channelData(0, 0, UINT_LE, byteOffset, bitOffset, bits)));
    children.push(m.add('##CN', [0, 0, text(m, `${name}.BusChannel`), 0, 0, 0, 0, 0], channelData(0, 0, UINT_LE, bytes - 2, 0, 16)));
    if (vlsd !== 0) {
      children.push(m.add('##CN', [0, 0, text(m, `${name}.DataBytes`), 0, 0, cgAt.get(vlsd) as number, 0, 0], channelData(1, 0, 10, 14, 0, 64)));
    }
    m.setLink(frame, 1, children[0] as number);
    children.slice(1).forEach((c, i) => m.setLink(children[i] as number, 0, c));
  }
  const id = Buffer.alloc(ID_BLOCK_SIZE);
  id.write(unfinalized ? 'UnFinMF ' : 'MDF     ', 0, 'latin1');
  id.write('4.11    ', 8, 'latin1');
  id.write('ecu-ai  ', 16, 'latin1');
  id.writeUInt16LE(411, 28);
  if (unfinalized) id.writeUInt16LE(0x25, 60);
  return { bytes: Buffer.concat([id, m.bytes()]), dgAt: dg, cgAt };
}

/**
 * Opens a temporary file for an MF4 file at `path`, which is only replaced when the writer closes.
 * @throws {Error} the file system error when the folder is not writable.
 */
export async function openMf4Writer(path: string, options: Mf4WriteOptions = {}): Promise<TraceWriter> {
  return new Mf4Writer(await openAtomic(path), options);
}

class Mf4Writer implements TraceWriter {
  #file: AtomicFile | undefined;
  readonly #options: Required<Mf4WriteOptions>;
  #start: number | undefined;
  #meta: Metadata | undefined;
  #filePos = 0;
  #buf: Buffer;
  #used = 0;
  readonly #blocks: Array<{ at: number; logical: number }> = [];
  #logical = 0;
  readonly #counts = new Map<number, number>();
  readonly #vlsdPos = new Map<number, number>();

  constructor(file: AtomicFile, options: Mf4WriteOptions) {
    this.#file = file;
    this.#options = { blockBytes: options.blockBytes ?? 4 << 20, compression: options.compression ?? 'none', headerList: options.headerList ?? false, unfinalized: options.unfinalized ?? false };
    this.#buf = Buffer.alloc(this.#options.blockBytes + 2 * (FRAME_RECORD + 80));
  }

  async write(f: CanFrame): Promise<void> {
    const file = this.#file;
    if (file === undefined) throw new Error('MF4 writer is closed');
    if (this.#meta === undefined) await this.#begin(Math.max(0, Math.floor(f.timestamp)));
    this.#encode(f);
    if (this.#used >= this.#options.blockBytes) await this.#flush();
  }

  /** Metadata for a recording starting at `start` (epoch seconds); an unfinalized file gets its one DT block now. */
  async #begin(start: number): Promise<Metadata> {
    this.#start = start;
    const meta = metadata(BigInt(start) * 1_000_000_000n, this.#options.unfinalized);
    this.#meta = meta;
    await (this.#file as AtomicFile).handle.write(meta.bytes, 0, meta.bytes.length, 0);
    this.#filePos = align8(meta.bytes.length);
    if (this.#options.unfinalized) {
      // The block's length stays that of an empty block, as a logger leaves it; records follow it directly.
      await this.#link(meta.dgAt, 2, this.#filePos);
      await this.#writeAt(encodeBlock('##DT', [], Buffer.alloc(0)), true);
    }
    return meta;
  }

  #encode(f: CanFrame): void {
    const b = this.#buf;
    let p = this.#used;
    const recordId = f.rtr ? REMOTE_ID : f.error ? ERROR_ID : DATA_ID;
    const size = f.rtr ? REMOTE_RECORD : FRAME_RECORD;
    b.fill(0, p, p + 1 + size);
    b[p] = recordId;
    const r = p + 1;
    b.writeDoubleLE(f.timestamp - (this.#start as number), r);
    b.writeUInt32LE(((f.id << 3) | (f.extended ? 1 : 0)) >>> 0, r + 8);
    b[r + 12] = (f.tx === true ? 1 : 0) | (f.data.length << 1);
    b[r + 13] = (f.fd ? 1 : 0) | (f.brs ? 2 : 0) | (f.esi ? 4 : 0) | ((f.dlc & 15) << 4);
    b.writeUInt16LE(Math.min(channelToNumber(f.channel), 0xffff), r + size - 2);
    this.#counts.set(recordId, (this.#counts.get(recordId) ?? 0) + 1);
    p = r + size;
    if (!f.rtr) {
      const vlsdId = f.error ? ERROR_VLSD_ID : DATA_VLSD_ID;
      const offset = this.#vlsdPos.get(vlsdId) ?? 0;
      b.writeBigUInt64LE(BigInt(offset), r + 14);
      b[p] = vlsdId;
      b.writeUInt32LE(f.data.length, p + 1);
      b.set(f.data, p + 5);
      p += 5 + f.data.length;
      this.#vlsdPos.set(vlsdId, offset + 4 + f.data.length);
      this.#counts.set(vlsdId, (this.#counts.get(vlsdId) ?? 0) + 1);
    }
    this.#used = p;
  }

  async #writeAt(bytes: Buffer, raw = false): Promise<number> {
    const at = this.#filePos;
    await (this.#file as AtomicFile).handle.write(bytes, 0, bytes.length, at);
    this.#filePos = raw ? at + bytes.length : align8(at + bytes.length);
    return at;
  }

  async #flush(): Promise<void> {
    if (this.#used === 0) return;
    const records = this.#buf.subarray(0, this.#used);
    if (this.#options.unfinalized) {
      await this.#writeAt(Buffer.from(records), true);
    } else {
      this.#blocks.push({ at: await this.#writeAt(this.#dataBlock(records)), logical: this.#logical });
    }
    this.#logical += records.length;
    this.#used = 0;
  }

  #dataBlock(records: Buffer): Buffer {
    const zip = this.#options.compression;
    if (zip === 'none') return encodeBlock('##DT', [], records);
    const columns = TRANSPOSE_COLUMNS;
    const stored = zip === 'transposed' ? transpose(records, columns) : records;
    const head = Buffer.alloc(24);
    head.write('DT', 0, 'latin1');
    head[2] = zip === 'transposed' ? 1 : 0;
    head.writeUInt32LE(zip === 'transposed' ? columns : 0, 4);
    head.writeBigUInt64LE(BigInt(records.length), 8);
    const packed = deflateSync(stored);
    head.writeBigUInt64LE(BigInt(packed.length), 16);
    return encodeBlock('##DZ', [], Buffer.concat([head, packed]));
  }

  async close(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    await commitAfter(file, async () => {
      const meta = this.#meta ?? (await this.#begin(0));
      await this.#flush();
      if (this.#options.unfinalized) return;
      await this.#link(meta.dgAt, 2, await this.#dataLink());
      for (const [recordId, cg] of meta.cgAt) {
        const count = Buffer.alloc(8);
        count.writeBigUInt64LE(BigInt(this.#counts.get(recordId) ?? 0), 0);
        await file.handle.write(count, 0, 8, cg + BLOCK_HEADER_SIZE + 6 * 8 + 8);
      }
    });
    this.#file = undefined;
  }

  async #dataLink(): Promise<number> {
    const blocks = this.#blocks;
    if (blocks.length === 0) return 0;
    if (blocks.length === 1 && !this.#options.headerList) return (blocks[0] as { at: number }).at;
    const data = Buffer.alloc(8 + 8 * blocks.length);
    data.writeUInt32LE(blocks.length, 4);
    blocks.forEach((b, i) => data.writeBigUInt64LE(BigInt(b.logical), 8 + 8 * i));
    const dl = await this.#writeAt(encodeBlock('##DL', [0, ...blocks.map((b) => b.at)], data));
    if (!this.#options.headerList) return dl;
    const hl = Buffer.alloc(8);
    hl[2] = this.#options.compression === 'none' ? 0 : 1;
    return this.#writeAt(encodeBlock('##HL', [dl], hl));
  }

  async #link(blockAt: number, index: number, target: number): Promise<void> {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(target), 0);
    await (this.#file as AtomicFile).handle.write(b, 0, 8, blockAt + BLOCK_HEADER_SIZE + 8 * index);
  }

  async abort(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    this.#used = 0;
    await file?.abort();
  }
}

/** Byte k of each group of `columns` stored together (the inverse of what mf4-inflate.ts undoes). */
function transpose(data: Buffer, columns: number): Buffer {
  const rows = Math.floor(data.length / columns);
  const out = Buffer.from(data);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = data[r * columns + c] as number;
  return out;
}
