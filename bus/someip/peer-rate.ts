/**
 * A token bucket per sender (address:port): a sender may send `perSecond` datagrams a second with
 * bursts of as many. What a flooding sender sends beyond that is dropped before it is decoded, so
 * its cost is one map lookup per datagram. The table of senders is bounded (UDP source addresses
 * are free to forge): past `maxPeers` the stalest entry is forgotten.
 */
import type { NowSource } from './tp.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class PeerRateLimit {
  readonly #perSecond: number;
  readonly #maxPeers: number;
  readonly #clock: NowSource;
  // Insertion order is last-use order: a use moves the entry to the back.
  readonly #buckets = new Map<string, Bucket>();

  /** @throws {RangeError} on a rate or table size that is not positive. */
  constructor(clock: NowSource, perSecond: number, maxPeers = 1024) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`datagrams per second must be positive, got ${perSecond}`);
    if (!Number.isInteger(maxPeers) || maxPeers <= 0) throw new RangeError(`maxPeers must be a positive integer, got ${maxPeers}`);
    this.#clock = clock;
    this.#perSecond = perSecond;
    this.#maxPeers = maxPeers;
  }

  /** Takes one token for `peer`; false when its bucket is empty (drop the datagram). */
  allow(peer: string): boolean {
    const now = this.#clock.now();
    let b = this.#buckets.get(peer);
    if (b) {
      this.#buckets.delete(peer);
      b.tokens = Math.min(this.#perSecond, b.tokens + (now - b.at) * this.#perSecond);
      b.at = now;
    } else {
      if (this.#buckets.size >= this.#maxPeers) this.#buckets.delete(this.#buckets.keys().next().value as string);
      b = { tokens: this.#perSecond, at: now };
    }
    this.#buckets.set(peer, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
