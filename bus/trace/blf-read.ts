/**
 * Vector BLF reading, streaming: top-level objects are read one at a time through a fixed window,
 * LOG_CONTAINERs are inflated one at a time, and an object cut at a container's end is carried into
 * the next. Frames come from CAN_MESSAGE (1), CAN_MESSAGE2 (86), CAN_FD_MESSAGE (100),
 * CAN_FD_MESSAGE_64 (101) and CAN_ERROR_EXT (73); other objects are passed over.
 *
 * Where files disagree with themselves, the reading follows what the bus can carry:
 * - an FD object whose EDL flag is set is an FD frame even if its remote bit is set (CAN FD has no
 *   remote frames);
 * - a CAN_FD_MESSAGE_64 never takes data beyond its own object, even when its valid-bytes field claims
 *   more (python-can 4.1 reads into the next object's header there, issue 1905);
 * - a standard-flagged id above 0x7ff is read as a 29-bit id.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import type { CanFrame } from '../frame.js';
import { TraceParseError } from '../errors.js';
import { BatchIterator, BatchStream, type FrameBatchSource } from './batch-iterator.js';
import {
  CAN_ERROR_EXT, CAN_FD_MESSAGE, CAN_FD_MESSAGE_64, CAN_MESSAGE, CAN_MESSAGE2, CONTAINER_HEADER_SIZE, FILE_HEADER_SIZE, ID_EXT_BIT,
  LOBJ, LOG_CONTAINER, LOGG, OBJ_BASE_SIZE, TIME_TEN_MICS, readSystemTime,
} from './blf-common.js';
import { NO_DATA } from './byte-slab.js';
import { channelFromNumber } from './channel.js';
import { frameOf } from './frame-of.js';
import type { TraceReader, TraceReadOptions } from './types.js';

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
const MAX_OBJECT = 64 << 20;
const LOGG_TEXT = 'LOGG';

/** Thrown inside the parser; carries the file offset it is about. */
class BlfError extends Error {
  constructor(readonly offset: number, detail: string) {
    super(detail);
  }
}

function lengthToFdDlc(length: number): number {
  return FD_LENGTHS.indexOf(length);
}

/**
 * A frame's payload as a view into the container bytes: every buffer decoded here is freshly read or
 * inflated and never written again, so the view stays valid (and saves a copy and an allocation per frame).
 */
function payload(d: Buffer, at: number, n: number): Uint8Array {
  return n === 0 ? NO_DATA : new Uint8Array(d.buffer, d.byteOffset + at, n);
}

/**
 * Decodes the frame objects in `data` (uncompressed container bytes) starting at 0, pushing frames to
 * `out`. Returns how many bytes were consumed; the rest is an object continuing in the next container.
 * @throws {BlfError} on a missing signature or an impossible size.
 */
export function decodeBlfObjects(data: Buffer, start: number, out: CanFrame[], baseOffset: number): number {
  let pos = 0;
  const end = data.length;
  while (pos + OBJ_BASE_SIZE <= end) {
    // Objects are 4-byte aligned inside containers by some writers: look a few bytes ahead.
    let sig = pos;
    while (sig < pos + 8 && sig + 4 <= end && data.readUInt32LE(sig) !== LOBJ) sig++;
    if (sig + OBJ_BASE_SIZE > end) return pos;
    if (data.readUInt32LE(sig) !== LOBJ) throw new BlfError(baseOffset, `no object signature ${pos} bytes into the container data`);
    pos = sig;
    const headerSize = data.readUInt16LE(pos + 4);
    const size = data.readUInt32LE(pos + 8);
    const type = data.readUInt32LE(pos + 12);
    if (size < headerSize || headerSize < OBJ_BASE_SIZE || size > MAX_OBJECT) throw new BlfError(baseOffset, `object of impossible size ${size} (header ${headerSize}) ${pos} bytes into the container data`);
    const next = pos + size;
    if (next > end) return pos;
    if (type === CAN_MESSAGE || type === CAN_MESSAGE2 || type === CAN_FD_MESSAGE || type === CAN_FD_MESSAGE_64 || type === CAN_ERROR_EXT) {
      if (headerSize < 32) throw new BlfError(baseOffset, `object header of ${headerSize} bytes is too short`);
      const flags = data.readUInt32LE(pos + 16);
      const raw = data.readUInt32LE(pos + 24) + data.readUInt32LE(pos + 28) * 4294967296;
      const timestamp = start + raw * (flags === TIME_TEN_MICS ? 1e-5 : 1e-9);
      const frame = decodeFrame(data, type, pos + headerSize, next, timestamp, baseOffset);
      if (frame) out.push(frame);
    }
    pos = next;
  }
  return pos;
}

