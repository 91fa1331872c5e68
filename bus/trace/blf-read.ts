/**
 * Vector BLF reading, streaming, at a cost bounded by the file's own bytes: the file is read through a
 * window of WINDOW_BYTES, LOG_CONTAINERs are inflated to at most the size they declare (itself at most
 * MAX_CONTAINER_BYTES; the next one inflates on the thread pool while this one is decoded, so at most
 * two are held), a container's frames are handed over in batches of BATCH_FRAMES,
 * and an object cut at a container's end continues in the next one: a frame object (at most
 * MAX_FRAME_OBJECT bytes) is carried over, anything else is skipped by its declared size without being
 * buffered. The objects themselves are decoded in blf-objects.ts.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { CanFrame } from '../frame.js';
import { TraceParseError } from '../errors.js';
import { BatchIterator, BatchStream, type FrameBatchSource } from './batch-iterator.js';
import {
  CONTAINER_HEADER_SIZE, FILE_HEADER_SIZE, LOBJ, LOG_CONTAINER, LOGG, MAX_CONTAINER_OBJECT, MAX_FRAME_OBJECT,
  OBJ_BASE_SIZE, readSystemTime,
} from './blf-common.js';
import { BlfError, decodeBlfObjects, isFrameObject } from './blf-objects.js';
import { inflateContainer } from './blf-inflate.js';
import type { TraceReader, TraceReadOptions } from './types.js';

const LOGG_TEXT = 'LOGG';
/** Frames per batch: about a thousand, as `TraceReader.batches()` promises. */
const BATCH_FRAMES = 1024;
/** File bytes read at once: many containers per read instead of two reads per container. */
const WINDOW_BYTES = 1 << 20;
/** Bytes of the next container joined to a carried object: enough to finish any frame object. */
const CARRY_LOOKAHEAD = MAX_FRAME_OBJECT + 32;

/** A `TraceReader` over a `.blf` file. */
export class BlfTraceReader implements TraceReader {
  readonly format = '.blf';
  readonly #path: string;
  readonly #lenient: boolean;
  readonly #payloads: boolean;
  #skipped = 0;

