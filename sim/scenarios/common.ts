/**
 * Building blocks the scenarios share: typical initial conditions drawn from ranges, a road whose
 * curvature changes every so often, traffic in the neighbouring lanes, and applying a plan's
 * conditions to a world that is already moving.
 */
import { clamp } from '../numeric.js';
import type { Rng } from '../random.js';
import { LANE_WIDTH_M, type TargetType } from '../vehicle/traffic.js';
import { SURFACES, type SurfaceName } from '../vehicle/tyre.js';
import type { World, WorldInit } from '../vehicle/world.js';

export const KMH = 1 / 3.6;

export interface InitOverrides {
  speedKmh?: readonly [number, number];
  surface?: SurfaceName;
  fatigue?: readonly [number, number];
  ambientC?: readonly [number, number];
  sunWm2?: readonly [number, number];
  rainPct?: number;
  timeOfDayMin?: readonly [number, number];
  occupants?: readonly [number, number];
  cabinTempC?: number;
}

/** Typical initial conditions, each drawn from its range; scenarios narrow what they care about. */
export function drawInit(rng: Rng, o: InitOverrides = {}): WorldInit {
  const speed = rng.uniform(...(o.speedKmh ?? [80, 120])) * KMH;
  const surface = o.surface ?? 'dry';
  const ambientC = rng.uniform(...(o.ambientC ?? [8, 26]));
  const timeOfDayMin = rng.uniform(...(o.timeOfDayMin ?? [7 * 60, 19 * 60]));
  const daylight = timeOfDayMin > 6 * 60 && timeOfDayMin < 20 * 60;
  const sunWm2 = daylight ? rng.uniform(...(o.sunWm2 ?? [50, 700])) : 0;
  const preferenceC = clamp(rng.gaussian(0, 1), -2.5, 2.5);
  return {
    speedMps: speed,
    desiredSpeedMps: speed,
    idm: {
      timeGapS: rng.uniform(1.1, 2.0),
      minGapM: rng.uniform(2, 4),
      maxAccel: rng.uniform(1.0, 2.0),
      comfortDecel: rng.uniform(1.5, 2.8),
      reactionS: rng.uniform(0.7, 1.4),
    },
    fatigue: rng.uniform(...(o.fatigue ?? [0.02, 0.25])),
    socStart: rng.uniform(0.35, 0.95),
    batteryTempC: clamp(ambientC + rng.uniform(0, 8), 5, 40),
    cabinTempC: o.cabinTempC ?? clamp(ambientC + rng.uniform(-2, 6), 0, 70),
    occupants: rng.int(...(o.occupants ?? [1, 4])),
    preferenceC,
    lastSetpointC: Math.round(clamp(22 + preferenceC + rng.gaussian(0, 1.5), 17, 28) * 2) / 2,
    env: {
      surface,
      mu: rng.uniform(...SURFACES[surface].muRange),
      roadCurvature: 0,
      ambientC,
      ambientHumidityPct: rng.uniform(30, 80),
      sunWm2,
      rainPct: o.rainPct ?? 0,
      timeOfDayMin,
    },
  };
}

/** The drawn values every scenario reports, rounded for reading. */
export function initParams(init: WorldInit): Record<string, number | string> {
  return {
    speed_kmh: Math.round(init.desiredSpeedMps / KMH),
    mu: Number((init.env.mu ?? 0).toFixed(3)),
    time_gap_s: Number(init.idm.timeGapS.toFixed(2)),
    reaction_s: Number(init.idm.reactionS.toFixed(2)),
    ambient_c: Number(init.env.ambientC.toFixed(1)),
    occupants: init.occupants,
  };
}

/** Applies a plan's conditions to a running world, as when the drive enters a new stretch of road. */
export function applyInit(world: World, init: WorldInit): void {
  const env = world.env;
  env.surface = init.env.surface;
  env.mu = init.env.mu ?? world.rng.fork(`mu@${world.t.toFixed(2)}`).uniform(...SURFACES[init.env.surface].muRange);
  env.ambientC = init.env.ambientC;
  env.ambientHumidityPct = init.env.ambientHumidityPct;
  env.rainPct = init.env.rainPct;
  env.sunWm2 = isDaylight(env.timeOfDayMin) ? init.env.sunWm2 : 0;
  Object.assign(world.control.idm, init.idm);
  world.control.desiredSpeedMps = init.desiredSpeedMps;
  world.driver.driftPerS = 0;
  world.radar.extraDropout = init.env.rainPct / 1000;
}

export function isDaylight(timeOfDayMin: number): boolean {
  return timeOfDayMin > 6 * 60 && timeOfDayMin < 20 * 60;
}

/**
 * A road of straights and bends: every 20 to 60 s a new curvature, eased in at most 5e-4 1/m per
 * second (a clothoid-like transition). Bends are kept drivable at the speed and friction of the
 * moment (lateral acceleration at most a quarter of mu g), as roads are signed and drivers slow.
 */
export class Road {
  #rng: Rng;
  #next = 0;
  #target = 0;
  readonly #maxCurvature: number;

  constructor(rng: Rng, minRadiusM: number) {
    this.#rng = rng;
    this.#maxCurvature = 1 / minRadiusM;
  }

  update(t: number, dt: number, world: World): void {
    if (t >= this.#next) {
      const rng = this.#rng;
      this.#next = t + rng.uniform(20, 60);
      const v = Math.max(world.long.speedMps, 8);
      const drivable = (0.25 * world.env.mu * 9.81) / (v * v);
      const max = Math.min(this.#maxCurvature, drivable);
      this.#target = rng.chance(0.5) ? 0 : rng.pick([-1, 1]) * rng.uniform(0.2 * max, max);
    }
    const c = world.env.roadCurvature;
    world.env.roadCurvatureAhead = this.#target;
    world.env.roadCurvature = c + clamp(this.#target - c, -5e-4 * dt, 5e-4 * dt);
  }
}

/** Vehicles overtaking on the left and being overtaken on the right, now and then. */
export class NeighbourTraffic {
  #rng: Rng;
  #next: number;
  readonly #rate: number;

  constructor(rng: Rng, perMinute: number) {
    this.#rng = rng;
    this.#rate = perMinute;
    this.#next = rng.uniform(0, 60 / Math.max(perMinute, 0.01));
  }

  update(t: number, world: World): void {
    if (this.#rate <= 0 || t < this.#next) return;
    const rng = this.#rng;
    this.#next = t + rng.uniform(0.3, 1.7) * (60 / this.#rate);
    const v = world.long.speedMps;
    const left = rng.chance(0.5);
    const type: TargetType = rng.chance(0.15) ? 2 : rng.chance(0.05) ? 3 : 1;
    const speed = Math.max(2, v + (left ? rng.uniform(3, 12) : -rng.uniform(3, 10)));
    world.traffic.add({ type, s: world.egoS + (left ? -rng.uniform(20, 60) : rng.uniform(60, 150)), lat: left ? LANE_WIDTH_M : -LANE_WIDTH_M, speedMps: speed });
  }
}

/** Puts a lead vehicle ahead in the ego lane if there is none (a fresh stretch of road). */
export function ensureLead(world: World, rng: Rng, gapM: readonly [number, number], speedMps: number): void {
  if (world.lead()) return;
  const type: TargetType = rng.chance(0.2) ? 2 : 1;
  world.traffic.add({ type, s: world.egoS + rng.uniform(...gapM), lat: 0, speedMps });
}
