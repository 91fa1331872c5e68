/**
 * Feature windows: fixed-rate, resampled ring buffers of vehicle signals, the input of a model.
 *
 * Ticks sit on a fixed grid, tick k at `k / rateHz` seconds, so two windows of the same rate agree
 * and replays repeat exactly. At each tick every signal is sampled from the store: zero-order hold
 * of the newest arrival at or before the tick, or (option) linear interpolation towards the next
 * arrival when it is known. `delayS` samples each tick only once time has passed `tick + delayS`,
 * which lets linear interpolation see the next arrival. A sample is valid when the signal was
 * alive at the tick (see SignalStore). A column given a constant (an input this vehicle does not
 * have, at its documented default) is not read from the store: it holds the constant and is always
 * valid. `snapshot()` copies the window, oldest row first, into a
 * caller's Float32Array (row-major [time, signal]) without allocating.
 *
 *   row 0 (oldest):  s0 s1 ... s(w-1)
 *   ...
 *   row L-1 (newest): s0 s1 ... s(w-1)
 */
import type { SignalStore } from './store.js';

export type Interpolation = 'hold' | 'linear';

export interface FeatureWindowSpec {
  /** Vehicle signal names, in column order. */
  readonly signals: readonly string[];
  readonly rateHz: number;
  /** Samples (rows) kept. */
  readonly length: number;
  /** Default 'hold' (sample-and-hold). */
  readonly interpolation?: Interpolation;
  /** Seconds a tick waits before it is sampled. Default 0. */
  readonly delayS?: number;
  /** Value written where no valid value exists. Default 0 (NaN would poison a model). */
  readonly fillValue?: number;
  /** Columns (by signal name) that hold a fixed value instead of the store's, always valid. */
  readonly constants?: Readonly<Record<string, number>>;
}

export class FeatureWindow {
  readonly signals: readonly string[];
  readonly rateHz: number;
  readonly length: number;
  readonly width: number;
  readonly interpolation: Interpolation;
  readonly delayS: number;
  readonly fillValue: number;
  readonly #store: SignalStore;
  /** The columns read from the store, and the store slot of each. */
  readonly #columns: Int32Array;
  readonly #slots: Int32Array;
  readonly #values: Float64Array;
  readonly #valid: Uint8Array;
  readonly #rowInvalid: Int32Array;
  readonly #rowTick: Float64Array;
  #nextK = Number.NaN;
  #head = -1; // row of the newest sample
  #filled = 0;
  #invalid = 0; // invalid samples among the filled rows

  /**
   * @param store - where values come from; the window reads it at each tick.
   * @throws {ConfigInvalidError} when a signal (other than a constant) is not in the store's catalog.
   * @throws {RangeError} on a non-positive rate or length, an empty signal list, or a constant for no column.
   */
  constructor(store: SignalStore, spec: FeatureWindowSpec) {
    if (!(spec.rateHz > 0) || !Number.isFinite(spec.rateHz)) throw new RangeError(`rateHz must be positive, got ${spec.rateHz}`);
    if (!Number.isInteger(spec.length) || spec.length < 1) throw new RangeError(`length must be a positive integer, got ${spec.length}`);
    if (spec.signals.length === 0) throw new RangeError('a feature window needs at least one signal');
    const delay = spec.delayS ?? 0;
    if (!(delay >= 0) || !Number.isFinite(delay)) throw new RangeError(`delayS must be >= 0, got ${delay}`);
    this.#store = store;
    this.signals = Object.freeze([...spec.signals]);
    this.rateHz = spec.rateHz;
    this.length = spec.length;
    this.width = spec.signals.length;
    this.interpolation = spec.interpolation ?? 'hold';
    this.delayS = delay;
    this.fillValue = spec.fillValue ?? 0;
    const constants = spec.constants ?? {};
    for (const name of Object.keys(constants)) if (!spec.signals.includes(name)) throw new RangeError(`constant ${name} is not a column of the window`);
    const read = spec.signals.flatMap((name, col) => (name in constants ? [] : [col]));
    this.#columns = Int32Array.from(read);
    this.#slots = Int32Array.from(read.map((col) => store.indexOf(spec.signals[col] as string)));
    this.#values = new Float64Array(this.length * this.width);
    this.#valid = new Uint8Array(this.length * this.width);
    // Constant columns are written once: no tick ever overwrites them.
    spec.signals.forEach((name, col) => {
      const value = constants[name];
      if (value === undefined) return;
      for (let r = 0; r < this.length; r++) {
        this.#values[r * this.width + col] = value;
        this.#valid[r * this.width + col] = 1;
      }
    });
    this.#rowInvalid = new Int32Array(this.length);
    this.#rowTick = new Float64Array(this.length);
  }

  /** Rows sampled so far, at most `length`. */
  get filled(): number {
    return this.#filled;
  }

