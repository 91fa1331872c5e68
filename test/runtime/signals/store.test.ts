import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../runtime/errors.js';
import { parseSignalCatalog, SignalStore } from '../../../runtime/signals/index.js';

const can0 = { channel: 'can0' };
const can1 = { channel: 'can1' };
const esp = { name: 'ESP_Speed', cycleTimeMs: 10 };
const noCycle = { name: 'ESP_Speed' };

function speedCatalog(extra: Record<string, unknown> = {}) {
  return parseSignalCatalog({ 'Vehicle.Speed': { message: 'ESP_Speed', signal: 'VehicleSpeed', ...extra } });
}

describe('SignalStore with a DBC cycle time', () => {
  it('reports the latest value with its timestamp and age', () => {
    const store = new SignalStore(speedCatalog());
    expect(store.get('Vehicle.Speed', 1)).toBeUndefined();
    expect(store.ingest(can0, esp, { VehicleSpeed: 12.5 }, 1.0)).toBe(1);
    expect(store.ingest(can0, esp, { VehicleSpeed: 13 }, 1.01)).toBe(1);
    const r = store.get('Vehicle.Speed', 1.02);
    expect(r?.value).toBe(13);
    expect(r?.timestamp).toBe(1.01);
    expect(r?.age).toBeCloseTo(0.01, 12);
    expect(r?.valid).toBe(true);
    expect(r?.periodS).toBe(0.01);
  });

  it('goes invalid once the signal has missed timeoutPeriods periods', () => {
    const k = 3;
    const store = new SignalStore(speedCatalog(), { timeoutPeriods: k });
    store.ingest(can0, esp, { VehicleSpeed: 20 }, 2);
    const limit = k * 0.01;
    expect(store.get('Vehicle.Speed', 2 + limit * 0.99)?.valid).toBe(true);
    expect(store.get('Vehicle.Speed', 2 + limit * 1.01)?.valid).toBe(false);
    expect(store.get('Vehicle.Speed', 2 + limit * 1.01)?.value).toBe(20);
    expect(store.get('Vehicle.Speed', 2)?.limitS).toBeCloseTo(limit, 12);
    // A fresh arrival makes it valid again.
    store.ingest(can0, esp, { VehicleSpeed: 21 }, 3);
    expect(store.get('Vehicle.Speed', 3)?.valid).toBe(true);
  });

  it('lets the catalog period override the DBC cycle time', () => {
    const store = new SignalStore(speedCatalog({ periodMs: 100 }), { timeoutPeriods: 2 });
    store.ingest(can0, esp, { VehicleSpeed: 1 }, 0);
    expect(store.get('Vehicle.Speed', 0.15)?.valid).toBe(true);
    expect(store.get('Vehicle.Speed', 0.25)?.valid).toBe(false);
    expect(store.get('Vehicle.Speed', 0)?.periodS).toBe(0.1);
  });
});

describe('SignalStore period learning', () => {
  // Binary fractions keep the arithmetic exact: seven intervals of 1/8 s and one gap of 1/2 s.
  const times = [0, 0.125, 0.25, 0.375, 0.875, 1.0, 1.125, 1.25, 1.375];

  it('uses unlearnedTimeoutS before a second arrival, then k times the longest interval, then k times the median', () => {
    const store = new SignalStore(speedCatalog(), { timeoutPeriods: 4, unlearnedTimeoutS: 2, learnIntervals: 8 });
    const i = store.indexOf('Vehicle.Speed');
    store.ingest(can0, noCycle, { VehicleSpeed: 0 }, times[0] as number);
    expect(store.periodOf(i)).toBeUndefined();
    expect(store.limitOf(i)).toBe(2);
    expect(store.get('Vehicle.Speed', 1.9)?.valid).toBe(true);
    expect(store.get('Vehicle.Speed', 2.1)?.valid).toBe(false);

    for (let n = 1; n < 5; n++) store.ingest(can0, noCycle, { VehicleSpeed: n }, times[n] as number);
    expect(store.periodOf(i)).toBeUndefined();
    expect(store.limitOf(i)).toBe(4 * 0.5);

    for (let n = 5; n < times.length; n++) store.ingest(can0, noCycle, { VehicleSpeed: n }, times[n] as number);
    expect(store.periodOf(i)).toBe(0.125);
    expect(store.limitOf(i)).toBe(0.5);
    expect(store.get('Vehicle.Speed', 1.375 + 0.49)?.valid).toBe(true);
    expect(store.get('Vehicle.Speed', 1.375 + 0.51)?.valid).toBe(false);
  });

  it('learns each signal separately', () => {
    const cat = parseSignalCatalog({
      'Vehicle.A': { message: 'M1', signal: 'A' },
      'Vehicle.B': { message: 'M2', signal: 'B' },
    });
    const store = new SignalStore(cat, { learnIntervals: 3 });
    for (let n = 0; n <= 3; n++) {
      store.ingest(can0, { name: 'M1' }, { A: n }, n * 0.25);
      store.ingest(can0, { name: 'M2' }, { B: n }, n * 0.5);
    }
    expect(store.periodOf(store.indexOf('Vehicle.A'))).toBe(0.25);
    expect(store.periodOf(store.indexOf('Vehicle.B'))).toBe(0.5);
  });
});

