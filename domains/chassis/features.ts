/**
 * Chassis features: how much the driven (rear) wheels slip for the friction the motor asks of them
 * (the tyre's slip stiffness, high on asphalt and low on snow and ice), what braking achieved while
 * the ABS regulated (the peak friction itself), and the weather the car sees (air temperature, rain,
 * how well the camera sees the lane).
 */
import { WindowView, clampNum } from '../common/window-view.js';
import { CHASSIS_COLUMNS, C } from './signals.js';

export const CHASSIS_FEATURE_SIZE = 16;

const G = 9.81;
/** Reference vehicle: motor torque → rear tyre force → friction used on the rear axle. */
const GEAR_RATIO = 9;
const WHEEL_RADIUS_M = 0.34;
const DRIVETRAIN_EFFICIENCY = 0.9;
const REAR_AXLE_LOAD_N = 0.52 * 1900 * G;
/** Below this speed slip ratios are noise over a tiny denominator (km/h). */
const MIN_SPEED_KMH = 10;

/** Friction the rear axle transmits for a motor torque (positive = driving). */
export function rearFrictionUsed(torqueNm: number): number {
  return (torqueNm * GEAR_RATIO * DRIVETRAIN_EFFICIENCY) / WHEEL_RADIUS_M / REAR_AXLE_LOAD_N;
}

/** Sums over the window the features and the fallback share. */
export interface SlipStats {
  /** Rows at usable speed. */
  readonly rows: number;
  readonly meanSlipRear: number;
  readonly meanSlipFront: number;
  readonly sdSlipRear: number;
  readonly meanMuUsed: number;
  /** Least-squares friction per unit rear slip (slip stiffness) over driving rows; NaN without excitation. */
  readonly stiffness: number;
  readonly absShare: number;
  /** Largest deceleration while the ABS regulated, in g (the achieved peak friction); 0 without ABS. */
  readonly absDecelG: number;
}

export function slipStats(window: Float32Array): SlipStats {
  const w = new WindowView(window, CHASSIS_COLUMNS.length);
  let rows = 0;
  let sr = 0;
  let sr2 = 0;
  let sf = 0;
  let mu = 0;
  let sxy = 0;
  let sxx = 0;
  let abs = 0;
  let absDecel = 0;
  for (let r = 0; r < w.rows; r++) {
    if (w.at(r, C.ABS) > 0.5) {
      abs++;
      absDecel = Math.max(absDecel, -w.at(r, C.AX) / G);
    }
    const v = w.at(r, C.SPEED);
    if (v < MIN_SPEED_KMH) continue;
    rows++;
    const rear = ((w.at(r, C.RL) + w.at(r, C.RR)) / 2) / v - 1;
    const front = ((w.at(r, C.FL) + w.at(r, C.FR)) / 2) / v - 1;
    const m = rearFrictionUsed(w.at(r, C.TORQUE));
    sr += rear;
    sr2 += rear * rear;
    sf += front;
    mu += m;
    if (m > 0.01) {
      sxy += m * rear;
      sxx += m * m;
    }
  }
  const meanRear = rows > 0 ? sr / rows : 0;
  // slip = mu / k  →  k = Σmu² / Σ(mu·slip), fitted through the origin.
  const stiffness = sxx > 0.01 * 0.01 * 10 && sxy > 0 ? sxx / sxy : Number.NaN;
  return {
    rows,
    meanSlipRear: meanRear,
    meanSlipFront: rows > 0 ? sf / rows : 0,
    sdSlipRear: rows > 1 ? Math.sqrt(Math.max(0, sr2 / rows - meanRear * meanRear)) : 0,
    meanMuUsed: rows > 0 ? mu / rows : 0,
    stiffness,
    absShare: abs / w.rows,
    absDecelG: absDecel,
  };
}

/** Fills `out` (CHASSIS_FEATURE_SIZE) from a window snapshot. */
export function chassisFeatures(window: Float32Array, out: Float32Array): void {
  const w = new WindowView(window, CHASSIS_COLUMNS.length);
  const s = slipStats(window);
  let ax = 0;
  let ay = 0;
  let brake = 0;
  let lane = 0;
  for (let r = 0; r < w.rows; r++) {
    ax += Math.abs(w.at(r, C.AX));
    ay = Math.max(ay, Math.abs(w.at(r, C.AY)));
    brake += w.at(r, C.BRAKE);
    lane += w.at(r, C.LANE);
  }
  const n = Math.max(1, w.rows);
  out[0] = clampNum(s.meanSlipRear * 100, -10, 10);
  out[1] = clampNum(s.meanSlipFront * 100, -10, 10);
  out[2] = clampNum(s.sdSlipRear * 100, 0, 10);
  out[3] = clampNum(s.meanMuUsed * 10, -5, 5);
  out[4] = Number.isNaN(s.stiffness) ? 0 : clampNum(Math.log1p(s.stiffness) / 3, 0, 3);
  out[5] = Number.isNaN(s.stiffness) ? 0 : 1;
  out[6] = s.absShare;
  out[7] = clampNum(s.absDecelG, 0, 1.5);
  out[8] = ax / n / G;
  out[9] = ay / G;
  out[10] = clampNum(w.last(C.AMBIENT) / 10, -4, 6);
  out[11] = w.last(C.RAIN) / 100;
  out[12] = w.last(C.WIPER) / 3;
  out[13] = lane / n / 3;
  out[14] = w.last(C.SPEED) / 100;
  out[15] = clampNum(brake / n / 50, 0, 5);
}
