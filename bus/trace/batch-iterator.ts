/**
 * Serves frames one by one from batches. Readers parse a whole chunk of a file into an array and
 * hand it over at once; an async generator yielding per frame would cost a promise chain per frame,
 * which dominates the time on multi-million-frame files.
 */
import type { CanFrame } from '../frame.js';

export interface FrameBatchSource {
  /** The next batch of frames (possibly empty), or null at the end. */
  next(): Promise<CanFrame[] | null>;
  /** Releases the file; called once, at the end or on an early exit. */
  close(): Promise<void>;
}

export class BatchIterator implements AsyncIterator<CanFrame> {
  #source: FrameBatchSource;
  #batch: CanFrame[] = [];
  #index = 0;
  #done = false;

  constructor(source: FrameBatchSource) {
    this.#source = source;
  }

  next(): Promise<IteratorResult<CanFrame>> {
    if (this.#index < this.#batch.length) {
      return Promise.resolve({ value: this.#batch[this.#index++] as CanFrame, done: false });
    }
    return this.#refill();
  }

  async #refill(): Promise<IteratorResult<CanFrame>> {
    while (!this.#done) {
      let batch: CanFrame[] | null;
      try {
        batch = await this.#source.next();
      } catch (err) {
        await this.#finish();
        throw err;
      }
      if (batch === null) break;
      if (batch.length > 0) {
        this.#batch = batch;
        this.#index = 1;
        return { value: batch[0] as CanFrame, done: false };
      }
    }
    await this.#finish();
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<CanFrame>> {
    await this.#finish();
    return { value: undefined, done: true };
  }

  async #finish(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#batch = [];
    await this.#source.close();
  }
}
