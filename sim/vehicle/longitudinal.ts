/**
 * Longitudinal dynamics of the ego vehicle: a rear-driven electric car with drag, rolling
 * resistance, a power- and torque-limited motor with regeneration, friction brakes on all wheels
 * and an ABS that holds the tyres near peak slip. Tyre forces come from the magic formula, so
 * the wheels turn faster (driving) or slower (braking) than the car moves.
 */
import { peakSlip, slipForFriction, type MagicFormula } from './tyre.js';

export const GRAVITY = 9.81;

export interface VehicleParams {
  readonly massKg: number;
  readonly dragArea: number;
  readonly airDensity: number;
  readonly rollingResistance: number;
  readonly wheelRadiusM: number;
  readonly gearRatio: number;
  readonly motorPowerW: number;
  readonly motorTorqueNm: number;
  readonly regenPowerW: number;
  /** Static share of the weight on the rear (driven) axle. */
  readonly rearAxleShare: number;
  /** Brake force per bar of line pressure, all wheels together. */
  readonly brakeGainNPerBar: number;
  /** Share of the peak friction an ABS cycle achieves on average. */
  readonly absEfficiency: number;
  readonly drivetrainEfficiency: number;
}

export const DEFAULT_VEHICLE: VehicleParams = {
  massKg: 1900,
  dragArea: 0.62,
  airDensity: 1.2,
  rollingResistance: 0.011,
  wheelRadiusM: 0.34,
  gearRatio: 9.0,
  motorPowerW: 150_000,
  motorTorqueNm: 350,
  regenPowerW: 60_000,
  rearAxleShare: 0.52,
  brakeGainNPerBar: 160,
  absEfficiency: 0.95,
  drivetrainEfficiency: 0.9,
};

/** What the longitudinal model reports after a step. */
export interface LongitudinalOutput {
  readonly speedMps: number;
  readonly accelMps2: number;
  /** Slip ratio of the front (undriven) and rear (driven) axle. */
  readonly slipFront: number;
  readonly slipRear: number;
  readonly absActive: boolean;
  readonly brakePressureBar: number;
  /** Motor shaft torque (negative = regeneration). */
  readonly motorTorqueNm: number;
  readonly motorRpm: number;
  /** Electrical power drawn by the drive (negative = regeneration). */
  readonly drivePowerW: number;
}

export class Longitudinal {
  readonly params: VehicleParams;
  speedMps: number;
  positionM = 0;
  #last: LongitudinalOutput;

  constructor(initialSpeedMps: number, params: VehicleParams = DEFAULT_VEHICLE) {
    this.params = params;
    this.speedMps = initialSpeedMps;
    this.#last = { speedMps: initialSpeedMps, accelMps2: 0, slipFront: 0, slipRear: 0, absActive: false, brakePressureBar: 0, motorTorqueNm: 0, motorRpm: 0, drivePowerW: 0 };
  }

  get last(): LongitudinalOutput {
    return this.#last;
  }

  /** Resistive force at the current speed (drag and rolling). */
  resistance(): number {
    const p = this.params;
    const v = this.speedMps;
    return 0.5 * p.airDensity * p.dragArea * v * v + (v > 0.01 ? p.rollingResistance * p.massKg * GRAVITY : 0);
  }

  /**
   * Advances by `dt` seconds with the driver (or controller) asking for `demandAccel` m/s^2.
   * `absJitter` (a random draw in [-1, 1]) shapes the ABS slip oscillation.
   */
  step(dt: number, demandAccel: number, curve: MagicFormula, absJitter = 0): LongitudinalOutput {
    const p = this.params;
    const v = this.speedMps;
    const weight = p.massKg * GRAVITY;
    const resist = this.resistance();
    const tyreDemand = p.massKg * demandAccel + resist;
    const muPeak = curve.d;
    let slipFront = 0;
    let slipRear = 0;
    let absActive = false;
    let brakeForce = 0;
    let driveForce = 0;
    if (tyreDemand >= 0) {
      const maxMotor = Math.min((p.motorTorqueNm * p.gearRatio) / p.wheelRadiusM, p.motorPowerW / Math.max(v, 1));
      const rearLoad = weight * p.rearAxleShare;
      driveForce = Math.min(tyreDemand, maxMotor, muPeak * rearLoad);
      slipRear = slipForFriction(driveForce / rearLoad, curve);
    } else {
      const wanted = -tyreDemand;
      const limit = muPeak * weight;
      if (wanted > limit && v > 1) {
        absActive = true;
        brakeForce = p.absEfficiency * limit;
        const sPeak = peakSlip(curve);
        slipFront = -sPeak * (1 + 0.5 * absJitter);
        slipRear = -sPeak * (1 - 0.5 * absJitter);
      } else {
        brakeForce = Math.min(wanted, limit);
        slipFront = slipRear = slipForFriction(-brakeForce / weight, curve);
      }
    }
    // Regeneration takes the first part of the braking up to its power limit; friction brakes the rest.
    const regenForce = Math.min(brakeForce, p.regenPowerW / Math.max(v, 1), (p.motorTorqueNm * p.gearRatio) / p.wheelRadiusM);
    const frictionBrake = absActive ? brakeForce : brakeForce - regenForce;
    let accel = (driveForce - brakeForce - resist) / p.massKg;
    if (v <= 0 && accel < 0) accel = 0;
    let next = v + accel * dt;
    if (next < 0) {
      next = 0;
      accel = -v / dt;
    }
    this.positionM += ((v + next) / 2) * dt;
    this.speedMps = next;
    const motorForce = absActive ? 0 : driveForce - regenForce;
    const motorTorqueNm = (motorForce * p.wheelRadiusM) / p.gearRatio;
    const motorRpm = ((next / p.wheelRadiusM) * (1 + slipRear) * p.gearRatio * 60) / (2 * Math.PI);
    const mech = motorForce * next;
    const drivePowerW = mech >= 0 ? mech / p.drivetrainEfficiency : mech * p.drivetrainEfficiency;
    this.#last = {
      speedMps: next,
      accelMps2: accel,
      slipFront,
      slipRear,
      absActive,
      brakePressureBar: frictionBrake / p.brakeGainNPerBar,
      motorTorqueNm,
      motorRpm,
      drivePowerW,
    };
    return this.#last;
  }
}
