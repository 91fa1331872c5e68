/**
 * Powertrain features, per cell (the model scores every cell with the same small network):
 * the cell's voltage deviation from the other cells of its group now and over the window (the
 * four cells of a group travel in one frame, so they are measured at the same instant and the
 * same current: comparing across groups would compare different loads), its extra
 * resistance (how its deviation moves with the pack current: a weak cell sags more under load),
 * its temperature sensor's deviation from the median sensor and how fast that sensor warms
 * relative to the others (an internal short heats), and the pack's load as context.
 * Layout: CELLS blocks of PER_CELL values, cell 1 first.
 */
import { WindowView, clampNum, medianInPlace } from '../common/window-view.js';
import { CELLS, CELLS_PER_SENSOR, COL_CELL, COL_CURRENT, COL_TEMP, POWERTRAIN_COLUMNS, TEMP_SENSORS } from './signals.js';

export const PER_CELL = 6;
/** Cells per BMS_CellVoltages frame (one multiplexer group). */
const CELLS_PER_GROUP = 4;
export const POWERTRAIN_FEATURE_SIZE = CELLS * PER_CELL;

/** Per-cell quantities the features and the fallback share. */
export interface CellStats {
  /** Newest voltage minus the mean of the other cells of its group (V), per cell. */
  readonly devNow: Float64Array;
  /** Mean over the window of the same (V). */
  readonly devMean: Float64Array;
  /** Extra resistance (ohm): slope of the deviation against the pack current. */
  readonly extraR: Float64Array;
  /** Newest sensor temperature minus the median sensor (K), per sensor. */
  readonly tempDev: Float64Array;
  /** Warming over the window minus the median sensor's (K), per sensor. */
  readonly tempRise: Float64Array;
  readonly meanAbsCurrent: number;
  readonly minCellV: number;
  readonly maxCellV: number;
  readonly maxTempC: number;
}

/** Rows at the start of the window still unfilled (all zeros) carry no information. */
function firstFilledRow(w: WindowView): number {
  for (let r = 0; r < w.rows; r++) if (w.at(r, COL_CELL) > 0 || w.at(r, COL_CELL + 1) > 0) return r;
  return w.rows;
}

export function cellStats(window: Float32Array): CellStats {
  const w = new WindowView(window, POWERTRAIN_COLUMNS.length);
  const devNow = new Float64Array(CELLS);
  const devMean = new Float64Array(CELLS);
  const extraR = new Float64Array(CELLS);
  const tempDev = new Float64Array(TEMP_SENSORS);
  const tempRise = new Float64Array(TEMP_SENSORS);
  const start = firstFilledRow(w);
  const n = w.rows - start;
  if (n <= 0) return { devNow, devMean, extraR, tempDev, tempRise, meanAbsCurrent: 0, minCellV: 0, maxCellV: 0, maxTempC: 0 };
  const devRows = new Float64Array(n * CELLS);
  let iMean = 0;
  for (let r = start; r < w.rows; r++) iMean += w.at(r, COL_CURRENT);
  iMean /= n;
  let iAbs = 0;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let r = start; r < w.rows; r++) {
    for (let g = 0; g < CELLS; g += CELLS_PER_GROUP) {
      let sum = 0;
      for (let j = 0; j < CELLS_PER_GROUP; j++) sum += w.at(r, COL_CELL + g + j);
      for (let j = 0; j < CELLS_PER_GROUP; j++) {
        const v = w.at(r, COL_CELL + g + j);
        devRows[(r - start) * CELLS + g + j] = v - (sum - v) / (CELLS_PER_GROUP - 1);
        if (r === w.rows - 1) {
          minV = Math.min(minV, v);
          maxV = Math.max(maxV, v);
        }
      }
    }
    iAbs += Math.abs(w.at(r, COL_CURRENT));
  }
  let sii = 0;
  for (let r = start; r < w.rows; r++) sii += (w.at(r, COL_CURRENT) - iMean) ** 2;
  for (let c = 0; c < CELLS; c++) {
    let sum = 0;
    let sdi = 0;
    for (let k = 0; k < n; k++) {
      const d = devRows[k * CELLS + c] as number;
      sum += d;
      sdi += d * (w.at(start + k, COL_CURRENT) - iMean);
    }
    devNow[c] = devRows[(n - 1) * CELLS + c] as number;
    devMean[c] = sum / n;
    // A deviation that falls as discharge current rises: resistance above the pack's (ohm, sign flipped).
    extraR[c] = sii > 25 * n ? -sdi / sii : 0;
  }
  const tNow = new Float64Array(TEMP_SENSORS);
  const tRise = new Float64Array(TEMP_SENSORS);
  let maxT = -Infinity;
  for (let s = 0; s < TEMP_SENSORS; s++) {
    const now = w.at(w.rows - 1, COL_TEMP + s);
    tNow[s] = now;
    tRise[s] = now - w.at(start, COL_TEMP + s);
    maxT = Math.max(maxT, now);
  }
  const medT = medianInPlace(Float64Array.from(tNow));
  const medRise = medianInPlace(Float64Array.from(tRise));
  for (let s = 0; s < TEMP_SENSORS; s++) {
    tempDev[s] = (tNow[s] as number) - medT;
    tempRise[s] = (tRise[s] as number) - medRise;
  }
  return { devNow, devMean, extraR, tempDev, tempRise, meanAbsCurrent: iAbs / n, minCellV: minV, maxCellV: maxV, maxTempC: maxT };
}

/** Fills `out` (POWERTRAIN_FEATURE_SIZE) from a window snapshot. */
export function powertrainFeatures(window: Float32Array, out: Float32Array): void {
  const s = cellStats(window);
  const load = clampNum(s.meanAbsCurrent / 100, 0, 5);
  for (let c = 0; c < CELLS; c++) {
    const sensor = Math.floor(c / CELLS_PER_SENSOR);
    const o = c * PER_CELL;
    out[o] = clampNum((s.devNow[c] as number) * 100, -10, 10);
    out[o + 1] = clampNum((s.devMean[c] as number) * 100, -10, 10);
    out[o + 2] = clampNum((s.extraR[c] as number) * 1000, -10, 10);
    out[o + 3] = clampNum((s.tempDev[sensor] as number) / 2, -10, 10);
    out[o + 4] = clampNum((s.tempRise[sensor] as number) * 2, -10, 10);
    out[o + 5] = load;
  }
}
