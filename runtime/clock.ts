/**
 * Time for everything time-dependent. Replay runs on a VirtualClock that the replayer advances,
 * so every decision in simulation depends only on the trace, never on the wall clock.
 * Times are in seconds (float) on the clock's own time base.
 */
export interface Clock {
  /** Current time in seconds. */
  now(): number;
  /** Resolves once `now() >= t` (immediately when it already is). Rejects if the signal aborts. */
  sleepUntil(t: number, signal?: AbortSignal): Promise<void>;
}

/** Monotonic wall time, in seconds since the clock was made (plus `origin`). */
export class RealClock implements Clock {
  readonly #startNs: bigint;
  readonly #origin: number;

  constructor(origin = 0) {
    this.#startNs = process.hrtime.bigint();
    this.#origin = origin;
  }

  now(): number {
    return this.#origin + Number(process.hrtime.bigint() - this.#startNs) / 1e9;
  }

  async sleepUntil(t: number, signal?: AbortSignal): Promise<void> {
    // setTimeout alone wakes late by up to a few ms; sleep coarse, then yield until the deadline.
    for (;;) {
      signal?.throwIfAborted();
      const left = t - this.now();
      if (left <= 0) return;
      if (left > 0.002) {
        await delay((left - 0.0015) * 1000, signal);
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Sleeper {
  readonly t: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * Time that moves only when told. Sleepers wake in (time, arrival) order as `advanceTo` passes
 * their deadlines, so the same sequence of calls always gives the same interleaving.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleepUntil(t: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (t <= this.#now) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = { t, seq: this.#seq++, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Number of pending sleepers (for tests and for the replayer to know whether anyone waits). */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** Earliest pending wake-up time, if any. */
  nextWake(): number | undefined {
    let best: number | undefined;
    for (const s of this.#sleepers) if (best === undefined || s.t < best) best = s.t;
    return best;
  }

  /**
   * Moves time forward to `t`, waking every sleeper due on the way in deadline order, and lets each
   * woken task run (a macrotask turn) before time moves past the next deadline.
   * @throws {RangeError} when asked to go back in time.
   */
  async advanceTo(t: number): Promise<void> {
    if (t < this.#now) throw new RangeError(`virtual time cannot go back from ${this.#now} to ${t}`);
    for (;;) {
      const due = this.#sleepers.filter((s) => s.t <= t).sort((a, b) => a.t - b.t || a.seq - b.seq)[0];
      if (!due) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== due);
      this.#now = Math.max(this.#now, due.t);
      due.resolve();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#now = t;
  }
}
