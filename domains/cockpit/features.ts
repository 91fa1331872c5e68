/**
 * Cockpit features over the last 30 s: PERCLOS (share of time the eyes are closed), eye opening,
 * blinks (rate, mean and longest closure), head pitch (fatigue lowers the head; nods during
 * microsleeps), gaze, and the driving: steering reversals and lane keeping.
 * Rows without a detected face (including the unfilled start of the window) are left out.
 */
import { WindowView, clampNum } from '../common/window-view.js';
import { COCKPIT_COLUMNS, COCKPIT_WINDOW, K } from './signals.js';

export const COCKPIT_FEATURE_SIZE = 12;
/** Eye opening (%) below which the eyes count as closed. */
export const CLOSED_PCT = 20;
/** Steering reversals smaller than this (deg) are noise. */
export const REVERSAL_GAP_DEG = 0.5;
const DT = 1 / COCKPIT_WINDOW.rateHz;

export interface EyeStats {
  readonly faceRows: number;
  /** Share of face rows with closed eyes. */
  readonly perclos: number;
  readonly meanOpenPct: number;
  /** Closures (runs of closed rows) per minute of face time. */
  readonly blinksPerMin: number;
  readonly meanClosureS: number;
  readonly longestClosureS: number;
  /** Mean head pitch over open-eyed rows (deg, positive = down) and its spread. */
  readonly meanPitchDeg: number;
  readonly sdPitchDeg: number;
  readonly gazeShare: number;
  readonly nodShare: number;
}

export function eyeStats(window: Float32Array): EyeStats {
  const w = new WindowView(window, COCKPIT_COLUMNS.length);
  let face = 0;
  let closed = 0;
  let open = 0;
  let openSum = 0;
  let pitch = 0;
  let pitch2 = 0;
  let gaze = 0;
  let nods = 0;
  let runs = 0;
  let run = 0;
  let runTotal = 0;
  let longest = 0;
  for (let r = 0; r < w.rows; r++) {
    if (w.at(r, K.FACE) < 0.5) continue;
    face++;
    const eye = (w.at(r, K.EYE_L) + w.at(r, K.EYE_R)) / 2;
    const p = w.at(r, K.PITCH);
    if (w.at(r, K.GAZE) > 0.5) gaze++;
    if (p > 10) nods++;
    if (eye < CLOSED_PCT) {
      closed++;
      if (run === 0) runs++;
      run++;
      longest = Math.max(longest, run);
      runTotal++;
    } else {
      run = 0;
      open++;
      openSum += eye;
      pitch += p;
      pitch2 += p * p;
    }
  }
  const meanPitch = open > 0 ? pitch / open : 0;
  return {
    faceRows: face,
    perclos: face > 0 ? closed / face : 0,
    meanOpenPct: open > 0 ? openSum / open : 0,
    blinksPerMin: face > 0 ? (runs * 60) / (face * DT) : 0,
    meanClosureS: runs > 0 ? (runTotal * DT) / runs : 0,
    longestClosureS: longest * DT,
    meanPitchDeg: meanPitch,
    sdPitchDeg: open > 1 ? Math.sqrt(Math.max(0, pitch2 / open - meanPitch * meanPitch)) : 0,
    gazeShare: face > 0 ? gaze / face : 0,
    nodShare: face > 0 ? nods / face : 0,
  };
}

/** Steering reversals per minute: direction changes of the wheel by more than the gap. */
export function steeringReversalsPerMin(window: Float32Array): number {
  const w = new WindowView(window, COCKPIT_COLUMNS.length);
  let reversals = 0;
  let dir = 0;
  let anchor = w.at(0, K.STEER);
  for (let r = 1; r < w.rows; r++) {
    const a = w.at(r, K.STEER);
    const d = a - anchor;
    if (Math.abs(d) < REVERSAL_GAP_DEG) continue;
    const s = Math.sign(d);
    if (dir !== 0 && s !== dir) reversals++;
    dir = s;
    anchor = a;
  }
  return (reversals * 60) / (w.rows * DT);
}

/** Fills `out` (COCKPIT_FEATURE_SIZE) from a window snapshot. */
export function cockpitFeatures(window: Float32Array, out: Float32Array): void {
  const w = new WindowView(window, COCKPIT_COLUMNS.length);
  const e = eyeStats(window);
  let lane = 0;
  let lane2 = 0;
  for (let r = 0; r < w.rows; r++) {
    const x = w.at(r, K.LANE);
    lane += x;
    lane2 += x * x;
  }
  const laneMean = lane / w.rows;
  out[0] = e.perclos;
  out[1] = e.meanOpenPct / 100;
  out[2] = clampNum(e.blinksPerMin / 30, 0, 5);
  out[3] = clampNum(e.meanClosureS, 0, 5);
  out[4] = clampNum(e.longestClosureS / 3, 0, 5);
  out[5] = clampNum(e.meanPitchDeg / 10, -3, 3);
  out[6] = clampNum(e.sdPitchDeg / 5, 0, 3);
  out[7] = e.gazeShare;
  out[8] = e.faceRows / w.rows;
  out[9] = clampNum(steeringReversalsPerMin(window) / 30, 0, 5);
  out[10] = clampNum(Math.sqrt(Math.max(0, lane2 / w.rows - laneMean * laneMean)) / 0.3, 0, 5);
  out[11] = e.nodShare;
}
