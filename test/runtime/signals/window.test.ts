import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../runtime/errors.js';
import { FeatureWindow, parseSignalCatalog, SignalStore } from '../../../runtime/signals/index.js';

const can0 = { channel: 'can0' };
const catalog = parseSignalCatalog({
  'Vehicle.A': { message: 'MA', signal: 'A' },
  'Vehicle.B': { message: 'MB', signal: 'B' },
});
const MA = { name: 'MA', cycleTimeMs: 100 };
const MB = { name: 'MB', cycleTimeMs: 100 };

/** Store with A arriving 1 @ 0.05, 2 @ 0.15, 3 @ 0.32 (limit 5 x 0.1 s). */
function storeWithA(): SignalStore {
  const store = new SignalStore(catalog);
  store.ingest(can0, MA, { A: 1 }, 0.05);
  store.ingest(can0, MA, { A: 2 }, 0.15);
  store.ingest(can0, MA, { A: 3 }, 0.32);
  return store;
}

describe('FeatureWindow sample-and-hold', () => {
  it('holds the newest arrival at or before each tick, oldest row first', () => {
    const store = storeWithA();
    const w = new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 10, length: 4 });
    expect(w.advanceTo(0)).toBe(1);
    // Five ticks (0.0 .. 0.4) happened; the window keeps the newest four.
    expect(w.advanceTo(0.4)).toBe(4);
    const out = new Float32Array(4);
    expect(w.snapshot(out)).toBe(true);
    expect([...out]).toEqual([1, 2, 2, 3]);
    expect(w.latestTick).toBeCloseTo(0.4, 12);
  });

  it('lays out several signals row-major and reports invalid samples with the fill value', () => {
    const store = storeWithA();
    store.ingest(can0, MB, { B: 7 }, 0.25);
    const w = new FeatureWindow(store, { signals: ['Vehicle.A', 'Vehicle.B'], rateHz: 10, length: 4, fillValue: -1 });
    w.advanceTo(0.1);
    w.advanceTo(0.4);
    const out = new Float32Array(8);
    const valid = new Uint8Array(8);
    expect(w.snapshot(out, valid)).toBe(false);
    expect([...out]).toEqual([1, -1, 2, -1, 2, 7, 3, 7]);
    expect([...valid]).toEqual([1, 0, 1, 0, 1, 1, 1, 1]);
    expect(w.allValid()).toBe(false);
  });

  it('marks samples invalid once the signal has timed out, keeping the stale value', () => {
    const store = new SignalStore(catalog, { timeoutPeriods: 2 });
    store.ingest(can0, MA, { A: 4 }, 0);
    const w = new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 10, length: 3 });
    w.advanceTo(0);
    w.advanceTo(0.1);
    w.advanceTo(0.2);
    const out = new Float32Array(3);
    const valid = new Uint8Array(3);
    expect(w.snapshot(out, valid)).toBe(false);
    expect([...out]).toEqual([4, 4, 4]);
    // Limit 2 x 0.1 s: alive at 0 and 0.1, not at 0.2.
    expect([...valid]).toEqual([1, 1, 0]);
  });

  it('fills rows not yet sampled and reports the window incomplete', () => {
    const store = storeWithA();
    const w = new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 10, length: 4, fillValue: 9 });
    w.advanceTo(0.1);
    w.advanceTo(0.2);
    const out = new Float32Array(4);
    const valid = new Uint8Array(4);
    expect(w.snapshot(out, valid)).toBe(false);
    expect(w.filled).toBe(2);
    expect([...out]).toEqual([9, 9, 1, 2]);
    expect([...valid]).toEqual([0, 0, 1, 1]);
  });

  it('keeps time order across many wraps of the ring', () => {
    const store = new SignalStore(catalog);
    const w = new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 100, length: 5 });
    for (let n = 0; n < 23; n++) {
      store.ingest(can0, MA, { A: n }, n / 100);
      w.advanceTo(n / 100);
    }
    const out = new Float32Array(5);
    expect(w.snapshot(out)).toBe(true);
    expect([...out]).toEqual([18, 19, 20, 21, 22]);
  });

  it('advanceBefore leaves a tick for later so data stamped at the tick counts', () => {
    const store = new SignalStore(catalog);
    const w = new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 10, length: 2 });
    store.ingest(can0, MA, { A: 1 }, 0.1);
    w.advanceTo(0.1);
    expect(w.advanceBefore(0.2)).toBe(0);
    store.ingest(can0, MA, { A: 2 }, 0.2);
    expect(w.advanceTo(0.2)).toBe(1);
    const out = new Float32Array(2);
    w.snapshot(out);
    expect([...out]).toEqual([1, 2]);
  });

  it('samples nothing new when advanced to the same time twice', () => {
    const w = new FeatureWindow(storeWithA(), { signals: ['Vehicle.A'], rateHz: 10, length: 2 });
    expect(w.advanceTo(0.3)).toBe(1);
    expect(w.advanceTo(0.3)).toBe(0);
    expect(w.advanceTo(0.35)).toBe(0);
    expect(w.nextDue).toBeCloseTo(0.4, 12);
  });

  it('starts over after reset', () => {
    const w = new FeatureWindow(storeWithA(), { signals: ['Vehicle.A'], rateHz: 10, length: 2 });
    w.advanceTo(0.2);
    w.advanceTo(0.3);
    w.reset();
    expect(w.filled).toBe(0);
    expect(w.allValid()).toBe(false);
    w.advanceTo(0.4);
    expect(w.filled).toBe(1);
  });
});

