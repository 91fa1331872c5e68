/**
 * What every backend shares: readers with bounded queues, filtering, stats, closed-state checks and
 * idempotent close. A backend implements only `transmit` (the raw write) and `release`, and calls
 * `deliver` for each frame its medium produces.
 */
import { BusClosedError, type BusError } from '../errors.js';
import type { CanFrame } from '../frame.js';
import type { Bus, BusStats, CommonBusOptions, DropPolicy } from './bus.js';
import { compileFilters } from './filter.js';
import { FrameQueue } from './frame-queue.js';
import { connectionlessLink, type LinkStatus } from './link.js';

export const DEFAULT_QUEUE_LIMIT = 10_000;

const RESOLVED: Promise<void> = Promise.resolve();

export abstract class BaseBus implements Bus {
  readonly name: string;
  readonly #stats: BusStats = { sent: 0, received: 0, dropped: 0, malformed: 0 };
  readonly #readers = new Set<FrameQueue>();
  readonly #accept: (frame: CanFrame) => boolean;
  readonly #queueLimit: number;
  readonly #dropPolicy: DropPolicy;
  readonly #onError: ((error: BusError) => void) | undefined;
  #closing: Promise<void> | undefined;

  /** @throws {RangeError} on a bad queue limit or filter. */
  protected constructor(name: string, options: CommonBusOptions = {}) {
    this.name = name;
    this.#accept = compileFilters(options.filters);
    this.#queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    this.#dropPolicy = options.dropPolicy ?? 'drop-oldest';
    this.#onError = options.onError;
    // Fail at open, not at the first frames() call.
    new FrameQueue(this.#queueLimit, this.#dropPolicy);
  }

  get stats(): Readonly<BusStats> {
    return { ...this.#stats };
  }

  /** A medium with a connection that can be lost overrides this. */
  get link(): Readonly<LinkStatus> {
    return connectionlessLink(this.closed);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Puts a frame on the medium. @throws {BusClosedError} after close. */
  send(frame: CanFrame): Promise<void> {
    if (this.#closing) return Promise.reject(new BusClosedError(this.name));
    let pending: Promise<void> | void;
    try {
      pending = this.transmit(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    // Synchronous media (the virtual bus) skip a promise chain per frame on the hot path.
    if (pending === undefined) {
      this.#stats.sent++;
      return RESOLVED;
    }
    return pending.then(() => {
      this.#stats.sent++;
    });
  }

  frames(signal?: AbortSignal): AsyncIterable<CanFrame> {
    const queue = new FrameQueue(this.#queueLimit, this.#dropPolicy);
    if (this.#closing || signal?.aborted) queue.end();
    else this.#readers.add(queue);
    const onAbort = (): void => {
      this.#readers.delete(queue);
      queue.discard();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      this.#readers.delete(queue);
      queue.discard();
    };
    const iterator: AsyncIterator<CanFrame> = {
      next: async () => {
        const frame = await queue.shift();
        if (frame === undefined) {
          finish();
          return { done: true, value: undefined };
        }
        return { done: false, value: frame };
      },
      return: async () => {
        finish();
        return { done: true, value: undefined };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  /** Ends every reader (they drain what is queued) and releases the medium. Idempotent. */
  close(): Promise<void> {
    if (!this.#closing) {
      for (const q of this.#readers) q.end();
      this.#readers.clear();
      this.#closing = this.release();
    }
    return this.#closing;
  }

  /** Hands an arriving frame to every reader, after the filters. */
  protected deliver(frame: CanFrame): void {
    if (this.#closing || !this.#accept(frame)) return;
    this.#stats.received++;
    for (const q of this.#readers) if (!q.push(frame)) this.#stats.dropped++;
  }

  /** Counts input the medium delivered that did not decode, and tells the owner why. */
  protected reportMalformed(error: BusError): void {
    this.#stats.malformed++;
    this.#onError?.(error);
  }

  protected abstract transmit(frame: CanFrame): Promise<void> | void;
  protected abstract release(): Promise<void>;
}