function decodeFrame(d: Buffer, type: number, p: number, end: number, timestamp: number, baseOffset: number): CanFrame | null {
  const need = type === CAN_FD_MESSAGE_64 ? 40 : type === CAN_FD_MESSAGE ? 20 : type === CAN_ERROR_EXT ? 24 : 8;
  if (p + need > end) throw new BlfError(baseOffset, `object type ${type} too short for its fields`);
  if (type === CAN_MESSAGE || type === CAN_MESSAGE2) {
    const channel = channelFromNumber(Math.max(1, d.readUInt16LE(p)));
    const flags = d[p + 2] as number;
    const dlc = Math.min(d[p + 3] as number, 15);
    const rawId = d.readUInt32LE(p + 4);
    const id = rawId & 0x1fffffff;
    const extended = (rawId & ID_EXT_BIT) !== 0 || id > 0x7ff;
    const rtr = (flags & 0x80) !== 0;
    const n = rtr ? 0 : Math.min(dlc, 8, Math.max(0, end - (p + 8)));
    const data = payload(d, p + 8, n);
    return frameOf(timestamp, channel, id, extended, false, false, false, rtr, false, rtr ? dlc : dlc > 8 && n === 8 ? dlc : n, data, (flags & 1) !== 0);
  }
  if (type === CAN_ERROR_EXT) {
    const channel = channelFromNumber(Math.max(1, d.readUInt16LE(p)));
    const dlc = Math.min(d[p + 10] as number, 15);
    const rawId = d.readUInt32LE(p + 16);
    const n = Math.min(dlc, 8, Math.max(0, end - (p + 24)));
    const data = payload(d, p + 24, n);
    return { timestamp, channel, id: rawId & 0x1fffffff, extended: (rawId & ID_EXT_BIT) !== 0 || (rawId & 0x1fffffff) > 0x7ff, fd: false, brs: false, esi: false, rtr: false, error: true, dlc: n === 8 ? dlc : n, data };
  }
  let channel: string, dlcCode: number, valid: number, rawId: number, edl: boolean, brs: boolean, esi: boolean, remote: boolean, tx: boolean, dataAt: number;
  if (type === CAN_FD_MESSAGE) {
    channel = channelFromNumber(Math.max(1, d.readUInt16LE(p)));
    const flags = d[p + 2] as number;
    dlcCode = (d[p + 3] as number) & 0x0f;
    rawId = d.readUInt32LE(p + 4);
    const fdFlags = d[p + 13] as number;
    valid = d[p + 14] as number;
    edl = (fdFlags & 1) !== 0;
    brs = (fdFlags & 2) !== 0;
    esi = (fdFlags & 4) !== 0;
    remote = (flags & 0x80) !== 0;
    tx = (flags & 1) !== 0;
    dataAt = p + 20;
  } else {
    channel = channelFromNumber(Math.max(1, d[p] as number));
    dlcCode = (d[p + 1] as number) & 0x0f;
    valid = d[p + 2] as number;
    rawId = d.readUInt32LE(p + 4);
    const flags = d.readUInt32LE(p + 12);
    edl = (flags & 0x1000) !== 0;
    brs = (flags & 0x2000) !== 0;
    esi = (flags & 0x4000) !== 0;
    remote = (flags & 0x10) !== 0;
    tx = d[p + 34] !== 0;
    dataAt = p + 40;
  }
  const id = rawId & 0x1fffffff;
  const extended = (rawId & ID_EXT_BIT) !== 0 || id > 0x7ff;
  
  const available = Math.max(0, end - dataAt);
  if (!edl) {
    const n = remote ? 0 : Math.min(valid, 8, available, dlcCode);
    const data = payload(d, dataAt, n);
    return frameOf(timestamp, channel, id, extended, false, false, false, remote, false, remote ? dlcCode : dlcCode > 8 && n === 8 ? dlcCode : n, data, tx);
  }
  let n = Math.min(valid, 64, available);
  if (lengthToFdDlc(n) < 0) n = FD_LENGTHS.filter((l) => l <= n).pop() ?? 0;
  const data = payload(d, dataAt, n);
  return frameOf(timestamp, channel, id, extended, true, brs, esi, false, false, lengthToFdDlc(n), data, tx);
}

