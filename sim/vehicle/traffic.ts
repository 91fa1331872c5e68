/**
 * Other road users around the ego car. Positions are along the road (m, same axis as the ego's
 * odometer) and across it (m from the centre of the ego's lane, positive to the left). Each target
 * tracks its own desired speed unless the scenario commands a manoeuvre (a hard brake, a lane change).
 */

export type TargetType = 1 | 2 | 3 | 4 | 5;

export interface Target {
  readonly id: number;
  type: TargetType;
  /** Position of the target's rear along the road (m). */
  s: number;
  lat: number;
  speedMps: number;
  accelMps2: number;
  desiredSpeedMps: number;
  targetLat: number;
  /** Lateral speed of a lane change (m/s). */
  latRate: number;
  /** Commanded acceleration and until when it holds (s of simulation time). */
  command: { accel: number; until: number } | undefined;
}

export const LANE_WIDTH_M = 3.6;
/** Farther than this the target has left the scene. */
const HORIZON_M = 400;

export class Traffic {
  readonly targets: Target[] = [];
  #nextId = 1;

  add(init: Pick<Target, 'type' | 's' | 'lat' | 'speedMps'> & Partial<Pick<Target, 'desiredSpeedMps' | 'targetLat' | 'latRate'>>): Target {
    const t: Target = {
      id: this.#nextId,
      type: init.type,
      s: init.s,
      lat: init.lat,
      speedMps: init.speedMps,
      accelMps2: 0,
      desiredSpeedMps: init.desiredSpeedMps ?? init.speedMps,
      targetLat: init.targetLat ?? init.lat,
      latRate: init.latRate ?? 1,
      command: undefined,
    };
    // Ids wrap within the radar's 8-bit field, skipping 0 (no object).
    this.#nextId = (this.#nextId % 254) + 1;
    this.targets.push(t);
    return t;
  }

  /** Moves every target by `dt` at time `now`; removes those far out of range of `egoS`. */
  step(dt: number, now: number, egoS: number): void {
    for (const t of this.targets) {
      let a: number;
      if (t.command && now < t.command.until) a = t.command.accel;
      else {
        t.command = undefined;
        a = Math.max(-3, Math.min(1.5, 0.4 * (t.desiredSpeedMps - t.speedMps)));
      }
      const v = Math.max(0, t.speedMps + a * dt);
      t.accelMps2 = (v - t.speedMps) / dt;
      t.s += ((t.speedMps + v) / 2) * dt;
      t.speedMps = v;
      const dl = t.targetLat - t.lat;
      const step = t.latRate * dt;
      t.lat = Math.abs(dl) <= step ? t.targetLat : t.lat + Math.sign(dl) * step;
    }
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i] as Target;
      if (Math.abs(t.s - egoS) > HORIZON_M) this.targets.splice(i, 1);
    }
  }

  /** The nearest target ahead whose centre is within the ego's lane (given the ego's lane offset). */
  leadOf(egoS: number, egoLaneOffset: number): Target | undefined {
    let best: Target | undefined;
    for (const t of this.targets) {
      if (t.s < egoS - 0.5 || Math.abs(t.lat - egoLaneOffset) > LANE_WIDTH_M / 2) continue;
      if (!best || t.s < best.s) best = t;
    }
    return best;
  }
}
