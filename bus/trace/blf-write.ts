/**
 * Vector BLF writing: frames become CAN_MESSAGE (classic), CAN_FD_MESSAGE (FD) and CAN_ERROR_EXT
 * (error frames) objects with nanosecond timestamps, packed into zlib LOG_CONTAINERs of about 128 KiB.
 * The header's start SYSTEMTIME is the first frame's time cut to the millisecond, and object times count
 * from it, so absolute times survive (SYSTEMTIME alone only holds milliseconds). Frames before 1990 are
 * taken as relative times: the start is then written as zero, as python-can does.
 */
import { deflateSync } from 'node:zlib';
import type { CanFrame } from '../frame.js';
import { openAtomic, type AtomicFile } from '../files/index.js';
import {
  CAN_ERROR_EXT, CAN_FD_MESSAGE, CAN_MESSAGE, CONTAINER_HEADER_SIZE, FILE_HEADER_SIZE, ID_EXT_BIT, LOBJ, LOG_CONTAINER, LOGG,
  MIN_DATED_TIMESTAMP, OBJ_HEADER_V1_SIZE, TIME_ONE_NANS, writeSystemTime,
} from './blf-common.js';
import { commitAfter } from './atomic-end.js';
import { channelToNumber } from './channel.js';
import type { TraceWriter } from './types.js';

const CONTAINER_LIMIT = 128 * 1024;

/**
 * Opens a temporary file for a BLF file at `path`, which is only replaced when the writer closes.
 * @throws {Error} the file system error when the folder is not writable.
 */
export async function openBlfWriter(path: string): Promise<TraceWriter> {
  const file = await openAtomic(path);
  try {
    await file.handle.write(Buffer.alloc(FILE_HEADER_SIZE), 0, FILE_HEADER_SIZE, 0);
  } catch (err) {
    await file.abort();
    throw err;
  }
  return new BlfWriter(file);
}

class BlfWriter implements TraceWriter {
  #file: AtomicFile | undefined;
  #buf = Buffer.alloc(CONTAINER_LIMIT + 256);
  #used = 0;
  #filePos = FILE_HEADER_SIZE;
  #uncompressed = FILE_HEADER_SIZE;
  #count = 0;
  #startMs: number | undefined;
  #start = 0;
  #dated = false;
  #lastMs = 0;

  constructor(file: AtomicFile) {
    this.#file = file;
  }

  write(frame: CanFrame): Promise<void> {
    if (this.#file === undefined) return Promise.reject(new Error('BLF writer is closed'));
    if (this.#startMs === undefined) {
      this.#dated = frame.timestamp >= MIN_DATED_TIMESTAMP;
      this.#startMs = this.#dated ? Math.floor(frame.timestamp * 1000) : 0;
      this.#start = this.#startMs / 1000;
    }
    if (this.#dated) this.#lastMs = Math.max(this.#lastMs, Math.floor(frame.timestamp * 1000));
    this.#encode(frame);
    this.#count++;
    return this.#used >= CONTAINER_LIMIT ? this.#flush() : Promise.resolve();
  }

  #encode(f: CanFrame): void {
    const type = f.error ? CAN_ERROR_EXT : f.fd ? CAN_FD_MESSAGE : CAN_MESSAGE;
    const body = type === CAN_MESSAGE ? 16 : type === CAN_FD_MESSAGE ? 84 : 32;
    const size = OBJ_HEADER_V1_SIZE + body;
    const b = this.#buf;
    const p = this.#used;
    b.fill(0, p, p + size);
    b.writeUInt32LE(LOBJ, p);
    b.writeUInt16LE(OBJ_HEADER_V1_SIZE, p + 4);
    b.writeUInt16LE(1, p + 6);
    b.writeUInt32LE(size, p + 8);
    b.writeUInt32LE(type, p + 12);
    b.writeUInt32LE(TIME_ONE_NANS, p + 16);
    const ns = Math.max(0, Math.round((f.timestamp - this.#start) * 1e9));
    const hi = Math.floor(ns / 4294967296);
    b.writeUInt32LE(ns - hi * 4294967296, p + 24);
    b.writeUInt32LE(hi, p + 28);
    const q = p + OBJ_HEADER_V1_SIZE;
    const channel = Math.min(channelToNumber(f.channel), 0xffff);
    const id = (f.extended ? (f.id | ID_EXT_BIT) >>> 0 : f.id) >>> 0;
    if (type === CAN_ERROR_EXT) {
      b.writeUInt16LE(channel, q);
      b[q + 10] = f.dlc;
      b.writeUInt32LE(id, q + 16);
      b.set(f.data.subarray(0, 8), q + 24);
    } else {
      b.writeUInt16LE(channel, q);
      b[q + 2] = (f.rtr ? 0x80 : 0) | (f.tx === true ? 1 : 0);
      b[q + 3] = f.dlc;
      b.writeUInt32LE(id, q + 4);
      if (type === CAN_MESSAGE) b.set(f.data.subarray(0, 8), q + 8);
      else {
        b[q + 13] = 1 | (f.brs ? 2 : 0) | (f.esi ? 4 : 0);
        b[q + 14] = f.data.length;
        b.set(f.data.subarray(0, 64), q + 20);
      }
    }
    this.#used += size;
  }

  async #flush(): Promise<void> {
    if (this.#used === 0 || this.#file === undefined) return;
    const raw = this.#buf.subarray(0, this.#used);
    const packed = deflateSync(raw);
    const size = CONTAINER_HEADER_SIZE + packed.length;
    const head = Buffer.alloc(CONTAINER_HEADER_SIZE);
    head.writeUInt32LE(LOBJ, 0);
    head.writeUInt16LE(16, 4);
    head.writeUInt16LE(1, 6);
    head.writeUInt32LE(size, 8);
    head.writeUInt32LE(LOG_CONTAINER, 12);
    head.writeUInt16LE(2, 16);
    head.writeUInt32LE(raw.length, 24);
    // python-can skips `size % 4` bytes after a top-level object; write exactly that much padding.
    const pad = Buffer.alloc(size % 4);
    const chunk = Buffer.concat([head, packed, pad]);
    this.#uncompressed += CONTAINER_HEADER_SIZE + raw.length;
    this.#used = 0;
    await this.#file.handle.write(chunk, 0, chunk.length, this.#filePos);
    this.#filePos += chunk.length;
  }

  async close(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    await commitAfter(file, async () => {
      await this.#flush();
      await file.handle.write(this.#header(), 0, FILE_HEADER_SIZE, 0);
    });
    this.#file = undefined;
  }

  async abort(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    this.#used = 0;
    await file?.abort();
  }

  #header(): Buffer {
    const header = Buffer.alloc(FILE_HEADER_SIZE);
    header.writeUInt32LE(LOGG, 0);
    header.writeUInt32LE(FILE_HEADER_SIZE, 4);
    header[8] = 5; // application id, as python-can writes it
    header.set([2, 6, 8, 1], 12); // binary log version
    header.writeBigUInt64LE(BigInt(this.#filePos), 16);
    header.writeBigUInt64LE(BigInt(this.#uncompressed), 24);
    header.writeUInt32LE(this.#count, 32);
    writeSystemTime(header, 40, this.#dated ? this.#startMs : undefined);
    writeSystemTime(header, 56, this.#dated ? this.#lastMs : undefined);
    return header;
  }
}