  constructor(path: string, options: TraceReadOptions) {
    this.#path = path;
    this.#lenient = options.lenient ?? false;
    this.#payloads = options.payloads ?? true;
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
    const payloads = this.#payloads;
    let handle: FileHandle | undefined;
    let fileSize = 0;
    let pos = 0;
    let start = 0;
    let done = false;
    // The container being decoded: its bytes, where decoding resumes, and its file offset (for errors).
    let data: Buffer | undefined;
    let dataPos = 0;
    let dataAt = 0;
    // An object cut at a container's end: a frame object's first bytes (small), or bytes still to skip.
    let carry: Buffer = Buffer.alloc(0);
    let skipLeft = 0;
    let failure: { error: unknown } | undefined;
    let window: Buffer = Buffer.alloc(0);
    let windowAt = 0;
    const readAt = async (offset: number, length: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await (handle as FileHandle).read(buf, 0, length, offset);
      return bytesRead === length ? buf : buf.subarray(0, bytesRead);
    };
    // A fresh buffer per window read, never written again: frames' data may stay views into it.
    const bytesAt = async (offset: number, length: number): Promise<Buffer> => {
      if (offset >= windowAt && offset + length <= windowAt + window.length) return window.subarray(offset - windowAt, offset - windowAt + length);
      if (length > WINDOW_BYTES) return readAt(offset, length);
      window = await readAt(offset, Math.min(WINDOW_BYTES, fileSize - offset));
      windowAt = offset;
      return window.subarray(0, Math.min(length, window.length));
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
      if (headerSize < 72) fail(4, `impossible header size ${headerSize}`);
      if (headerSize > fileSize) truncated(`the file header is ${headerSize} bytes`);
      recordedSize = Number(header.readBigUInt64LE(16));
      start = readSystemTime(header, 40);
      pos = headerSize;
    };
    const lenientSkip = (): void => {
      this.#skipped++;
      data = undefined;
      carry = Buffer.alloc(0);
      skipLeft = 0;
    };
    /** At the last object: an object left unfinished, or a file shorter than its header records, was cut. */
    const finish = (): void => {
      done = true;
      if (skipLeft > 0 || carry.some((b) => b !== 0)) {
        const cut = skipLeft > 0 ? `${skipLeft} bytes of an object are missing` : `an object of the last container lacks its last bytes (${carry.length} present)`;
        if (!this.#lenient) truncated(cut);
        lenientSkip();
        return;
      }
      if (recordedSize <= fileSize) return;
      if (!this.#lenient) truncated(`the file header records ${recordedSize} bytes`);
      this.#skipped++;
    };
    /** Decodes more of the current container into `out`; drops the container when it is used up. */
    const decodeMore = (out: CanFrame[]): void => {
      const d = data as Buffer;
      if (skipLeft > 0) {
        const n = Math.min(skipLeft, d.length - dataPos);
        skipLeft -= n;
        dataPos += n;
      } else if (carry.length > 0) {
        // Only the carried object's bytes and the next few are joined: the container itself is never copied.
        const head = d.subarray(dataPos, Math.min(d.length, dataPos + CARRY_LOOKAHEAD));
        const joined = Buffer.concat([carry, head]);
        const used = decodeBlfObjects(joined, 0, carry.length, start, out, Number.POSITIVE_INFINITY, dataAt, payloads);
        if (used >= carry.length) {
          const resume = dataPos + used - carry.length;
          carry = Buffer.alloc(0);
          if (resume > d.length) skipLeft = resume - d.length;
          dataPos = Math.min(resume, d.length);
        } else if (dataPos + head.length === d.length) {
          carry = Buffer.from(joined.subarray(used));
          dataPos = d.length;
        } else {
          throw new BlfError(dataAt, 'an object continued from the previous container does not fit a frame object');
        }
      } else {
        const used = decodeBlfObjects(d, dataPos, d.length, start, out, BATCH_FRAMES, dataAt, payloads);
        if (used > d.length) {
          skipLeft = used - d.length;
          dataPos = d.length;
        } else if (out.length >= BATCH_FRAMES) {
          dataPos = used;
        } else {
          carry = Buffer.from(d.subarray(used));
          dataPos = d.length;
        }
      }
      if (dataPos >= d.length) data = undefined;
    };
    // The next container, inflating on the thread pool while this one's frames are decoded.
    let ahead: { at: number; bytes: Promise<Buffer> } | undefined;
    /**
     * Starts inflating the container at `at` (or a few padding bytes on) when it looks whole; what
     * does not is left to `nextObject`, which reports it when it gets there.
     */
    const inflateAhead = async (at: number): Promise<void> => {
      if (at + OBJ_BASE_SIZE + 8 > fileSize) return;
      const look = await bytesAt(at, 8 + OBJ_BASE_SIZE);
      const idx = look.indexOf('LOBJ', 0, 'latin1');
      if (idx < 0 || idx >= 8) return;
      const objectAt = at + idx;
      const headerSize = look.readUInt16LE(idx + 4);
      const size = look.readUInt32LE(idx + 8);
      if (look.readUInt32LE(idx + 12) !== LOG_CONTAINER || size < CONTAINER_HEADER_SIZE || size < headerSize || size > MAX_CONTAINER_OBJECT || objectAt + size > fileSize) return;
      const bytes = inflateContainer(await bytesAt(objectAt, size), objectAt);
      // Its failure is reported when the reading reaches it, or never if the reading stops before.
      bytes.catch(() => undefined);
      ahead = { at: objectAt, bytes };
    };
    /** Reads the next top-level object: a container becomes `data`; a frame object is decoded into `out`. */
    const nextObject = async (out: CanFrame[]): Promise<void> => {
      if (pos + OBJ_BASE_SIZE > fileSize) {
        // Up to 3 zero bytes of padding may follow the last object; anything else is half an object header.
        const rest = pos < fileSize ? await bytesAt(pos, fileSize - pos) : Buffer.alloc(0);
        if (rest.some((b) => b !== 0)) {
          if (!this.#lenient) truncated(`${rest.length} bytes of an object header at byte ${pos}`);
          this.#skipped++;
          done = true;
          return;
        }
        finish();
        return;
      }
      const base = await bytesAt(pos, OBJ_BASE_SIZE);
      if (base.readUInt32LE(0) !== LOBJ) {
        // Padding after the previous object: python-can pads by size % 4, Vector to 4 bytes.
        const look = await bytesAt(pos, Math.min(8 + OBJ_BASE_SIZE, fileSize - pos));
        const idx = look.indexOf('LOBJ', 0, 'latin1');
        if (idx > 0 && idx < 8) {
          pos += idx;
          return;
        }
        if (look.every((b) => b === 0)) {
          finish();
          return;
        }
        if (this.#lenient) {
          this.#skipped++;
          done = true;
          return;
        }
        fail(pos, 'no object signature "LOBJ"');
      }
      const headerSize = base.readUInt16LE(4);
      const size = base.readUInt32LE(8);
      const type = base.readUInt32LE(12);
      const limit = type === LOG_CONTAINER ? MAX_CONTAINER_OBJECT : isFrameObject(type) ? MAX_FRAME_OBJECT : Number.POSITIVE_INFINITY;
      const impossible = size < OBJ_BASE_SIZE || size < headerSize || size > limit;
      if (impossible || pos + size > fileSize) {
        if (this.#lenient) {
          this.#skipped++;
          done = true;
          return;
        }
        if (size > limit) fail(pos, `object of type ${type} claims ${size} bytes, more than the limit of ${limit}`);
        if (impossible) fail(pos, `object of impossible size ${size}`);
        truncated(`the object at byte ${pos} is ${size} bytes long`);
      }
      const objectAt = pos;
      pos += size;
      // Other objects outside containers (markers, comments) are passed over unread.
      if (type !== LOG_CONTAINER && !isFrameObject(type)) return;
      try {
        if (type !== LOG_CONTAINER) {
          // Uncontained frame objects (old files): decode them as a one-object container.
          decodeBlfObjects(await bytesAt(objectAt, size), 0, size, start, out, Number.POSITIVE_INFINITY, objectAt, payloads);
          return;
        }
        if (size < CONTAINER_HEADER_SIZE) throw new BlfError(objectAt, 'container too short for its header');
        const inflating = ahead?.at === objectAt ? ahead.bytes : inflateContainer(await bytesAt(objectAt, size), objectAt);
        ahead = undefined;
        inflating.catch(() => undefined);
        await inflateAhead(pos);
        data = await inflating;
        dataPos = 0;
        dataAt = objectAt;
        if (data.length === 0) data = undefined;
      } catch (err) {
        if (!(err instanceof BlfError)) throw err;
        if (!this.#lenient) fail(err.offset, err.message);
        lenientSkip();
      }
    };
    return {
      next: async () => {
        if (failure !== undefined) throw failure.error;
        if (done) return null;
        if (handle === undefined) await init();
        const out: CanFrame[] = [];
        try {
          while (out.length < BATCH_FRAMES && !done) {
            if (data === undefined) {
              await nextObject(out);
              continue;
            }
            try {
              decodeMore(out);
            } catch (err) {
              if (!(err instanceof BlfError)) throw err;
              if (!this.#lenient) fail(err.offset, err.message);
              lenientSkip();
            }
          }
        } catch (err) {
          // The frames before the error are delivered first; the error comes with the next batch.
          if (out.length === 0) throw err;
          failure = { error: err };
          done = true;
        }
        return out;
      },
      close: async () => {
        done = true;
        data = undefined;
        ahead = undefined;
        await handle?.close();
        handle = undefined;
      },
    };
  }
}