describe('SignalStore routing rules', () => {
  it('feeds a channel-bound signal only from its channel and an unbound one from any', () => {
    const cat = parseSignalCatalog({
      'Vehicle.Speed': { message: 'ESP_Speed', signal: 'VehicleSpeed', channel: 'can1' },
      'Vehicle.SpeedAny': { message: 'ESP_Speed', signal: 'VehicleSpeed' },
    });
    const store = new SignalStore(cat);
    expect(store.ingest(can0, esp, { VehicleSpeed: 5 }, 1)).toBe(1);
    expect(store.get('Vehicle.Speed', 1)).toBeUndefined();
    expect(store.get('Vehicle.SpeedAny', 1)?.value).toBe(5);
    expect(store.ingest(can1, esp, { VehicleSpeed: 6 }, 1.005)).toBe(2);
    expect(store.get('Vehicle.Speed', 1.005)?.value).toBe(6);
    expect(store.wants('ESP_Speed', 'can7')).toBe(true);
    expect(store.wants('Other')).toBe(false);
  });

  it('leaves signals that a frame does not carry (other multiplexer pages) untouched', () => {
    const cat = parseSignalCatalog({
      'Vehicle.Battery.Cell1': { message: 'BMS', signal: 'Cell1' },
      'Vehicle.Battery.Cell2': { message: 'BMS', signal: 'Cell2' },
    });
    const store = new SignalStore(cat);
    store.ingest(can0, { name: 'BMS' }, { Mux: 0, Cell1: 3.7 }, 1);
    store.ingest(can0, { name: 'BMS' }, { Mux: 1, Cell2: 3.6 }, 1.1);
    expect(store.get('Vehicle.Battery.Cell1', 1.2)).toMatchObject({ value: 3.7, timestamp: 1 });
    expect(store.get('Vehicle.Battery.Cell2', 1.2)).toMatchObject({ value: 3.6, timestamp: 1.1 });
  });

  it('ignores and counts arrivals older than the latest value', () => {
    const store = new SignalStore(speedCatalog());
    store.ingest(can0, esp, { VehicleSpeed: 2 }, 2);
    expect(store.ingest(can0, esp, { VehicleSpeed: 1 }, 1)).toBe(0);
    expect(store.outOfOrder).toBe(1);
    expect(store.get('Vehicle.Speed', 2)?.value).toBe(2);
  });

  it('ignores non-finite times and unknown messages', () => {
    const store = new SignalStore(speedCatalog());
    expect(store.ingest(can0, esp, { VehicleSpeed: 2 }, Number.NaN)).toBe(0);
    expect(store.ingest(can0, { name: 'Nope' }, { VehicleSpeed: 2 }, 1)).toBe(0);
    expect(store.get('Vehicle.Speed', 5)).toBeUndefined();
  });

  it('keeps enum labels as strings and treats NaN values as invalid', () => {
    const cat = parseSignalCatalog({
      'Vehicle.Gear': { message: 'TCU', signal: 'Gear' },
      'Vehicle.Temp': { message: 'TCU', signal: 'Temp' },
    });
    const store = new SignalStore(cat);
    store.ingest(can0, { name: 'TCU', cycleTimeMs: 100 }, { Gear: 'DRIVE', Temp: Number.NaN }, 1);
    expect(store.get('Vehicle.Gear', 1.05)).toMatchObject({ value: 'DRIVE', valid: true });
    expect(store.get('Vehicle.Temp', 1.05)?.valid).toBe(false);
    expect(store.validCount(1.05)).toBe(1);
  });

  it('answers for an earlier instant from the kept history', () => {
    const store = new SignalStore(speedCatalog(), { history: 2 });
    store.ingest(can0, esp, { VehicleSpeed: 1 }, 1);
    store.ingest(can0, esp, { VehicleSpeed: 2 }, 1.01);
    store.ingest(can0, esp, { VehicleSpeed: 3 }, 1.02);
    expect(store.get('Vehicle.Speed', 1.015)).toMatchObject({ value: 2, timestamp: 1.01 });
    // The arrival at 1.0 has left a two-deep history.
    expect(store.get('Vehicle.Speed', 1.005)).toBeUndefined();
  });

  it('treats a repeat at the same instant as one arrival, not two', () => {
    const store = new SignalStore(speedCatalog(), { history: 2 });
    store.ingest(can0, esp, { VehicleSpeed: 1 }, 10);
    store.ingest(can0, esp, { VehicleSpeed: 2 }, 10);
    expect(store.get('Vehicle.Speed', 10)?.value).toBe(2);
    expect(store.get('Vehicle.Speed', 0)).toBeUndefined();
  });

  it('throws a typed error naming an unknown vehicle signal', () => {
    const store = new SignalStore(speedCatalog());
    expect(() => store.get('Vehicle.Nope', 0)).toThrow(ConfigInvalidError);
    expect(() => store.indexOf('Vehicle.Nope')).toThrow(/Vehicle\.Nope/);
  });

  it('rejects nonsensical options', () => {
    expect(() => new SignalStore(speedCatalog(), { timeoutPeriods: 0 })).toThrow(RangeError);
    expect(() => new SignalStore(speedCatalog(), { history: 1.5 })).toThrow(RangeError);
  });
});

