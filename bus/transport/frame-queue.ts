/**
 * A bounded single-consumer queue of frames with a drop policy. One per reader, so a stalled
 * consumer costs bounded memory (python-can's unbounded `AsyncBufferedReader` is the failure we avoid).
 */
import type { CanFrame } from '../frame.js';
import type { DropPolicy } from './bus.js';

export class FrameQueue {
  readonly #limit: number;
  readonly #policy: DropPolicy;
  // A ring buffer: head is the next frame out, size the number queued.
  readonly #ring: (CanFrame | undefined)[];
  #head = 0;
  #size = 0;
  #waiter: ((frame: CanFrame | undefined) => void) | undefined;
  #ended = false;

  /** @throws {RangeError} when `limit` is not a positive integer. */
  constructor(limit: number, policy: DropPolicy) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`queueLimit ${limit} must be a positive integer`);
    this.#limit = limit;
    this.#policy = policy;
    this.#ring = new Array<CanFrame | undefined>(limit);
  }

  get size(): number {
    return this.#size;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Queues a frame; returns false when a frame was dropped to respect the bound. */
  push(frame: CanFrame): boolean {
    if (this.#ended) return true;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(frame);
      return true;
    }
    if (this.#size === this.#limit) {
      if (this.#policy === 'drop-newest') return false;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#limit;
      this.#size--;
      this.#ring[(this.#head + this.#size) % this.#limit] = frame;
      this.#size++;
      return false;
    }
    this.#ring[(this.#head + this.#size) % this.#limit] = frame;
    this.#size++;
    return true;
  }

  /** Next frame, waiting when empty; `undefined` once ended and drained. */
  shift(): CanFrame | undefined | Promise<CanFrame | undefined> {
    if (this.#size > 0) {
      const frame = this.#ring[this.#head];
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#limit;
      this.#size--;
      return frame;
    }
    if (this.#ended) return undefined;
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Stops accepting frames; a pending `shift()` resolves `undefined`, queued frames stay readable. */
  end(): void {
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
  }

  /** Ends and forgets queued frames (the reader went away, nobody will read them). */
  discard(): void {
    this.#ring.fill(undefined);
    this.#size = 0;
    this.end();
  }
}
