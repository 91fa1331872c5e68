/**
 * Who sits in the car and how they use the climate control. Occupants have a shared temperature
 * preference; the user set-point on the bus starts where the last trip left it and is nudged
 * towards what the occupants find comfortable every few minutes, so the bus lags the ground truth.
 * Seat mats see people and also bags; belts are worn by most but not all occupants.
 */
import type { Rng } from '../random.js';

export const SEATS = ['Driver', 'Passenger', 'RearLeft', 'RearCenter', 'RearRight'] as const;

export class Occupants {
  count: number;
  readonly seated: boolean[] = [false, false, false, false, false];
  readonly belted: boolean[] = [false, false, false, false, false];
  /** A bag on an empty seat presses the mat like a person. */
  readonly bagOn: boolean[] = [false, false, false, false, false];
  preferenceC: number;
  userSetpointC: number;
  #nextReview: number;
  #rng: Rng;

  constructor(rng: Rng, count: number, preferenceC: number, lastSetpointC: number) {
    this.#rng = rng;
    this.count = count;
    this.preferenceC = preferenceC;
    this.userSetpointC = lastSetpointC;
    this.#nextReview = rng.uniform(20, 120);
    this.seat(count);
  }

  /** Seats `count` people (driver first, then passenger, then the rear) and redraws belts and bags. */
  seat(count: number): void {
    const rng = this.#rng;
    this.count = Math.max(1, Math.min(5, count));
    const order = [0, 1, ...(rng.chance(0.5) ? [2, 4, 3] : [4, 2, 3])];
    for (let i = 0; i < 5; i++) {
      this.seated[i] = false;
      this.belted[i] = false;
      this.bagOn[i] = false;
    }
    for (let k = 0; k < this.count; k++) {
      const seat = order[k] as number;
      this.seated[seat] = true;
      this.belted[seat] = seat === 0 ? rng.chance(0.97) : rng.chance(0.85);
    }
    for (let i = 1; i < 5; i++) if (!this.seated[i] && rng.chance(0.12)) this.bagOn[i] = true;
  }

  /** The user reviews the set-point now and then and steps it towards `comfortC`. */
  step(now: number, comfortC: number): void {
    if (now < this.#nextReview) return;
    const rng = this.#rng;
    this.#nextReview = now + rng.uniform(45, 240);
    const diff = comfortC - this.userSetpointC;
    if (Math.abs(diff) < 0.5) return;
    const stepC = Math.min(Math.abs(diff), rng.pick([0.5, 1, 1.5, 2]));
    this.userSetpointC += Math.sign(diff) * stepC;
  }
}
