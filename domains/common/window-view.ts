/**
 * Reading a feature-window snapshot (row-major [time, signal], oldest row first) by row and column,
 * and the small statistics the domains' features and fallbacks share.
 */

/** A read-only view of one snapshot with the window's width. */
export class WindowView {
  readonly rows: number;
  constructor(
    readonly data: Float32Array,
    readonly width: number,
  ) {
    this.rows = Math.floor(data.length / width);
  }

  /** Value of column `col` at row `row` (0 = oldest). */
  at(row: number, col: number): number {
    return this.data[row * this.width + col] as number;
  }

  /** Value of column `col` in the newest row. */
  last(col: number): number {
    return this.at(this.rows - 1, col);
  }
}

/** Median of the first `n` values of `values` (sorted in place on a scratch copy the caller owns). */
export function medianInPlace(values: Float64Array | Float32Array, n = values.length): number {
  if (n === 0) return 0;
  const view = values.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (view[mid] as number) : ((view[mid - 1] as number) + (view[mid] as number)) / 2;
}

/** `x` limited to [lo, hi]; NaN becomes `lo` so no feature ever carries a NaN into a model. */
export function clampNum(x: number, lo: number, hi: number): number {
  if (!(x >= lo)) return lo;
  return x > hi ? hi : x;
}

/** Index of the largest value (first on ties). */
export function argmax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
