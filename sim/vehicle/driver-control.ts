/**
 * How the driver drives: the Intelligent Driver Model (Treiber et al.) for speed and following,
 * with a reaction time before a newly cut-in vehicle is taken into account, and a preview
 * steering controller that holds the lane. The steering command is refreshed at the driver's
 * own pace with motor noise; during an attention lapse it is held, so the car drifts, and the
 * correction afterwards is sharper (what raises steering reversal rate and lane-position variance).
 */
import { clamp } from '../numeric.js';
import type { Rng } from '../random.js';
import type { Lateral } from './lateral.js';

/** Steering wheel lock (about 1.5 turns each way). */
const STEERING_LOCK_RAD = (540 * Math.PI) / 180;

/** Share of the friction limit a driver is willing to use in a bend. */
const CURVE_SHARE = 0.35;

export interface IdmParams {
  /** Desired time gap (s). */
  timeGapS: number;
  /** Standstill distance (m). */
  minGapM: number;
  maxAccel: number;
  comfortDecel: number;
  /** Seconds before a vehicle that just appeared ahead is reacted to. */
  reactionS: number;
}

/** The lead vehicle as the driver perceives it. */
export interface LeadView {
  readonly id: number;
  readonly gapM: number;
  readonly speedMps: number;
}

/** IDM acceleration at speed v, desired speed v0, behind `lead` (if any). */
export function idmAccel(v: number, v0: number, p: IdmParams, lead: LeadView | undefined): number {
  const free = 1 - Math.pow(v / Math.max(v0, 0.1), 4);
  if (!lead) return p.maxAccel * free;
  const dv = v - lead.speedMps;
  const sStar = p.minGapM + Math.max(0, v * p.timeGapS + (v * dv) / (2 * Math.sqrt(p.maxAccel * p.comfortDecel)));
  const gap = Math.max(lead.gapM, 0.1);
  return p.maxAccel * (free - (sStar / gap) ** 2);
}

export class DriverControl {
  readonly idm: IdmParams;
  /** Desired cruising speed, set by the scenario. */
  desiredSpeedMps: number;
  steeringWheelRad = 0;
  #rng: Rng;
  #nextUpdate = 0;
  #target = 0;
  #wasLapsing = false;
  #leadId: number | undefined;
  #leadSeenAt = 0;
  #now = 0;

  constructor(rng: Rng, idm: IdmParams, desiredSpeedMps: number) {
    this.#rng = rng;
    this.idm = idm;
    this.desiredSpeedMps = desiredSpeedMps;
  }

  /**
   * Longitudinal demand (m/s^2); the lead counts only once the driver has had time to react to it.
   * In a bend the driver slows to keep the lateral acceleration at a comfortable share of what the
   * road's friction `mu` allows.
   */
  accelDemand(v: number, lead: LeadView | undefined, previousLead: LeadView | undefined, mu: number, roadCurvature: number): number {
    if (lead && lead.id !== this.#leadId) {
      this.#leadId = lead.id;
      this.#leadSeenAt = this.#now;
    }
    let seen = lead;
    if (lead && this.#now - this.#leadSeenAt < this.idm.reactionS) seen = previousLead && previousLead.id !== lead.id ? previousLead : undefined;
    const curveLimit = Math.sqrt((CURVE_SHARE * mu * 9.81) / Math.max(Math.abs(roadCurvature), 1e-6));
    const v0 = Math.min(this.desiredSpeedMps, curveLimit);
    // Slowing for a bend is done gently, unlike braking for a lead car.
    const free = v > v0 ? Math.max(-2.5, idmAccel(v, v0, this.idm, undefined)) : Infinity;
    return clamp(Math.min(free, idmAccel(v, this.desiredSpeedMps, this.idm, seen)), -10, this.idm.maxAccel);
  }

  /** Advances the steering by `dt`; `lapsing` freezes corrections. */
  steer(dt: number, v: number, lateral: Lateral, roadCurvature: number, lapsing: boolean): void {
    this.#now += dt;
    const rng = this.#rng;
    if (!lapsing && this.#now >= this.#nextUpdate) {
      const sharp = this.#wasLapsing;
      const preview = sharp ? 0.7 : 1.4;
      const vv = Math.max(v, 3);
      const correction = (-2 * (lateral.laneOffset + vv * preview * lateral.headingError)) / (vv * preview) ** 2;
      const curvature = roadCurvature + correction;
      this.#target = lateral.steeringForCurvature(vv, curvature) + rng.gaussian(0, 0.004);
      this.#nextUpdate = this.#now + rng.uniform(0.15, 0.35);
      this.#wasLapsing = false;
    }
    if (lapsing) this.#wasLapsing = true;
    // A human turns the wheel at a bounded rate (about 400 deg/s at most).
    const maxStep = 7 * dt;
    this.steeringWheelRad += clamp(this.#target - this.steeringWheelRad, -maxStep, maxStep) * Math.min(1, dt / 0.08);
    this.steeringWheelRad = clamp(this.steeringWheelRad, -STEERING_LOCK_RAD, STEERING_LOCK_RAD);
  }
}
