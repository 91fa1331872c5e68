/**
 * Cuts a byte stream into length-prefixed frames (see wire.ts). Reads usually hold whole frames, so
 * the common path hands out views of the chunk without copying; only a frame split across reads is
 * joined, once, when its last byte arrives.
 */
import { LENGTH_PREFIX, MAX_FRAME_BYTES, WireFormatError } from './wire.js';

export class FrameReader {
  readonly #domain: string;
  readonly #onFrame: (body: Buffer) => void;
  readonly #maxBytes: number;
  /** Bytes of an incomplete frame, in arrival order. */
  #parts: Buffer[] = [];
  #held = 0;
  /** Stream offset of the first held byte, for errors. */
  #consumed = 0;

  /** @param onFrame receives each frame body (without its length prefix) in order */
  constructor(domain: string, onFrame: (body: Buffer) => void, maxBytes = MAX_FRAME_BYTES) {
    this.#domain = domain;
    this.#onFrame = onFrame;
    this.#maxBytes = maxBytes;
  }

  /** Bytes held of a frame not yet complete. */
  get pending(): number {
    return this.#held;
  }

  /**
   * Feeds the next chunk of the stream.
   * @throws WireFormatError when a length prefix exceeds the frame limit (the stream is then unusable);
   * its offset counts from the start of the stream
   */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.#held > 0) {
      this.#parts.push(chunk);
      this.#held += chunk.length;
      if (this.#held < LENGTH_PREFIX) return;
      const need = LENGTH_PREFIX + this.#lengthAt(this.#peekPrefix());
      if (this.#held < need) return;
      buf = this.#parts.length === 1 ? (this.#parts[0] ?? chunk) : Buffer.concat(this.#parts, this.#held);
      this.#parts = [];
      this.#held = 0;
    }
    let off = 0;
    while (buf.length - off >= LENGTH_PREFIX) {
      const len = this.#lengthAt(buf.readUInt32LE(off));
      if (buf.length - off - LENGTH_PREFIX < len) break;
      const body = buf.subarray(off + LENGTH_PREFIX, off + LENGTH_PREFIX + len);
      off += LENGTH_PREFIX + len;
      this.#consumed += LENGTH_PREFIX + len;
      this.#onFrame(body);
    }
    if (off < buf.length) {
      this.#parts.push(buf.subarray(off));
      this.#held = buf.length - off;
    }
  }

  #peekPrefix(): number {
    const first = this.#parts[0];
    if (first !== undefined && first.length >= LENGTH_PREFIX) return first.readUInt32LE(0);
    return Buffer.concat(this.#parts, this.#held).readUInt32LE(0);
  }

  #lengthAt(len: number): number {
    if (len > this.#maxBytes) throw new WireFormatError(this.#domain, this.#consumed, `frame length ${len} over the limit of ${this.#maxBytes} bytes`);
    return len;
  }
}
