/**
 * Body features: what decides the comfortable set-point (the user's current set-point, which
 * carries the occupants' preference, outside temperature, sun, humidity, how many people) and
 * what tells how many people there are (seat mats see bags too, belts miss some; CO2 rises with
 * every person breathing).
 */
import { WindowView, clampNum } from '../common/window-view.js';
import { B, BODY_COLUMNS, SEAT_NAMES } from './signals.js';

export const BODY_FEATURE_SIZE = 12;

/** Seats with the mat pressed, and with the belt buckled, in the newest row. */
export function seatCounts(w: WindowView): { seats: number; belts: number; both: number } {
  let seats = 0;
  let belts = 0;
  let both = 0;
  for (let i = 0; i < SEAT_NAMES.length; i++) {
    const s = w.last(B.SEAT + i) > 0.5;
    const b = w.last(B.BELT + i) > 0.5;
    if (s) seats++;
    if (b) belts++;
    if (s && b) both++;
  }
  return { seats, belts, both };
}

/** The newest row that holds data (the window starts empty: all zeros). */
function firstFilledRow(w: WindowView): number {
  for (let r = 0; r < w.rows; r++) if (w.at(r, B.SETPOINT) > 0) return r;
  return w.rows - 1;
}

/** Fills `out` (BODY_FEATURE_SIZE) from a window snapshot. */
export function bodyFeatures(window: Float32Array, out: Float32Array): void {
  const w = new WindowView(window, BODY_COLUMNS.length);
  const c = seatCounts(w);
  const start = firstFilledRow(w);
  const spanS = Math.max(1, w.rows - 1 - start);
  const co2Rate = (w.last(B.CO2) - w.at(start, B.CO2)) / spanS;
  out[0] = (w.last(B.SETPOINT) - 22) / 3;
  out[1] = clampNum((w.last(B.AMBIENT) - 22) / 10, -4, 4);
  out[2] = w.last(B.SUN) / 500;
  out[3] = (w.last(B.HUMIDITY) - 50) / 20;
  out[4] = c.seats / 5;
  out[5] = c.belts / 5;
  out[6] = c.both / 5;
  out[7] = clampNum(co2Rate, -5, 5);
  out[8] = clampNum(w.last(B.CO2) / 1000, 0, 5);
  out[9] = clampNum((w.last(B.CABIN) - w.last(B.SETPOINT)) / 5, -5, 5);
  out[10] = w.last(B.SEAT + 1) > 0.5 ? 1 : 0;
  out[11] = clampNum(spanS / 120, 0, 1);
}
