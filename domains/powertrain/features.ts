/**
 * Powertrain features, per cell (the model scores every cell with the same small network). The
 * four cells of a group travel in one frame, so they are measured at the same instant and the same
 * current: each cell is compared with the other cells of its group (comparing across groups would
 * compare different loads). Per cell: its deviation now and over the last seconds; its extra
 * resistance (how its deviation moves with the pack current: a weak cell sags more under load)
 * over the recent seconds and over the whole 120 s window (load changes are rarer than 6 s, and a
 * resistance seen under the last hard acceleration is still evidence while cruising); its
 * load-compensated deviation (the open-circuit part: a cell losing charge drifts down whatever the
 * load) and how that drifts across the window; its temperature sensor's deviation from the median
 * sensor and how much more it warmed over the window than the others (a short heats); the pack's
 * load as context.
 * Layout: CELLS blocks of PER_CELL values, cell 1 first.
 */
import { WindowView, clampNum, medianInPlace } from '../common/window-view.js';
import { CELLS, CELLS_PER_SENSOR, COL_CELL, COL_CURRENT, COL_TEMP, POWERTRAIN_COLUMNS, TEMP_SENSORS } from './signals.js';

export const PER_CELL = 9;
/** Cells per BMS_CellVoltages frame (one multiplexer group). */
const CELLS_PER_GROUP = 4;
/** Rows of the "recent" part of the window (6 s at 2.5 Hz). */
const RECENT_ROWS = 15;
export const POWERTRAIN_FEATURE_SIZE = CELLS * PER_CELL;

/** Per-cell quantities the features and the fallback share. */
export interface CellStats {
  /** Rows of the window that hold data (0: nothing received yet). */
  readonly filledRows: number;
  /** Newest voltage minus the mean of the other cells of its group (V), per cell. */
  readonly devNow: Float64Array;
  /** Mean of the same over the recent rows (V). */
  readonly devMean: Float64Array;
  /** Extra resistance (ohm): slope of the deviation against the pack current, recent rows. */
  readonly extraR: Float64Array;
  /** The same over the whole window (ohm). */
  readonly extraRLong: Float64Array;
  /** Load-compensated deviation (deviation + extra resistance x current) over the recent rows (V). */
  readonly ocvDev: Float64Array;
  /** Change of the load-compensated deviation from the window's oldest rows to its recent rows (V). */
  readonly ocvDrift: Float64Array;
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

/**
 * Least-squares slope of each cell's deviation against the current over rows [from, to) of
 * `devRows` (relative to `start`), sign flipped so a cell that sags more under discharge reads as
 * positive extra resistance. Without enough current variation (std < 5 A) there is no estimate: 0.
 */
function extraResistance(w: WindowView, devRows: Float64Array, start: number, from: number, to: number, out: Float64Array): void {
  const m = to - from;
  out.fill(0);
  if (m < 2) return;
  let iMean = 0;
  for (let k = from; k < to; k++) iMean += w.at(start + k, COL_CURRENT);
  iMean /= m;
  let sii = 0;
  for (let k = from; k < to; k++) sii += (w.at(start + k, COL_CURRENT) - iMean) ** 2;
  if (sii <= 25 * m) return;
  for (let k = from; k < to; k++) {
    const f = (w.at(start + k, COL_CURRENT) - iMean) / sii;
    const row = k * CELLS;
    for (let c = 0; c < CELLS; c++) out[c] = (out[c] as number) - (devRows[row + c] as number) * f;
  }
}

const EMPTY = (): CellStats => ({
  filledRows: 0,
  devNow: new Float64Array(CELLS),
  devMean: new Float64Array(CELLS),
  extraR: new Float64Array(CELLS),
  extraRLong: new Float64Array(CELLS),
  ocvDev: new Float64Array(CELLS),
  ocvDrift: new Float64Array(CELLS),
  tempDev: new Float64Array(TEMP_SENSORS),
  tempRise: new Float64Array(TEMP_SENSORS),
  meanAbsCurrent: 0,
  minCellV: 0,
  maxCellV: 0,
  maxTempC: 0,
});

let scratch = new Float64Array(0);

export function cellStats(window: Float32Array): CellStats {
  const w = new WindowView(window, POWERTRAIN_COLUMNS.length);
  const start = firstFilledRow(w);
  const n = w.rows - start;
  if (n <= 0) return EMPTY();
  // Every cell of every row: a scratch kept between calls (a service scores 10 windows a second).
  if (scratch.length < n * CELLS) scratch = new Float64Array(n * CELLS);
  const devRows = scratch;
  const data = w.data;
  const width = w.width;
  let iAbs = 0;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let r = start; r < w.rows; r++) {
    const base = r * width + COL_CELL;
    const row = (r - start) * CELLS;
    for (let g = 0; g < CELLS; g += CELLS_PER_GROUP) {
      let sum = 0;
      for (let j = 0; j < CELLS_PER_GROUP; j++) sum += data[base + g + j] as number;
      for (let j = 0; j < CELLS_PER_GROUP; j++) {
        const v = data[base + g + j] as number;
        devRows[row + g + j] = v - (sum - v) / (CELLS_PER_GROUP - 1);
        if (r === w.rows - 1) {
          minV = Math.min(minV, v);
          maxV = Math.max(maxV, v);
        }
      }
    }
    iAbs += Math.abs(w.at(r, COL_CURRENT));
  }
  const recent = Math.min(RECENT_ROWS, n);
  const extraR = new Float64Array(CELLS);
  const extraRLong = new Float64Array(CELLS);
  extraResistance(w, devRows, start, n - recent, n, extraR);
  extraResistance(w, devRows, start, 0, n, extraRLong);
  const devNow = new Float64Array(CELLS);
  const devMean = new Float64Array(CELLS);
  const ocvDev = new Float64Array(CELLS);
  const ocvDrift = new Float64Array(CELLS);
  // The oldest rows are compared with the recent ones only when they do not overlap.
  const old = n >= 2 * recent ? recent : 0;
  for (let c = 0; c < CELLS; c++) {
    const r = extraRLong[c] as number;
    let dSum = 0;
    let oSum = 0;
    for (let k = n - recent; k < n; k++) {
      const d = devRows[k * CELLS + c] as number;
      dSum += d;
      oSum += d + r * w.at(start + k, COL_CURRENT);
    }
    let oldSum = 0;
    for (let k = 0; k < old; k++) oldSum += (devRows[k * CELLS + c] as number) + r * w.at(start + k, COL_CURRENT);
    devNow[c] = devRows[(n - 1) * CELLS + c] as number;
    devMean[c] = dSum / recent;
    ocvDev[c] = oSum / recent;
    ocvDrift[c] = old > 0 ? oSum / recent - oldSum / old : 0;
  }
  const tNow = new Float64Array(TEMP_SENSORS);
  const tRise = new Float64Array(TEMP_SENSORS);
  let maxT = -Infinity;
  for (let s = 0; s < TEMP_SENSORS; s++) {
    const now = w.at(w.rows - 1, COL_TEMP + s);
    // The four temperature frames take 400 ms to go round, so a sensor's first reading can come a
    // row or two after the first cells': its rise counts from its own first reading, not from the
    // zeros before it (which would read as tens of kelvin of warming for a whole window).
    let first = start;
    while (first < w.rows - 1 && w.at(first, COL_TEMP + s) === 0) first++;
    tNow[s] = now;
    tRise[s] = now - w.at(first, COL_TEMP + s);
    maxT = Math.max(maxT, now);
  }
  const medT = medianInPlace(Float64Array.from(tNow));
  const medRise = medianInPlace(Float64Array.from(tRise));
  const tempDev = new Float64Array(TEMP_SENSORS);
  const tempRise = new Float64Array(TEMP_SENSORS);
  for (let s = 0; s < TEMP_SENSORS; s++) {
    tempDev[s] = (tNow[s] as number) - medT;
    tempRise[s] = (tRise[s] as number) - medRise;
  }
  return { filledRows: n, devNow, devMean, extraR, extraRLong, ocvDev, ocvDrift, tempDev, tempRise, meanAbsCurrent: iAbs / n, minCellV: minV, maxCellV: maxV, maxTempC: maxT };
}

