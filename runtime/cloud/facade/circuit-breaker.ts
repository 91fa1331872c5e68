/**
 * A circuit breaker over cloud requests: after `failureThreshold` consecutive failures it opens and
 * every request fails fast (no traffic, no error storm) for `openMs`; then one probe goes through
 * (half-open). A successful probe closes it; a failed one reopens it for twice as long, up to `maxOpenMs`.
 * Pure state on an injected clock, so the ladder's decisions replay exactly.
 */
import type { Clock } from '../../clock.js';

export interface BreakerOptions {
  readonly failureThreshold?: number;
  readonly openMs?: number;
  readonly maxOpenMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  readonly #clock: Clock;
  readonly #threshold: number;
  readonly #baseOpenMs: number;
  readonly #maxOpenMs: number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openMs: number;
  #openUntil = 0;
  #probing = false;
  /** Times the breaker opened. */
  opened = 0;

  constructor(clock: Clock, opts: BreakerOptions = {}) {
    this.#clock = clock;
    this.#threshold = opts.failureThreshold ?? 3;
    this.#baseOpenMs = opts.openMs ?? 2000;
    this.#maxOpenMs = opts.maxOpenMs ?? 60_000;
    this.#openMs = this.#baseOpenMs;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a request would be let through now (no side effects). */
  wouldAllow(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'half-open') return !this.#probing;
    return this.#clock.now() * 1000 >= this.#openUntil;
  }

  /** Asks to send a request; true lets it through (and, after the open period, makes it the probe). */
  allow(): boolean {
    if (this.#state === 'open' && this.#clock.now() * 1000 >= this.#openUntil) {
      this.#state = 'half-open';
      this.#probing = false;
    }
    if (this.#state === 'closed') return true;
    if (this.#state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#probing = false;
    this.#openMs = this.#baseOpenMs;
  }

  failure(): void {
    if (this.#state === 'half-open') {
      this.#openMs = Math.min(this.#maxOpenMs, this.#openMs * 2);
      this.#open();
      return;
    }
    if (this.#state === 'closed' && ++this.#failures >= this.#threshold) this.#open();
  }

  #open(): void {
    this.#state = 'open';
    this.#probing = false;
    this.#failures = 0;
    this.#openUntil = this.#clock.now() * 1000 + this.#openMs;
    this.opened++;
  }
}
