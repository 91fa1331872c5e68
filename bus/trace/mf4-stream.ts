/**
 * One logical byte stream over a data group's fragments (or a channel's signal data), read in chunks:
 * a plain block through a window of WINDOW_BYTES, a DZ block inflated whole (at most MAX_DZ_BYTES).
 * Only the current chunk is held. Each chunk is a fresh buffer never written again, so frames' data
 * may stay views into it.
 */
import { BlockReader, Mf4Error } from './mf4-block.js';
import type { Fragment } from './mf4-data.js';
import { inflateFragment } from './mf4-inflate.js';

const WINDOW_BYTES = 1 << 20;

export interface Chunk {
  /** Logical offset of `bytes[0]`. */
  readonly start: number;
  readonly bytes: Buffer;
}

export class DataStream {
  readonly length: number;
  readonly #starts: number[] = [];
  #chunk: Chunk = { start: 0, bytes: Buffer.alloc(0) };

  constructor(readonly reader: BlockReader, readonly fragments: readonly Fragment[]) {
    let total = 0;
    for (const f of fragments) {
      this.#starts.push(total);
      total += f.length;
    }
    this.length = total;
  }

  /** The chunk holding logical offset `pos` (which must be below `length`). */
  async chunkAt(pos: number): Promise<Chunk> {
    const c = this.#chunk;
    if (pos >= c.start && pos < c.start + c.bytes.length) return c;
    const i = this.#fragmentIndex(pos);
    const f = this.fragments[i] as Fragment;
    const fStart = this.#starts[i] as number;
    if (f.zipped !== undefined) {
      this.#chunk = { start: fStart, bytes: inflateFragment(f, await this.reader.bytes(f.payloadAt, f.zipped.storedLength)) };
    } else {
      const n = Math.min(WINDOW_BYTES, fStart + f.length - pos);
      this.#chunk = { start: pos, bytes: await this.reader.bytes(f.payloadAt + pos - fStart, n) };
    }
    return this.#chunk;
  }

  /** `n` bytes from logical offset `pos`, joined across chunks when they span several. */
  async bytes(pos: number, n: number): Promise<Buffer> {
    if (pos + n > this.length) throw new Mf4Error(this.fileOffset(pos), `${n} bytes wanted at ${pos} of a ${this.length}-byte data stream`);
    const first = await this.chunkAt(pos);
    if (pos + n <= first.start + first.bytes.length) return first.bytes.subarray(pos - first.start, pos - first.start + n);
    const parts: Buffer[] = [];
    let at = pos;
    while (at < pos + n) {
      const c = await this.chunkAt(at);
      const piece = c.bytes.subarray(at - c.start, Math.min(c.bytes.length, pos + n - c.start));
      parts.push(piece);
      at += piece.length;
    }
    return Buffer.concat(parts, n);
  }

  /** The file offset of the block holding logical offset `pos`, for errors. */
  fileOffset(pos: number): number {
    if (this.fragments.length === 0) return 0;
    const i = this.#fragmentIndex(Math.min(pos, this.length - 1));
    const f = this.fragments[i] as Fragment;
    return f.zipped === undefined ? f.payloadAt + pos - (this.#starts[i] as number) : f.at;
  }

  #fragmentIndex(pos: number): number {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      // The last fragment starting at or before pos is the one holding it: empty ones before it start there too.
      if ((this.#starts[mid] as number) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