/**
 * The last window and its features. The service runs at 10 Hz on a window sampled at 2.5 Hz, so
 * three calls in four see the same rows: compared bit for bit (NaN and -0 included), they are not
 * worked out again.
 */
const memo = { bits: new Uint32Array(0), features: new Float32Array(POWERTRAIN_FEATURE_SIZE), valid: false };

function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Fills `out` (POWERTRAIN_FEATURE_SIZE) from a window snapshot. */
export function powertrainFeatures(window: Float32Array, out: Float32Array): void {
  const bits = bitsOf(window);
  if (memo.valid && out.length === memo.features.length && sameBits(bits, memo.bits)) {
    out.set(memo.features);
    return;
  }
  computeFeatures(window, out);
  if (memo.bits.length !== bits.length) memo.bits = new Uint32Array(bits.length);
  memo.bits.set(bits);
  memo.features.set(out.subarray(0, memo.features.length));
  memo.valid = out.length === memo.features.length;
}

function computeFeatures(window: Float32Array, out: Float32Array): void {
  const s = cellStats(window);
  const load = clampNum(s.meanAbsCurrent / 100, 0, 5);
  for (let c = 0; c < CELLS; c++) {
    const sensor = Math.floor(c / CELLS_PER_SENSOR);
    const o = c * PER_CELL;
    out[o] = clampNum((s.devNow[c] as number) * 100, -10, 10);
    out[o + 1] = clampNum((s.devMean[c] as number) * 100, -10, 10);
    out[o + 2] = clampNum((s.extraR[c] as number) * 1000, -10, 10);
    out[o + 3] = clampNum((s.extraRLong[c] as number) * 1000, -10, 10);
    out[o + 4] = clampNum((s.ocvDev[c] as number) * 100, -10, 10);
    out[o + 5] = clampNum((s.ocvDrift[c] as number) * 1000, -10, 10);
    out[o + 6] = clampNum((s.tempDev[sensor] as number) / 2, -10, 10);
    out[o + 7] = clampNum((s.tempRise[sensor] as number) * 2, -10, 10);
    out[o + 8] = load;
  }
}