describe('SignalStore properties', () => {
  const arrival = fc.record({
    // Half-second steps make equal and out-of-order times common, not just possible.
    t: fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.integer({ min: 0, max: 20 }).map((n) => n / 2)),
    v: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    cycle: fc.boolean(),
  });
  const query = fc.double({ min: -1, max: 12, noNaN: true });

  it('never reports a value from the future nor a valid value older than its limit, and matches a naive oracle', () => {
    fc.assert(
      fc.property(fc.array(arrival, { maxLength: 40 }), fc.array(query, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 5 }), (arrivals, queries, history) => {
        const k = 4;
        const store = new SignalStore(speedCatalog(), { timeoutPeriods: k, history, learnIntervals: 3 });
        // The oracle keeps every accepted arrival: later-or-equal times only, equal times replace.
        const accepted: { t: number; v: number }[] = [];
        for (const a of arrivals) {
          store.ingest(can0, a.cycle ? esp : noCycle, { VehicleSpeed: a.v }, a.t);
          const last = accepted[accepted.length - 1];
          if (last && a.t < last.t) continue;
          if (last && a.t === last.t) last.v = a.v;
          else accepted.push({ t: a.t, v: a.v });
        }
        const kept = accepted.slice(-history);
        for (const now of queries) {
          const r = store.get('Vehicle.Speed', now);
          const expected = [...kept].reverse().find((a) => a.t <= now);
          if (!expected) {
            expect(r).toBeUndefined();
            continue;
          }
          expect(r).toBeDefined();
          if (!r) continue;
          expect(r.timestamp).toBeLessThanOrEqual(now);
          expect(r.timestamp).toBe(expected.t);
          expect(r.value).toBe(expected.v);
          if (r.valid) expect(now - r.timestamp).toBeLessThan(r.limitS);
          // The DBC cycle time, once seen, bounds validity exactly.
          if (r.valid && r.periodS === 0.01) expect(now - r.timestamp).toBeLessThan(k * 0.01);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('SignalStore with a multiplexed message', () => {
  it('learns a multiplexed signal\'s period from its own arrivals, not the frame cycle time', () => {
    // Cell 1 rides in group 0 of a message sent every 10 ms with 24 groups: it arrives every 240 ms.
    const catalog = parseSignalCatalog({ 'Vehicle.Cell01': { message: 'BMS_CellVoltages', signal: 'CV_Cell01' }, 'Vehicle.Group': { message: 'BMS_CellVoltages', signal: 'CV_Group' } });
    const msg = { name: 'BMS_CellVoltages', cycleTimeMs: 10, signals: [{ name: 'CV_Group', multiplexerIds: undefined }, { name: 'CV_Cell01', multiplexerIds: [0] }] };
    const store = new SignalStore(catalog);
    for (let k = 0; k < 24 * 12; k++) {
      const t = k * 0.01;
      store.ingest(can0, msg, k % 24 === 0 ? { CV_Group: 0, CV_Cell01: 3.7 } : { CV_Group: k % 24 }, t);
    }
    const now = 23 * 0.01 + 11 * 0.24 + 0.1; // 100 ms after the last cell-1 arrival but one
    expect(store.get('Vehicle.Cell01', now)?.periodS).toBeCloseTo(0.24, 9);
    expect(store.get('Vehicle.Cell01', now)?.valid).toBe(true);
    // The switch itself is in every frame: the message's cycle time is its period.
    expect(store.get('Vehicle.Group', now)?.periodS).toBe(0.01);
  });
});
