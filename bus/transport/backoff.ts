/**
 * Reconnect delays (a bus link, the cloud link): exponential with full jitter, so a fleet that lost
 * a server or broker at the same moment does not come back in lock step. The random source is
 * injected so tests are exact.
 */

export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs?: number;
  /** Ceiling of the exponential part, ms. */
  readonly maxMs?: number;
  readonly factor?: number;
  /** Share of the delay that is random: 0 = none, 1 = anywhere in [0, delay]. */
  readonly jitter?: number;
}

/** A seeded PRNG (mulberry32) in [0, 1): the default random source of reconnects, reproducible in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Successive delays of one outage; `reset()` after a successful connection. */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  /** @throws {RangeError} for a non-positive initial delay, a max below it, a factor below 1 or jitter outside [0, 1] */
  constructor(opts: BackoffOptions = {}, random: () => number = Math.random) {
    this.#initial = opts.initialMs ?? 250;
    this.#max = opts.maxMs ?? 30_000;
    this.#factor = opts.factor ?? 2;
    this.#jitter = opts.jitter ?? 0.5;
    if (!(this.#initial > 0) || this.#max < this.#initial || this.#factor < 1 || this.#jitter < 0 || this.#jitter > 1) {
      throw new RangeError(`backoff: bad options ${JSON.stringify(opts)}`);
    }
    this.#random = random;
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay in ms: base·factor^attempt capped at max, minus a random share of up to `jitter`. */
  next(): number {
    const base = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt);
    this.#attempt++;
    return base * (1 - this.#jitter * this.#random());
  }

  reset(): void {
    this.#attempt = 0;
  }
}