/** A `TraceReader` over a `.blf` file. */
export class BlfTraceReader implements TraceReader {
  readonly format = '.blf';
  readonly #path: string;
  readonly #lenient: boolean;
  #skipped = 0;

  constructor(path: string, options: TraceReadOptions) {
    this.#path = path;
    this.#lenient = options.lenient ?? false;
  }

  get skipped(): number {
    return this.#skipped;
  }

  /** A cut BLF fails the read (or counts as skipped when lenient): nothing is skipped quietly. */
  readonly warnings: readonly string[] = [];

  [Symbol.asyncIterator](): AsyncIterator<CanFrame> {
    return new BatchIterator(this.#source());
  }

  batches(): AsyncIterableIterator<CanFrame[]> {
    return new BatchStream(this.#source());
  }

  #source(): FrameBatchSource {
    const path = this.#path;
    let handle: FileHandle | undefined;
    let fileSize = 0;
    let pos = 0;
    let start = 0;
    let tail: Buffer = Buffer.alloc(0);
    let done = false;
    const readAt = async (offset: number, length: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await (handle as FileHandle).read(buf, 0, length, offset);
      return bytesRead === length ? buf : buf.subarray(0, bytesRead);
    };
    const fail = (offset: number, detail: string): never => {
      throw new TraceParseError({ file: path, offset }, detail);
    };
    // A cut file (a copy that stopped, a full disk) says where it ends, not what the cut left looking odd.
    const truncated = (detail: string): never => fail(fileSize, `truncated at byte ${fileSize}: ${detail}`);
    // The file size the writer recorded on closing; 0 when it never closed (a recording in progress).
    let recordedSize = 0;
    const init = async (): Promise<void> => {
      handle = await open(path, 'r');
      fileSize = (await handle.stat()).size;
      const header = await readAt(0, FILE_HEADER_SIZE);
      const signature = header.subarray(0, 4);
      if (header.length < 4 && header.length > 0 && LOGG_TEXT.startsWith(signature.toString('latin1'))) truncated('in the file signature');
      if (header.length < 4 || header.readUInt32LE(0) !== LOGG) fail(0, 'not a BLF file (no "LOGG" signature)');
      if (header.length < 72) truncated('the file header needs at least 72 bytes');
      const headerSize = header.readUInt32LE(4);
      if (headerSize < 72 || headerSize > MAX_OBJECT) fail(4, `impossible header size ${headerSize}`);
      if (headerSize > fileSize) truncated(`the file header is ${headerSize} bytes`);
      recordedSize = Number(header.readBigUInt64LE(16));
      start = readSystemTime(header, 40);
      pos = headerSize;
    };
    /** At the last object: a file shorter than its header records was cut at an object boundary. */
    const finish = (): void => {
      done = true;
      if (recordedSize <= fileSize) return;
      if (!this.#lenient) truncated(`the file header records ${recordedSize} bytes`);
      this.#skipped++;
    };
    return {
      next: async () => {
        if (done) return null;
        if (handle === undefined) await init();
        const out: CanFrame[] = [];
        // Gather at least one container's worth of frames per batch.
        while (out.length === 0) {
          if (pos + OBJ_BASE_SIZE > fileSize) {
            // Up to 3 zero bytes of padding may follow the last object; anything else is half an object header.
            const rest = pos < fileSize ? await readAt(pos, fileSize - pos) : Buffer.alloc(0);
            if (rest.some((b) => b !== 0)) {
              if (!this.#lenient) truncated(`${rest.length} bytes of an object header at byte ${pos}`);
              this.#skipped++;
              done = true;
              break;
            }
            finish();
            break;
          }
          const base = await readAt(pos, OBJ_BASE_SIZE);
          if (base.readUInt32LE(0) !== LOBJ) {
            // Padding after the previous object: python-can pads by size % 4, Vector to 4 bytes.
            const look = await readAt(pos, Math.min(8 + OBJ_BASE_SIZE, fileSize - pos));
            const idx = look.indexOf('LOBJ', 0, 'latin1');
            if (idx > 0 && idx < 8) {
              pos += idx;
              continue;
            }
            if (look.every((b) => b === 0)) {
              finish();
              break;
            }
            if (this.#lenient) {
              this.#skipped++;
              done = true;
              break;
            }
            fail(pos, 'no object signature "LOBJ"');
          }
          const headerSize = base.readUInt16LE(4);
          const size = base.readUInt32LE(8);
          const type = base.readUInt32LE(12);
          const impossible = size < OBJ_BASE_SIZE || size < headerSize || size > MAX_OBJECT;
          if (impossible || pos + size > fileSize) {
            if (this.#lenient) {
              this.#skipped++;
              done = true;
              break;
            }
            if (impossible) fail(pos, `object of impossible size ${size}`);
            truncated(`the object at byte ${pos} is ${size} bytes long`);
          }
          const objectAt = pos;
          pos += size;
          if (type !== LOG_CONTAINER) {
            // Uncontained objects (old files): decode them as a one-object container.
            const obj = await readAt(objectAt, size);
            try {
              decodeBlfObjects(obj, start, out, objectAt);
            } catch (err) {
              if (!(err instanceof BlfError)) throw err;
              if (!this.#lenient) fail(objectAt, err.message);
              this.#skipped++;
            }
            continue;
          }
          if (size < CONTAINER_HEADER_SIZE) {
            if (!this.#lenient) fail(objectAt, 'container too short for its header');
            this.#skipped++;
            continue;
          }
          const obj = await readAt(objectAt, size);
          const method = obj.readUInt16LE(16);
          const payload = obj.subarray(CONTAINER_HEADER_SIZE);
          let data: Buffer;
          try {
            if (method === 0) data = payload;
            else if (method === 2) data = inflateSync(payload);
            else throw new BlfError(objectAt, `unknown container compression ${method}`);
          } catch (err) {
            if (this.#lenient) {
              this.#skipped++;
              tail = Buffer.alloc(0);
              continue;
            }
            fail(objectAt, err instanceof BlfError ? err.message : `container does not inflate: ${(err as Error).message}`);
            throw err;
          }
          const joined = tail.length > 0 ? Buffer.concat([tail, data]) : data;
          try {
            const used = decodeBlfObjects(joined, start, out, objectAt);
            tail = Buffer.from(joined.subarray(used));
          } catch (err) {
            if (!(err instanceof BlfError)) throw err;
            if (!this.#lenient) fail(err.offset, err.message);
            this.#skipped++;
            tail = Buffer.alloc(0);
          }
        }
        return out;
      },
      close: async () => {
        done = true;
        await handle?.close();
        handle = undefined;
      },
    };
  }
}
