/**
 * Payload storage for the readers: frames' `data` are views into slabs of a few hundred KiB instead of
 * one small Uint8Array each, which is most of the allocation and GC cost of reading a trace.
 * A slab region is handed out once and never written again, so a frame's data stay valid for as long
 * as the frame lives, after the reader has moved on. (A frame kept alive keeps its slab alive.)
 * A slab that does not keep its bytes (payloads not wanted) is written and checked the same way but
 * hands out empty data, reusing the same bytes for every frame.
 */
const SLAB_BYTES = 1 << 18;

/** Shared, zero-length data for frames without payload. */
export const NO_DATA: Uint8Array = new Uint8Array(0);

export class ByteSlab {
  readonly #size: number;
  #bytes: Uint8Array = NO_DATA;
  #memory: ArrayBuffer = NO_DATA.buffer as ArrayBuffer;
  #used = 0;
  readonly #keep: boolean;

  /**
   * @param size - bytes per slab; small for the one-line string functions.
   * @param keep - false: `take` gives every frame empty data (see `TraceReadOptions.payloads`).
   */
  constructor(size: number = SLAB_BYTES, keep = true) {
    this.#size = size;
    this.#keep = keep;
  }

  /**
   * Room for `n` more bytes: returns the slab to write them into at `offset`; then `take(n)`.
   * Writing without taking is fine (a failed parse): the next frame overwrites the same bytes.
   */
  room(n: number): Uint8Array {
    if (this.#used + n > this.#bytes.length) {
      this.#memory = new ArrayBuffer(Math.max(this.#size, n));
      this.#bytes = new Uint8Array(this.#memory);
      this.#used = 0;
    }
    return this.#bytes;
  }

  /** Where the bytes for the next `take` go in the slab `room` returned. */
  get offset(): number {
    return this.#used;
  }

  /** The `n` bytes written at `offset`, as the data of a frame. */
  take(n: number): Uint8Array {
    if (n === 0 || !this.#keep) return NO_DATA;
    const view = new Uint8Array(this.#memory, this.#used, n);
    this.#used += n;
    return view;
  }
}