  /** Time of the newest sampled tick, NaN before the first. */
  get latestTick(): number {
    return this.#head < 0 ? Number.NaN : (this.#rowTick[this.#head] as number);
  }

  /** Time at which the next tick becomes due (its tick time plus `delayS`); NaN before the first advance. */
  get nextDue(): number {
    return Number.isNaN(this.#nextK) ? Number.NaN : this.#nextK / this.rateHz + this.delayS;
  }

  /**
   * Whether signal `s` (its column) was valid at the newest tick; false before the first tick.
   * Reads the window in place: a per-call check that copies nothing.
   */
  validAtNewest(s: number): boolean {
    return this.#head >= 0 && this.#valid[this.#head * this.width + s] === 1;
  }

  /** True when the window is full and every sample in it is valid. */
  allValid(): boolean {
    return this.#filled === this.length && this.#invalid === 0;
  }

  /**
   * Samples every tick due by `now` (tick + delayS <= now). The first call starts the grid at the
   * newest due tick; when more ticks are due than the window holds, only the newest `length` are sampled.
   * @returns the number of rows sampled.
   */
  advanceTo(now: number): number {
    return this.#advance(now, true);
  }

  /**
   * Like advanceTo but samples only ticks due strictly before `t`: call it before ingesting a frame
   * stamped `t`, so a tick never sees data from after it. The router does this for attached windows.
   * @returns the number of rows sampled.
   */
  advanceBefore(t: number): number {
    return this.#advance(t, false);
  }

  #advance(now: number, inclusive: boolean): number {
    if (!Number.isFinite(now)) return 0;
    const at = now - this.delayS;
    const rate = this.rateHz;
    // Largest k with k / rate <= at (or < at), robust to k / rate * rate != k in floating point.
    let kMax = Math.floor(at * rate);
    while ((kMax + 1) / rate < at || (inclusive && (kMax + 1) / rate === at)) kMax++;
    while (kMax / rate > at || (!inclusive && kMax / rate === at)) kMax--;
    let k = Number.isNaN(this.#nextK) ? kMax : Math.max(this.#nextK, kMax - this.length + 1);
    if (k > kMax) return 0;
    const n = kMax - k + 1;
    const linear = this.interpolation === 'linear';
    for (; k <= kMax; k++) this.#sampleRow(k / rate, linear);
    this.#nextK = kMax + 1;
    return n;
  }

  #sampleRow(tick: number, linear: boolean): void {
    const w = this.width;
    const row = (this.#head + 1) % this.length;
    if (this.#filled === this.length) this.#invalid -= this.#rowInvalid[row] as number;
    else this.#filled++;
    const store = this.#store;
    const columns = this.#columns;
    let invalid = 0;
    for (let c = 0; c < columns.length; c++) {
      const s = columns[c] as number;
      const ok = store.sample(this.#slots[c] as number, tick, linear);
      const v = store.sampled;
      this.#values[row * w + s] = Number.isFinite(v) ? v : this.fillValue;
      this.#valid[row * w + s] = ok ? 1 : 0;
      if (!ok) invalid++;
    }
    this.#rowInvalid[row] = invalid;
    this.#invalid += invalid;
    this.#rowTick[row] = tick;
    this.#head = row;
  }

  /**
   * Copies the window into `out` (row-major [time, signal], oldest row first; rows not yet sampled
   * hold `fillValue` and count as invalid). Allocates nothing.
   * @param out - at least `length * width` elements.
   * @param validity - optional per-sample mask (1 valid, 0 not), same layout.
   * @returns whether every sample was valid (the window full and every signal alive at every tick).
   * @throws {RangeError} when `out` or `validity` is too small.
   */
  snapshot(out: Float32Array, validity?: Uint8Array): boolean {
    const w = this.width;
    const total = this.length * w;
    if (out.length < total) throw new RangeError(`snapshot needs ${total} elements (${this.length} x ${w}), got ${out.length}`);
    if (validity && validity.length < total) throw new RangeError(`validity needs ${total} elements, got ${validity.length}`);
    const missing = this.length - this.#filled;
    if (missing > 0) {
      out.fill(this.fillValue, 0, missing * w);
      validity?.fill(0, 0, missing * w);
    }
    // Oldest filled row sits just after the head once the ring has wrapped, else at row 0.
    let row = this.#filled === this.length ? (this.#head + 1) % this.length : 0;
    for (let r = missing; r < this.length; r++) {
      const src = row * w;
      const dst = r * w;
      for (let s = 0; s < w; s++) {
        out[dst + s] = this.#values[src + s] as number;
        if (validity) validity[dst + s] = this.#valid[src + s] as number;
      }
      row = row + 1 === this.length ? 0 : row + 1;
    }
    return this.allValid();
  }

  /** Forgets every sample; the next advance restarts the grid. */
  reset(): void {
    this.#nextK = Number.NaN;
    this.#head = -1;
    this.#filled = 0;
    this.#invalid = 0;
    this.#rowInvalid.fill(0);
  }
}
