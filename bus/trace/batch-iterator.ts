/**
 * Serving a reader's batches. Readers parse a run of frames into an array and hand it over at once:
 * `BatchIterator` serves them one by one (the `for await (const frame of reader)` path, one settled
 * promise per frame), `BatchStream` hands the arrays themselves to bulk consumers (one promise per
 * batch). An async generator yielding per frame would cost a promise chain per frame, which
 * dominates the time on multi-million-frame files.
 */
import type { CanFrame } from '../frame.js';

export interface FrameBatchSource {
  /** The next batch of frames (possibly empty), or null at the end. */
  next(): Promise<CanFrame[] | null>;
  /** Releases the file; called once, at the end or on an early exit. */
  close(): Promise<void>;
}

/** Frames one by one, from a `BatchStream` over the source. */
export class BatchIterator implements AsyncIterator<CanFrame> {
  readonly #batches: BatchStream;
  #batch: CanFrame[] = [];
  #index = 0;

  constructor(source: FrameBatchSource) {
    this.#batches = new BatchStream(source);
  }

  next(): Promise<IteratorResult<CanFrame>> {
    if (this.#index < this.#batch.length) {
      return Promise.resolve({ value: this.#batch[this.#index++] as CanFrame, done: false });
    }
    return this.#refill();
  }

  async #refill(): Promise<IteratorResult<CanFrame>> {
    const r = await this.#batches.next();
    if (r.done === true) {
      this.#batch = [];
      return { value: undefined, done: true };
    }
    this.#batch = r.value;
    this.#index = 1;
    return { value: r.value[0] as CanFrame, done: false };
  }

  async return(): Promise<IteratorResult<CanFrame>> {
    this.#batch = [];
    await this.#batches.return();
    return { value: undefined, done: true };
  }
}

/** The batches themselves, never empty; the source closes at the end, on an error or on `return()`. */
export class BatchStream implements AsyncIterableIterator<CanFrame[]> {
  #source: FrameBatchSource;
  #done = false;

  constructor(source: FrameBatchSource) {
    this.#source = source;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<CanFrame[]> {
    return this;
  }

  async next(): Promise<IteratorResult<CanFrame[]>> {
    while (!this.#done) {
      let batch: CanFrame[] | null;
      try {
        batch = await this.#source.next();
      } catch (err) {
        await this.#finish();
        throw err;
      }
      if (batch === null) break;
      if (batch.length > 0) return { value: batch, done: false };
    }
    await this.#finish();
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<CanFrame[]>> {
    await this.#finish();
    return { value: undefined, done: true };
  }

  async #finish(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#source.close();
  }
}
