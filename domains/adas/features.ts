/**
 * ADAS features: where the in-path lead is, how fast it closes in, how that changes (the lead
 * braking shows as a growing closing speed before the TTC does), and the ego's own motion. The lead
 * is held through a radar dropout of up to 0.15 s, and peak, smoothed and cut-in features (see
 * track.ts) keep one approach from reading as several on-off events.
 * The last two entries are not model inputs: the exported graph passes them through to its output
 * (the TTC and target id the warning message carries).
 */
import { WindowView, clampNum } from '../common/window-view.js';
import { timeToCollision, type LeadTarget } from './lead.js';
import { ADAS_COLUMNS, COL_ACCEL, COL_SPEED, COL_YAW } from './signals.js';
import { HOLD_ROWS, cutInCandidate, heldLead, leadsOf, meanClosing } from './track.js';

/** Features the network sees. */
export const ADAS_MODEL_FEATURES = 21;
/** Rows the smoothed closing speed averages over (0.2 s). */
const SMOOTH_ROWS = 4;
/** Pass-through features appended after them: TTC (s, 25.5 = none) and target id. */
export const ADAS_AUX_FEATURES = 2;
export const ADAS_FEATURE_SIZE = ADAS_MODEL_FEATURES + ADAS_AUX_FEATURES;
/** TTC the message uses for "no target". */
export const NO_TTC_S = 25.5;

function inverseTtc(lead: LeadTarget | undefined): number {
  if (lead === undefined) return 0;
  return clampNum(-lead.relSpeedMps / Math.max(lead.distanceM, 0.5), 0, 5);
}

/** Fills `out` (ADAS_FEATURE_SIZE) from a window snapshot. */
export function adasFeatures(window: Float32Array, out: Float32Array): void {
  const w = new WindowView(window, ADAS_COLUMNS.length);
  const n = w.rows;
  const leads = leadsOf(w);
  let present = 0;
  let peak = 0;
  for (const l of leads) {
    if (l) present++;
    peak = Math.max(peak, inverseTtc(l));
  }
  const held = heldLead(leads);
  const now = held.lead;
  const back = (k: number): LeadTarget | undefined => leads[Math.max(0, n - 1 - k)];
  const old = back(5);
  const closing = now ? -now.relSpeedMps : 0;
  const d = now ? now.distanceM : 255;
  // Closing-speed growth over 0.25 s (same target): the lead's braking as the ego sees it.
  const closingRate = now && old && old.id === now.id ? (-now.relSpeedMps + old.relSpeedMps) / 0.25 : 0;
  // TTC with that relative acceleration: d - c t - a t²/2 = 0.
  let ttcAccel = timeToCollision(now);
  if (now && closing + closingRate * 1 > 0.5) {
    const a = closingRate;
    const disc = closing * closing + 2 * a * d;
    if (Math.abs(a) > 1e-3 && disc >= 0) {
      const t = (-closing + Math.sqrt(disc)) / a;
      if (t > 0) ttcAccel = t;
    }
  }
  out[0] = now ? 1 : 0;
  out[1] = clampNum(d / 100, 0, 2.56);
  out[2] = clampNum(closing / 10, -3, 5);
  out[3] = inverseTtc(now);
  out[4] = inverseTtc(back(1));
  out[5] = inverseTtc(back(3));
  out[6] = inverseTtc(back(6));
  out[7] = clampNum(closingRate / 10, -3, 3);
  out[8] = w.last(COL_SPEED) / 100;
  out[9] = clampNum(w.last(COL_ACCEL) / 5, -3, 3);
  out[10] = now && closing > 0 ? clampNum((closing * closing) / (2 * Math.max(d, 0.5)) / 10, 0, 5) : 0;
  out[11] = now ? clampNum(Math.abs(now.latOffsetM) / 2, 0, 2) : 1;
  out[12] = Number.isFinite(ttcAccel) ? clampNum(1 / Math.max(ttcAccel, 0.1), 0, 5) : 0;
  out[13] = present / n;
  out[14] = now ? now.existPct / 100 : 0;
  out[15] = clampNum((w.last(COL_YAW) * Math.PI) / 180, -1, 1);
  out[16] = held.heldRows / HOLD_ROWS;
  out[17] = peak;
  const smooth = now ? meanClosing(leads, now.id, SMOOTH_ROWS) : Number.NaN;
  out[18] = now && Number.isFinite(smooth) ? clampNum(smooth / Math.max(now.distanceM, 0.5), 0, 5) : out[3];
  const cut = cutInCandidate(w);
  out[19] = cut ? clampNum(-cut.relSpeedMps / Math.max(cut.distanceM, 0.5), 0, 5) : 0;
  // How soon (1/s) the candidate reaches the corridor at its lateral speed.
  out[20] = cut ? clampNum(cut.latSpeedMps / Math.max(cut.gapM, 0.05), 0, 10) / 2 : 0;
  // The message's TTC and target come from the newest radar cycle alone, as the fallback's do.
  const newest = leads[n - 1];
  const ttc = timeToCollision(newest);
  out[ADAS_MODEL_FEATURES] = Number.isFinite(ttc) ? Math.min(ttc, NO_TTC_S) : NO_TTC_S;
  out[ADAS_MODEL_FEATURES + 1] = newest ? newest.id : 0;
}
