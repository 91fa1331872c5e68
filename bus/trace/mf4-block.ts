/**
 * MDF 4 blocks as they sit in the file: a 24-byte header (`##XX` id, reserved, u64 length, u64 link
 * count), the links (u64 file offsets, 0 for none), then the block's data. Every block is checked
 * against the file before anything of it is used: it must lie inside the file, its links must fit its
 * length, and a block read for its metadata may not exceed MAX_META_BLOCK_BYTES, so a forged length
 * never turns into a large allocation.
 */
import type { FileHandle } from 'node:fs/promises';

export const BLOCK_HEADER_SIZE = 24;
/** Largest metadata block (HD, DG, CG, CN, CC, TX, SI, DL, HL...) read whole: far above what any writer needs. */
export const MAX_META_BLOCK_BYTES = 1 << 20;
const READ_AHEAD_BYTES = 64 * 1024;

/** What the MF4 layer throws: a detail and the byte offset it is about; the reader adds the file name. */
export class Mf4Error extends Error {
  constructor(readonly offset: number, detail: string) {
    super(detail);
  }
}

export interface Mf4Block {
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  readonly links: readonly number[];
  /** The block's bytes after its links. */
  readonly data: Buffer;
}

/** Reads blocks of one open file, each checked against the file size. */
export class BlockReader {
  constructor(readonly handle: FileHandle, readonly fileSize: number) {}

  // Metadata blocks are small and close together: read them through a window instead of two reads per block.
  #window: Buffer = Buffer.alloc(0);
  #windowAt = 0;

  /** `length` bytes at `offset`; small reads come from a read-ahead window (a fresh buffer each time, never written again). */
  async bytes(offset: number, length: number): Promise<Buffer> {
    const w = this.#window;
    if (offset >= this.#windowAt && offset + length <= this.#windowAt + w.length) return w.subarray(offset - this.#windowAt, offset - this.#windowAt + length);
    if (length < READ_AHEAD_BYTES && offset + length <= this.fileSize) {
      this.#window = await this.#read(offset, Math.min(READ_AHEAD_BYTES, this.fileSize - offset));
      this.#windowAt = offset;
      return this.#window.subarray(0, length);
    }
    return this.#read(offset, length);
  }

  async #read(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, offset);
    if (bytesRead !== length) throw new Mf4Error(offset, `file ends before the ${length} bytes at byte ${offset} (file is ${this.fileSize} bytes)`);
    return buf;
  }

  /** The header of the block at `offset`: its id, length and link count, checked against the file. */
  async header(offset: number, what: string, ids: readonly string[]): Promise<{ id: string; length: number; linkCount: number }> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % 1 !== 0) throw new Mf4Error(offset, `${what} link ${offset} is not a file offset`);
    if (offset + BLOCK_HEADER_SIZE > this.fileSize) throw new Mf4Error(offset, `${what} link points to byte ${offset}, past the end of the file (${this.fileSize} bytes)`);
    const head = await this.bytes(offset, BLOCK_HEADER_SIZE);
    const id = head.toString('latin1', 0, 4);
    if (!ids.includes(id)) throw new Mf4Error(offset, `${what}: expected a ${ids.join(' or ')} block, found ${JSON.stringify(id)}`);
    const length = u64(head, 8);
    const linkCount = u64(head, 16);
    if (length < BLOCK_HEADER_SIZE || length > this.fileSize - offset) {
      throw new Mf4Error(offset, `${id} block (${what}) claims ${length} bytes, but the file has ${this.fileSize - offset} from there`);
    }
    if (linkCount > (length - BLOCK_HEADER_SIZE) / 8) throw new Mf4Error(offset, `${id} block (${what}) claims ${linkCount} links, more than its ${length} bytes hold`);
    return { id, length, linkCount };
  }

  /** The whole block at `offset`, which must be one of `ids` and at most MAX_META_BLOCK_BYTES long. */
  async block(offset: number, what: string, ids: readonly string[], minData = 0): Promise<Mf4Block> {
    const { id, length, linkCount } = await this.header(offset, what, ids);
    if (length > MAX_META_BLOCK_BYTES) throw new Mf4Error(offset, `${id} block (${what}) claims ${length} bytes, more than the limit of ${MAX_META_BLOCK_BYTES}`);
    const all = await this.bytes(offset, length);
    const links: number[] = [];
    for (let i = 0; i < linkCount; i++) links.push(u64(all, BLOCK_HEADER_SIZE + 8 * i));
    const data = all.subarray(BLOCK_HEADER_SIZE + 8 * linkCount);
    if (data.length < minData) throw new Mf4Error(offset, `${id} block (${what}) has ${data.length} data bytes, fewer than the ${minData} it needs`);
    return { id, offset, length, links, data };
  }

  /** The text of a TX (or MD) block, or '' for no link. */
  async text(offset: number, what: string): Promise<string> {
    if (offset === 0) return '';
    const b = await this.block(offset, what, ['##TX', '##MD']);
    const end = b.data.indexOf(0);
    return b.data.toString('utf8', 0, end < 0 ? b.data.length : end);
  }
}

/** A u64 as a number; values above 2^53 (never a real offset or count) become Infinity, which every bound rejects. */
export function u64(buf: Buffer, at: number): number {
  const lo = buf.readUInt32LE(at);
  const hi = buf.readUInt32LE(at + 4);
  return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * 4294967296 + lo;
}

/** A link in `block`, or 0 when the block has fewer links (older versions). */
export function link(block: Mf4Block, index: number): number {
  return block.links[index] ?? 0;
}

/** Follows a chain of links (next blocks, nested lists), refusing a cycle and more than `max` blocks. */
export class ChainGuard {
  readonly #seen = new Set<number>();
  constructor(readonly what: string, readonly max: number) {}

  visit(offset: number): void {
    if (this.#seen.has(offset)) throw new Mf4Error(offset, `${this.what} links back to the block at byte ${offset} (a cycle)`);
    if (this.#seen.size >= this.max) throw new Mf4Error(offset, `${this.what} has more than ${this.max} blocks`);
    this.#seen.add(offset);
  }
}
