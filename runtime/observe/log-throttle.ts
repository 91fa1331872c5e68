/**
 * Bounds how often a recurring failure is logged: the first one at once, then at most one line per
 * `periodS` carrying how many were left out since the last line. A failure repeating at the bus
 * rate must not flood the log (or the disk it is written to); the metric counts every one.
 */
export interface ThrottleDecision {
  /** Whether this occurrence should be logged. */
  readonly log: boolean;
  /** Occurrences not logged since the last logged one (to say in the line). */
  readonly suppressed: number;
}

export class LogThrottle {
  readonly periodS: number;
  #lastLogged = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  /** @throws {RangeError} for a period that is not a positive number of seconds */
  constructor(periodS = 10) {
    if (!(periodS > 0) || !Number.isFinite(periodS)) throw new RangeError(`period must be a positive number of seconds, got ${periodS}`);
    this.periodS = periodS;
  }

  /** One occurrence at `now` (clock seconds): whether to log it, and how many went unlogged before it. */
  hit(now: number): ThrottleDecision {
    if (now - this.#lastLogged < this.periodS) {
      this.#suppressed++;
      return { log: false, suppressed: this.#suppressed };
    }
    const suppressed = this.#suppressed;
    this.#lastLogged = now;
    this.#suppressed = 0;
    return { log: true, suppressed };
  }
}
