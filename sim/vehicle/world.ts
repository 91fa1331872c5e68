/**
 * The whole simulated vehicle and its surroundings, advanced in fixed steps. Scenarios steer it
 * through the `env` fields and the traffic; everything random comes from named streams of one seed.
 */
import { Rng } from '../random.js';
import { Battery } from './battery.js';
import { Cabin, comfortSetpoint } from './cabin.js';
import { DriverControl, type IdmParams, type LeadView } from './driver-control.js';
import { DriverState } from './driver-state.js';
import { Lateral } from './lateral.js';
import { Longitudinal, type LongitudinalOutput } from './longitudinal.js';
import { Occupants } from './occupants.js';
import { Radar } from './radar.js';
import { Traffic } from './traffic.js';
import { SURFACES, surfaceCurve, type MagicFormula, type SurfaceName } from './tyre.js';

/** Conditions the scenario sets and may change at any step. */
export interface Environment {
  surface: SurfaceName;
  mu: number;
  roadCurvature: number;
  /** Curvature of the bend the driver sees coming (what the road eases into). */
  roadCurvatureAhead: number;
  ambientC: number;
  ambientHumidityPct: number;
  sunWm2: number;
  rainPct: number;
  /** Minutes since midnight. */
  timeOfDayMin: number;
  /** Overrides the driver's acceleration demand (m/s^2) while set: test manoeuvres. */
  forcedAccel: number | undefined;
}

export interface WorldInit {
  readonly speedMps: number;
  readonly desiredSpeedMps: number;
  readonly idm: IdmParams;
  readonly fatigue: number;
  readonly socStart: number;
  readonly batteryTempC: number;
  readonly cabinTempC: number;
  readonly occupants: number;
  readonly preferenceC: number;
  readonly lastSetpointC: number;
  readonly env: Omit<Environment, 'mu' | 'forcedAccel' | 'roadCurvatureAhead'> & { mu?: number };
}

/** Offset from the lane centre at which the wheels reach the lane marking's rumble strip. */
const LANE_DEPARTURE_M = 1.1;

/** Auxiliary electrical load (lights, computers, pumps), W. */
const AUX_W = 450;

export class World {
  readonly rng: Rng;
  readonly env: Environment;
  readonly long: Longitudinal;
  readonly lat = new Lateral();
  readonly driver: DriverState;
  readonly control: DriverControl;
  readonly traffic = new Traffic();
  readonly radar: Radar;
  readonly battery: Battery;
  readonly cabin: Cabin;
  readonly occupants: Occupants;
  t = 0;
  latAccel = 0;
  collisions = 0;
  #curve: MagicFormula;
  #curveKey = '';
  #motion: Rng;
  #previousLead: LeadView | undefined;

  constructor(seed: number, init: WorldInit) {
    this.rng = new Rng(seed);
    const rng = this.rng;
    const mu = init.env.mu ?? rng.fork('mu').uniform(...SURFACES[init.env.surface].muRange);
    this.env = { ...init.env, mu, forcedAccel: undefined, roadCurvatureAhead: init.env.roadCurvature };
    this.#curve = surfaceCurve(this.env.surface, mu);
    this.long = new Longitudinal(init.speedMps);
    this.driver = new DriverState(rng.fork('driver'), init.fatigue);
    this.control = new DriverControl(rng.fork('control'), { ...init.idm }, init.desiredSpeedMps);
    this.radar = new Radar(rng.fork('radar'));
    this.battery = new Battery(rng.fork('battery'), init.socStart, init.batteryTempC);
    this.cabin = new Cabin(init.cabinTempC, init.env.ambientHumidityPct);
    this.occupants = new Occupants(rng.fork('occupants'), init.occupants, init.preferenceC, init.lastSetpointC);
    this.#motion = rng.fork('motion');
  }

  /** The tyre curve of the current surface (rebuilt only when surface or mu change). */
  get curve(): MagicFormula {
    const key = `${this.env.surface}:${this.env.mu}`;
    if (key !== this.#curveKey) {
      this.#curve = surfaceCurve(this.env.surface, this.env.mu);
      this.#curveKey = key;
    }
    return this.#curve;
  }

  get egoS(): number {
    return this.long.positionM;
  }

  get motion(): LongitudinalOutput {
    return this.long.last;
  }

  /** The lead vehicle in the ego's lane, as ground truth. */
  lead(): LeadView | undefined {
    const t = this.traffic.leadOf(this.egoS, this.lat.laneOffset);
    return t ? { id: t.id, gapM: t.s - this.egoS, speedMps: t.speedMps } : undefined;
  }

  /** What the occupants would find comfortable now (the body domain's ground truth). */
  comfortSetpointC(): number {
    return comfortSetpoint({
      preferenceC: this.occupants.preferenceC,
      ambientC: this.env.ambientC,
      sunWm2: this.env.sunWm2,
      occupants: this.occupants.count,
      humidityPct: this.cabin.humidityPct,
    });
  }

  step(dt: number): void {
    const env = this.env;
    const lead = this.lead();
    const v = this.long.speedMps;
    const demand = env.forcedAccel ?? this.control.accelDemand(v, lead, this.#previousLead, env.mu, Math.max(Math.abs(env.roadCurvature), Math.abs(env.roadCurvatureAhead)));
    this.#previousLead = lead;
    const motion = this.long.step(dt, demand, this.curve, 2 * this.#motion.next() - 1);
    this.driver.step(dt);
    if (Math.abs(this.lat.laneOffset) > LANE_DEPARTURE_M) this.driver.startle();
    this.control.steer(dt, motion.speedMps, this.lat, env.roadCurvature, this.driver.inLapse);
    // Crosswind and road camber push the heading around a little; the driver has to correct.
    this.lat.headingError += this.#motion.gaussian(0, 0.0004) * Math.sqrt(dt / 0.01);
    this.latAccel = this.lat.step(dt, motion.speedMps, this.control.steeringWheelRad, env.mu, env.roadCurvature);
    this.traffic.step(dt, this.t, this.egoS);
    this.#resolveContact();
    const powerW = motion.drivePowerW + this.cabin.electricW + AUX_W;
    this.battery.step(dt, this.t, this.battery.currentForPower(powerW));
    this.cabin.step(dt, {
      ambientC: env.ambientC,
      ambientHumidityPct: env.ambientHumidityPct,
      sunWm2: env.sunWm2,
      occupants: this.occupants.count,
      speedMps: motion.speedMps,
      setpointC: this.occupants.userSetpointC,
    });
    this.occupants.step(this.t, this.comfortSetpointC());
    env.timeOfDayMin = (env.timeOfDayMin + dt / 60) % 1440;
    this.t += dt;
  }

  /** A rear-end contact: the ego cannot pass through the lead; it is counted and the speeds match. */
  #resolveContact(): void {
    const t = this.traffic.leadOf(this.egoS, this.lat.laneOffset);
    if (!t || t.s - this.egoS > 0.2) return;
    if (this.long.speedMps > t.speedMps + 0.5) this.collisions++;
    this.long.speedMps = Math.min(this.long.speedMps, t.speedMps);
    this.long.positionM = Math.min(this.long.positionM, t.s - 0.2);
  }
}
