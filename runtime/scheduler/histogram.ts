/**
 * Latency statistics in fixed memory: a log-bucketed histogram (1 % relative width) from 1 µs to
 * 1000 s, plus exact count, sum, min and max. A long replay records millions of samples without
 * growing, and quantiles are within one bucket (≈1 %) of the exact order statistic.
 */

const MIN_MS = 1e-3;
const MAX_MS = 1e6;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH) + 2;

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  /**
   * Records one sample in ms; values below 1 µs land in the first bucket, above 1000 s in the last.
   * @throws {RangeError} for a negative or non-finite sample (a clock bug, never silently absorbed)
   */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency sample must be finite and >= 0, got ${ms}`);
    this.#counts[bucketOf(ms)]!++;
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#count;
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1) in ms: the geometric middle of the bucket holding the rank-⌈q·n⌉
   * sample, clamped to the exact min and max. 0 when empty.
   * @throws {RangeError} when q is outside [0, 1]
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
    if (this.#count === 0) return 0;
    if (q === 1) return this.#max;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, bucketMid(i)));
    }
    return this.#max;
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      max: this.#count === 0 ? 0 : this.#max,
      mean: this.#count === 0 ? 0 : this.#sum / this.#count,
    };
  }

  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH));
}

function bucketMid(i: number): number {
  if (i === 0) return MIN_MS;
  // Bucket i covers (MIN·g^(i-1), MIN·g^i]; its geometric middle is MIN·g^(i-0.5).
  return MIN_MS * Math.pow(GROWTH, i - 0.5);
}
