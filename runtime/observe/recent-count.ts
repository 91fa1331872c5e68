/**
 * How much a cumulative counter grew over the last `windowS` seconds, from readings of its total
 * taken now and then. Health speaks of the recent past: a domain that missed deadlines a minute ago
 * and none since is healthy again, one that misses them now is not.
 */
export class RecentCount {
  readonly windowS: number;
  /** Readings [t, total], oldest first; one at or before the window's start is kept as its base. */
  readonly #readings: [number, number][] = [];

  /** @throws {RangeError} for a window that is not a positive number of seconds */
  constructor(windowS: number) {
    if (!(windowS > 0) || !Number.isFinite(windowS)) throw new RangeError(`window must be a positive number of seconds, got ${windowS}`);
    this.windowS = windowS;
  }

  /** Records the counter's total at `t` (readings in non-decreasing time). */
  observe(t: number, total: number): void {
    const last = this.#readings[this.#readings.length - 1];
    // Only changes matter: an unchanged total adds nothing the base reading does not already say.
    if (last !== undefined && last[1] === total) return;
    this.#readings.push([t, total]);
    this.#prune(t);
  }

  /** Growth of the total within (now − windowS, now]; before the first reading, 0. */
  count(now: number): number {
    this.#prune(now);
    const first = this.#readings[0];
    const last = this.#readings[this.#readings.length - 1];
    if (first === undefined || last === undefined) return 0;
    // Growth before the first reading is unknown; the first reading inside the window counts in full
    // only when the counter started from zero there (the common case: a daemon starting clean).
    const base = first[0] <= now - this.windowS ? first[1] : 0;
    return last[1] - base;
  }

  #prune(now: number): void {
    const start = now - this.windowS;
    while (this.#readings.length > 1 && (this.#readings[1] as [number, number])[0] <= start) this.#readings.shift();
  }
}