describe('FeatureWindow linear interpolation', () => {
  it('interpolates between the arrivals around each tick and holds after the newest', () => {
    const w = new FeatureWindow(storeWithA(), { signals: ['Vehicle.A'], rateHz: 10, length: 4, interpolation: 'linear' });
    w.advanceTo(0.05);
    w.advanceTo(0.4);
    const out = new Float32Array(4);
    expect(w.snapshot(out)).toBe(true);
    const lerp = (t: number, t0: number, v0: number, t1: number, v1: number): number => v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    const expected = [lerp(0.1, 0.05, 1, 0.15, 2), lerp(0.2, 0.15, 2, 0.32, 3), lerp(0.3, 0.15, 2, 0.32, 3), 3];
    expected.forEach((e, i) => expect(out[i]).toBeCloseTo(e, 5));
  });

  it('with a delay, waits for the next arrival before sampling a tick', () => {
    const store = new SignalStore(catalog);
    const w = new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 10, length: 1, interpolation: 'linear', delayS: 0.1 });
    store.ingest(can0, MA, { A: 0 }, 0.0);
    w.advanceTo(0.15); // samples tick 0.0 only
    store.ingest(can0, MA, { A: 10 }, 0.2);
    expect(w.advanceTo(0.2)).toBe(1); // tick 0.1 is now due and sees the arrival at 0.2
    const out = new Float32Array(1);
    w.snapshot(out);
    expect(out[0]).toBeCloseTo(5, 5);
  });
});

describe('FeatureWindow checks', () => {
  it('rejects a signal missing from the catalog with a typed error', () => {
    expect(() => new FeatureWindow(storeWithA(), { signals: ['Vehicle.Z'], rateHz: 10, length: 2 })).toThrow(ConfigInvalidError);
  });

  it('rejects bad rates, lengths and too-small outputs', () => {
    const store = storeWithA();
    expect(() => new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 0, length: 2 })).toThrow(RangeError);
    expect(() => new FeatureWindow(store, { signals: ['Vehicle.A'], rateHz: 10, length: 0 })).toThrow(RangeError);
    expect(() => new FeatureWindow(store, { signals: [], rateHz: 10, length: 2 })).toThrow(RangeError);
    const w = new FeatureWindow(store, { signals: ['Vehicle.A', 'Vehicle.B'], rateHz: 10, length: 2 });
    expect(() => w.snapshot(new Float32Array(3))).toThrow(/needs 4 elements/);
  });

  it('gives identical snapshots for identical inputs (deterministic)', () => {
    const run = (): number[] => {
      const store = new SignalStore(catalog);
      const w = new FeatureWindow(store, { signals: ['Vehicle.A', 'Vehicle.B'], rateHz: 50, length: 16, interpolation: 'linear' });
      for (let n = 0; n < 200; n++) {
        const t = n * 0.0071;
        store.ingest(can0, n % 3 === 0 ? MB : MA, { A: Math.sin(n), B: Math.cos(n) }, t);
        w.advanceTo(t);
      }
      const out = new Float32Array(32);
      w.snapshot(out);
      return [...out];
    };
    expect(run()).toEqual(run());
  });
});

describe('FeatureWindow constant columns', () => {
  it('holds a constant column at its value, valid at every tick, beside the columns read from the store', () => {
    const store = storeWithA();
    // Vehicle.C is no signal of the catalog: a constant needs no slot in the store.
    const w = new FeatureWindow(store, { signals: ['Vehicle.C', 'Vehicle.A'], rateHz: 10, length: 3, constants: { 'Vehicle.C': 7 } });
    w.advanceTo(0.2);
    w.advanceTo(0.4);
    const out = new Float32Array(6);
    const validity = new Uint8Array(6);
    expect(w.snapshot(out, validity)).toBe(true);
    expect([...out]).toEqual([7, 2, 7, 2, 7, 3]);
    expect([...validity]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(w.validAtNewest(0)).toBe(true);
  });

  it('counts only the store columns when a sample is stale', () => {
    const w = new FeatureWindow(storeWithA(), { signals: ['Vehicle.A', 'Vehicle.C'], rateHz: 10, length: 2, constants: { 'Vehicle.C': 1 } });
    // A's last arrival (0.32) is 0.5 s old by then: stale.
    w.advanceTo(0.9);
    expect(w.validAtNewest(0)).toBe(false);
    expect(w.validAtNewest(1)).toBe(true);
    expect(w.allValid()).toBe(false);
  });

  it('rejects a constant for a column the window does not have', () => {
    expect(() => new FeatureWindow(storeWithA(), { signals: ['Vehicle.A'], rateHz: 10, length: 2, constants: { 'Vehicle.C': 1 } })).toThrow(/Vehicle.C is not a column/);
  });
});
