/**
 * The in-path lead target of one window row: the nearest plausible radar object inside the ego's
 * lane corridor, shared by features and fallback. The radar reports lateral offsets along the
 * road (relative to the ego's position in its lane), so the corridor follows the lane and needs no
 * bending by the yaw rate.
 */
import type { WindowView } from '../common/window-view.js';
import { RADAR_OBJECTS, objectColumn } from './signals.js';

/** Half-width of the ego corridor (m): half a 3.6 m lane. */
export const CORRIDOR_HALF_WIDTH_M = 1.8;
/** Objects below this existence probability are clutter. */
export const MIN_EXIST_PCT = 60;

export interface LeadTarget {
  readonly distanceM: number;
  /** Target minus ego speed (negative = closing). */
  readonly relSpeedMps: number;
  readonly latOffsetM: number;
  readonly existPct: number;
  readonly id: number;
}

/** The lead in row `row`, or undefined when no object qualifies. */
export function leadAt(w: WindowView, row: number): LeadTarget | undefined {
  let best: LeadTarget | undefined;
  for (let k = 0; k < RADAR_OBJECTS; k++) {
    if (w.at(row, objectColumn(k, 3)) < 0.5) continue;
    const exist = w.at(row, objectColumn(k, 4));
    if (exist < MIN_EXIST_PCT) continue;
    const d = w.at(row, objectColumn(k, 0));
    if (!(d > 0)) continue;
    const lat = w.at(row, objectColumn(k, 2));
    if (Math.abs(lat) > CORRIDOR_HALF_WIDTH_M) continue;
    if (best === undefined || d < best.distanceM) {
      best = { distanceM: d, relSpeedMps: w.at(row, objectColumn(k, 1)), latOffsetM: lat, existPct: exist, id: w.at(row, objectColumn(k, 5)) };
    }
  }
  return best;
}

/** Time to collision (s) at constant speeds; Infinity when not closing. */
export function timeToCollision(lead: LeadTarget | undefined): number {
  if (lead === undefined || lead.relSpeedMps >= -0.5) return Number.POSITIVE_INFINITY;
  return lead.distanceM / -lead.relSpeedMps;
}
