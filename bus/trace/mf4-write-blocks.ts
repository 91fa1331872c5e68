/**
 * Laying out MDF 4 blocks for writing: each block is appended at the next 8-byte boundary (as the
 * specification wants) and gets its offset at once, so links can be set once their targets exist.
 */
import { BLOCK_HEADER_SIZE } from './mf4-block.js';

export function encodeBlock(id: string, links: readonly number[], data: Buffer): Buffer {
  const length = BLOCK_HEADER_SIZE + 8 * links.length + data.length;
  const b = Buffer.alloc(length);
  b.write(id, 0, 'latin1');
  b.writeBigUInt64LE(BigInt(length), 8);
  b.writeBigUInt64LE(BigInt(links.length), 16);
  links.forEach((l, i) => b.writeBigUInt64LE(BigInt(l), BLOCK_HEADER_SIZE + 8 * i));
  data.copy(b, BLOCK_HEADER_SIZE + 8 * links.length);
  return b;
}

export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Blocks laid out one after another from `base`. */
export class BlockLayout {
  readonly #blocks: Buffer[] = [];
  readonly #offsets: number[] = [];
  #end: number;

  constructor(readonly base: number) {
    this.#end = base;
  }

  get end(): number {
    return this.#end;
  }

  /** Appends a block; returns its file offset. */
  add(id: string, links: readonly number[], data: Buffer): number {
    const at = this.#end;
    const b = encodeBlock(id, links, data);
    this.#blocks.push(b);
    this.#offsets.push(at);
    this.#end = align8(at + b.length);
    return at;
  }

  /** Sets link `index` of the block at `at`. */
  setLink(at: number, index: number, target: number): void {
    this.#block(at).writeBigUInt64LE(BigInt(target), BLOCK_HEADER_SIZE + 8 * index);
  }

  /** Writes into the data of the block at `at` (after its `linkCount` links). */
  dataOf(at: number, linkCount: number): Buffer {
    return this.#block(at).subarray(BLOCK_HEADER_SIZE + 8 * linkCount);
  }

  bytes(): Buffer {
    const out = Buffer.alloc(this.#end - this.base);
    this.#blocks.forEach((b, i) => b.copy(out, (this.#offsets[i] as number) - this.base));
    return out;
  }

  #block(at: number): Buffer {
    const i = this.#offsets.indexOf(at);
    if (i < 0) throw new RangeError(`no block at ${at}`);
    return this.#blocks[i] as Buffer;
  }
}
