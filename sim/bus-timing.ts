/**
 * When frames reach the bus: each frame goes out in its step at its message's slot with up to
 * 300 us of jitter, and a small share is lost on the way (its counter still advances, as the
 * sender sent it). One seeded stream, drawn jitter first then loss, frame by frame.
 */
import type { Rng } from './random.js';
import { STEP_MS } from './sensors.js';

const JITTER_US = 300;

export class BusTiming {
  #dropped = 0;

  constructor(
    private readonly rng: Rng,
    private readonly dropRate: number,
  ) {}

  /** Frames lost so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Timestamp, s, of a frame sent in step `k` at `slotUs` into the step. */
  stamp(k: number, slotUs: number): number {
    return Math.round(k * STEP_MS * 1000 + slotUs + this.rng.int(0, JITTER_US)) / 1e6;
  }

  /** Draws whether the next frame is lost, and counts it when it is. */
  lost(): boolean {
    if (!this.rng.chance(this.dropRate)) return false;
    this.#dropped++;
    return true;
  }
}
