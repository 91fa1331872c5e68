/**
 * Short-term tracking over the ADAS window, for features that must not flicker: the radar drops a
 * detection now and then (about 1.5 % of cycles, more in spray), and a lead that vanishes for one
 * cycle would otherwise read as "no lead" and split one warning into several. Also the cut-in
 * candidate: a car still just outside the corridor but moving into it, which the per-row lead
 * cannot see until the radar (one cycle late) reports it inside.
 */
import type { WindowView } from '../common/window-view.js';
import { CORRIDOR_HALF_WIDTH_M, MIN_EXIST_PCT, leadAt, type LeadTarget } from './lead.js';
import { RADAR_OBJECTS, objectColumn } from './signals.js';

/** Seconds between window rows (20 Hz). */
export const ROW_S = 0.05;
/** A lead missing from the newest rows is held for at most this many rows (0.15 s). */
export const HOLD_ROWS = 3;
/** How far outside the corridor (m) a car moving into it counts as a cut-in candidate. */
export const CUT_IN_MARGIN_M = 1.4;
/** Lateral speed toward the corridor (m/s) from which a car outside it counts as cutting in. */
export const CUT_IN_MIN_LAT_SPEED = 0.3;

/**
 * The newest row's lead or, when the radar dropped it, the lead of one of the last HOLD_ROWS rows
 * moved on by its relative speed (constant-speed prediction), with how many rows it was held.
 */
export function heldLead(leads: readonly (LeadTarget | undefined)[]): { lead: LeadTarget | undefined; heldRows: number } {
  const n = leads.length;
  for (let k = 0; k <= HOLD_ROWS && k < n; k++) {
    const l = leads[n - 1 - k];
    if (l === undefined) continue;
    if (k === 0) return { lead: l, heldRows: 0 };
    return { lead: { ...l, distanceM: Math.max(0.1, l.distanceM + l.relSpeedMps * ROW_S * k) }, heldRows: k };
  }
  return { lead: undefined, heldRows: 0 };
}

/** Mean closing speed (m/s) of target `id` over the newest `rows` rows where it is the lead; NaN when never. */
export function meanClosing(leads: readonly (LeadTarget | undefined)[], id: number, rows: number): number {
  let sum = 0;
  let count = 0;
  for (let k = 0; k < rows && k < leads.length; k++) {
    const l = leads[leads.length - 1 - k];
    if (l === undefined || l.id !== id) continue;
    sum -= l.relSpeedMps;
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

export interface CutIn {
  readonly distanceM: number;
  /** Target minus ego speed (negative = closing). */
  readonly relSpeedMps: number;
  /** Lateral speed toward the ego's lane centre (m/s, positive = moving in). */
  readonly latSpeedMps: number;
  /** Distance (m) still to go to the corridor's edge. */
  readonly gapM: number;
}

/** Object `id`'s lateral offset in row `row`, or NaN when that row does not report it. */
function latOf(w: WindowView, row: number, id: number): number {
  for (let k = 0; k < RADAR_OBJECTS; k++) {
    if (w.at(row, objectColumn(k, 3)) >= 0.5 && w.at(row, objectColumn(k, 5)) === id) return w.at(row, objectColumn(k, 2));
  }
  return Number.NaN;
}

/**
 * The nearest plausible object in the newest row that is outside the corridor but within
 * CUT_IN_MARGIN_M of it and moving toward it (lateral speed from the same object `back` rows
 * earlier), or undefined.
 */
export function cutInCandidate(w: WindowView, back = 4): CutIn | undefined {
  const row = w.rows - 1;
  const old = Math.max(0, row - back);
  if (old === row) return undefined;
  let best: CutIn | undefined;
  for (let k = 0; k < RADAR_OBJECTS; k++) {
    if (w.at(row, objectColumn(k, 3)) < 0.5 || w.at(row, objectColumn(k, 4)) < MIN_EXIST_PCT) continue;
    const d = w.at(row, objectColumn(k, 0));
    const lat = w.at(row, objectColumn(k, 2));
    const gap = Math.abs(lat) - CORRIDOR_HALF_WIDTH_M;
    if (!(d > 0) || gap <= 0 || gap > CUT_IN_MARGIN_M) continue;
    const before = latOf(w, old, w.at(row, objectColumn(k, 5)));
    if (Number.isNaN(before)) continue;
    const inward = (Math.abs(before) - Math.abs(lat)) / ((row - old) * ROW_S);
    if (inward < CUT_IN_MIN_LAT_SPEED) continue;
    if (best === undefined || d < best.distanceM) best = { distanceM: d, relSpeedMps: w.at(row, objectColumn(k, 1)), latSpeedMps: inward, gapM: gap };
  }
  return best;
}

/** Leads of every window row, oldest first. */
export function leadsOf(w: WindowView): (LeadTarget | undefined)[] {
  const out: (LeadTarget | undefined)[] = [];
  for (let r = 0; r < w.rows; r++) out.push(leadAt(w, r));
  return out;
}
