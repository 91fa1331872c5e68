/**
 * The front radar: what it reports of the traffic. Range 0.5 to 200 m with detection falling off
 * towards the limit, a +-45 degree field of view, noise growing with range, dropped detections,
 * occasional clutter (ghosts with low existence probability, stationary roadside objects) and
 * one cycle of latency (the report sent now was measured one cycle ago).
 */
import { clamp } from '../numeric.js';
import type { Rng } from '../random.js';
import type { Target, TargetType } from './traffic.js';

export interface RadarObject {
  readonly id: number;
  readonly distanceM: number;
  /** Target speed minus ego speed (negative = closing). */
  readonly relSpeedMps: number;
  readonly latOffsetM: number;
  readonly valid: boolean;
  readonly existProbPct: number;
  readonly type: TargetType | 0;
}

export const RADAR_MAX_RANGE_M = 200;
export const RADAR_MAX_OBJECTS = 8;
const FOV_TAN = Math.tan((45 * Math.PI) / 180);

export class Radar {
  #rng: Rng;
  #pending: RadarObject[] = [];
  #ghostId = 200;
  /** Extra dropout probability (spray, heavy rain); set by the scenario. */
  extraDropout = 0;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** Measures now and returns the previous cycle's measurement (the sensor's latency). */
  cycle(targets: readonly Target[], egoS: number, egoSpeed: number, egoLaneOffset: number): RadarObject[] {
    const out = this.#pending;
    this.#pending = this.#measure(targets, egoS, egoSpeed, egoLaneOffset);
    return out;
  }

  #measure(targets: readonly Target[], egoS: number, egoSpeed: number, egoLaneOffset: number): RadarObject[] {
    const rng = this.#rng;
    const found: RadarObject[] = [];
    for (const t of targets) {
      const r = t.s - egoS;
      const lat = t.lat - egoLaneOffset;
      if (r < 0.5 || r > RADAR_MAX_RANGE_M || Math.abs(lat) > r * FOV_TAN + 1) continue;
      const pDetect = 0.985 - 0.6 * (r / RADAR_MAX_RANGE_M) ** 4 - this.extraDropout;
      if (!rng.chance(pDetect)) continue;
      found.push({
        id: t.id,
        distanceM: clamp(r + rng.gaussian(0, 0.05 + 0.002 * r), 0, 255.9),
        relSpeedMps: t.speedMps - egoSpeed + rng.gaussian(0, 0.08),
        latOffsetM: clamp(lat + rng.gaussian(0, 0.05 + 0.0015 * r), -25.5, 25.5),
        valid: true,
        existProbPct: Math.round(clamp(99 - 30 * (r / RADAR_MAX_RANGE_M) ** 2 + rng.gaussian(0, 1.5), 50, 100)),
        type: t.type,
      });
    }
    if (rng.chance(0.03)) found.push(this.#clutter(egoSpeed, rng.chance(0.5)));
    found.sort((a, b) => a.distanceM - b.distanceM);
    return found.slice(0, RADAR_MAX_OBJECTS);
  }

  /** A ghost (multipath) or a stationary roadside object such as a sign gantry or a guard rail post. */
  #clutter(egoSpeed: number, stationary: boolean): RadarObject {
    const rng = this.#rng;
    this.#ghostId = this.#ghostId >= 254 ? 200 : this.#ghostId + 1;
    return {
      id: this.#ghostId,
      distanceM: rng.uniform(5, 180),
      relSpeedMps: stationary ? -egoSpeed + rng.gaussian(0, 0.1) : rng.gaussian(0, 5),
      latOffsetM: stationary ? rng.pick([-1, 1]) * rng.uniform(4, 9) : rng.uniform(-6, 6),
      valid: rng.chance(0.3),
      existProbPct: Math.round(rng.uniform(10, 55)),
      type: 0,
    };
  }
}
