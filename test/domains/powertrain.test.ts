import { describe, expect, it } from 'vitest';
import { DETECTION_ALLOWANCE_S, powertrainDomain, PER_CELL, POWERTRAIN_FEATURE_SIZE } from '../../domains/powertrain/index.js';
import { POWERTRAIN_COLUMNS, POWERTRAIN_WINDOW } from '../../domains/powertrain/signals.js';
import { makeWindow } from './helpers.js';

const cell = (c: number): string => `Vehicle.EcuAi.TractionBattery.Cell${String(c).padStart(2, '0')}.Voltage`;
const sensor = (s: number): string => `Vehicle.EcuAi.TractionBattery.Sensor${String(s).padStart(2, '0')}.Temperature`;

/** 96 cells at 3.70 V and 24 sensors at 25 °C, with optional deviations. */
function pack(opts: { lowCell?: number; lowBy?: number; hotSensor?: number; hotBy?: number } = {}): Float32Array {
  return makeWindow(POWERTRAIN_COLUMNS, POWERTRAIN_WINDOW.length, (_r, set) => {
    for (let c = 1; c <= 96; c++) set(cell(c), c === opts.lowCell ? 3.7 - (opts.lowBy ?? 0) : 3.7);
    for (let s = 1; s <= 24; s++) set(sensor(s), s === opts.hotSensor ? 25 + (opts.hotBy ?? 0) : 25);
    set('Vehicle.EcuAi.TractionBattery.Current', 50);
    set('Vehicle.Powertrain.TractionBattery.StateOfCharge.Current', 60);
  });
}

describe('powertrain domain', () => {
  it('gives a window seen again its features without working them out, and never stale ones', () => {
    const features = (w: Float32Array): number[] => {
      const out = new Float32Array(POWERTRAIN_FEATURE_SIZE);
      powertrainDomain.features(w, out);
      return Array.from(out);
    };
    const a = pack({ lowCell: 10, lowBy: 0.03 });
    const b = pack({ hotSensor: 3, hotBy: 4 });
    const fa = features(a);
    const fb = features(b);
    expect(fb).not.toEqual(fa);
    // The same content in another array reads as the same window; the same array changed in place does not.
    expect(features(Float32Array.from(a))).toEqual(fa);
    expect(features(a)).toEqual(fa);
    // Cell 10 in the newest row drops to 3.5 V: 0.2 V below its group, clamped at -10.
    a[a.length - POWERTRAIN_COLUMNS.length + 9] = 3.5;
    const changed = features(a);
    expect(changed).not.toEqual(fa);
    expect(changed[9 * PER_CELL]).toBe(-10);
    // -0 and 0 differ in their bits, so a window differing only there is worked out again (and equal).
    const zero = pack();
    const negative = Float32Array.from(zero);
    negative[zero.length - 1] = -0;
    expect(features(negative)).toEqual(features(zero));
  });

  it('gives each cell its deviation from the other cells of its frame group and its sensor deviation', () => {
    const out = new Float32Array(POWERTRAIN_FEATURE_SIZE);
    powertrainDomain.features(pack({ lowCell: 10, lowBy: 0.03, hotSensor: 3, hotBy: 4 }), out);
    const block = (c: number) => out.subarray((c - 1) * PER_CELL, c * PER_CELL);
    // Cell 10 sits 30 mV below the other cells of its group (9..12): -0.03 V × 100.
    expect(block(10)[0]).toBeCloseTo(-3, 4);
    expect(block(10)[1]).toBeCloseTo(-3, 4);
    // Its group mates see it in their reference: 3.70 - (3.70 + 3.70 + 3.67) / 3 = +0.01 V.
    expect(block(11)[0]).toBeCloseTo(1, 4);
    expect(block(13)[0]).toBeCloseTo(0, 6);
    // At a constant current the load-compensated deviation is the deviation, and it does not drift.
    expect(block(10)[4]).toBeCloseTo(-3, 4);
    expect(block(10)[5]).toBeCloseTo(0, 4);
    // Sensor 3 covers cells 9..12: 4 K above the median, scaled by 1/2.
    expect(block(9)[6]).toBeCloseTo(2, 5);
    expect(block(12)[6]).toBeCloseTo(2, 5);
    expect(block(13)[6]).toBeCloseTo(0, 6);
    // A constant current gives no resistance estimate; load is |I| / 100.
    expect(block(10)[2]).toBe(0);
    expect(block(10)[3]).toBe(0);
    expect(block(1)[8]).toBeCloseTo(0.5, 6);
  });

  it('estimates a weak cell\'s extra resistance from how its voltage moves with the current', () => {
    // Cell 10 has 2 mOhm more than its group mates; the current swings between 0 and 200 A.
    const w = makeWindow(POWERTRAIN_COLUMNS, POWERTRAIN_WINDOW.length, (r, set) => {
      const i = r % 20 < 10 ? 0 : 200;
      for (let c = 1; c <= 96; c++) set(cell(c), 3.7 - i * (c === 10 ? 0.0031 : 0.0011));
      for (let s = 1; s <= 24; s++) set(sensor(s), 25);
      set('Vehicle.EcuAi.TractionBattery.Current', i);
      set('Vehicle.Powertrain.TractionBattery.StateOfCharge.Current', 60);
    });
    const out = new Float32Array(POWERTRAIN_FEATURE_SIZE);
    powertrainDomain.features(w, out);
    const block = (c: number) => out.subarray((c - 1) * PER_CELL, c * PER_CELL);
    // 2 mOhm in mOhm units over the recent 6 s and the whole window (float32 voltages: ~1 % slack).
    expect(block(10)[2]).toBeCloseTo(2, 1);
    expect(block(10)[3]).toBeCloseTo(2, 1);
    // Compensated for the load, the weak cell sits where its mates do.
    expect(block(10)[4]).toBeCloseTo(0, 1);
    // Its mates see a third of it, with the opposite sign; other groups see nothing.
    expect(block(11)[3]).toBeCloseTo(-2 / 3, 1);
    expect(block(20)[3]).toBeCloseTo(0, 3);
  });

  it('does not flag an empty window (nothing received yet) in the fallback', () => {
    const empty = new Float32Array(POWERTRAIN_WINDOW.length * POWERTRAIN_COLUMNS.length);
    expect(powertrainDomain.fallback(empty)).toMatchObject({ flag: false, suspectCell: null });
  });

  it('flags a cell beyond the voltage limit and names it in the fallback', () => {
    expect(powertrainDomain.fallback(pack({ lowCell: 42, lowBy: 0.05 }))).toMatchObject({ flag: true, suspectCell: 42, score: 1 });
    expect(powertrainDomain.fallback(pack({ lowCell: 42, lowBy: 0.02 }))).toMatchObject({ flag: false, suspectCell: null });
  });

  it('flags a hot sensor and suspects its lowest cell', () => {
    const w = pack({ hotSensor: 5, hotBy: 3, lowCell: 19, lowBy: 0.01 });
    expect(powertrainDomain.fallback(w)).toMatchObject({ flag: true, suspectCell: 19 });
  });

  it('takes the most probable cell as the suspect and encodes "none" as 127', () => {
    const p = new Float32Array(96);
    p[33] = 0.9;
    expect(powertrainDomain.interpret(p)).toMatchObject({ flag: true, suspectCell: 34 });
    p[33] = 0.3;
    const quiet = powertrainDomain.interpret(p);
    expect(quiet).toMatchObject({ flag: false, suspectCell: null });
    expect(powertrainDomain.encode(quiet)).toMatchObject({ BAN_SuspectCell: 127, BAN_Flag: 0, BAN_Score: 0.3, BAN_Mode: 0 });
  });

  it('scores per-sample recall and precision of the flag', () => {
    const s = powertrainDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    const r = (flag: boolean, cell: number | null) => ({ score: flag ? 1 : 0, suspectCell: cell, flag, source: 'model' as const });
    const yes = { anomaly: true, cell: 5, fault: 'weak_cell' as const };
    const no = { anomaly: false, cell: null, fault: null };
    s.add(0, r(true, 5), yes);
    s.add(0, r(true, 6), yes);
    s.add(0, r(false, null), yes);
    s.add(0, r(true, 1), no);
    s.add(0, r(false, null), no);
    const m = s.summary(1);
    expect(m.recall).toBeCloseTo(2 / 3, 6);
    expect(m.precision).toBeCloseTo(2 / 3, 6);
    expect(m.cell_accuracy).toBeCloseTo(0.5, 9);
  });

  it('counts recall after the detection allowance per fault kind, restarting at each run', () => {
    const s = powertrainDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    const r = (flag: boolean) => ({ score: flag ? 1 : 0, suspectCell: flag ? 5 : null, flag, source: 'model' as const });
    const weak = { anomaly: true, cell: 5, fault: 'weak_cell' as const };
    const thermal = { anomaly: true, cell: 7, fault: 'thermal_event' as const };
    const no = { anomaly: false, cell: null, fault: null };
    // Run 1: onset at 10 s; missed until 30 s, then flagged at 45 s and missed at 50 s.
    s.add(0, r(false), no);
    s.add(10, r(false), weak);
    s.add(30, r(false), weak);
    s.add(10 + DETECTION_ALLOWANCE_S + 5, r(true), weak);
    s.add(10 + DETECTION_ALLOWANCE_S + 10, r(false), weak);
    // Run 2 (time restarts): a thermal event from 5 s, missed throughout.
    s.add(0, r(false), no);
    s.add(5, r(false), thermal);
    s.add(5 + DETECTION_ALLOWANCE_S, r(false), thermal);
    const m = s.summary(1);
    expect(m.recall).toBeCloseTo(1 / 6, 6);
    expect(m.recall_after_allowance).toBeCloseTo(1 / 3, 6);
    expect(m.recall_weak_cell_after_allowance).toBeCloseTo(1 / 2, 6);
    expect(m.recall_thermal_event_after_allowance).toBe(0);
  });

  it('counts back-to-back faults present from key-on as separate events and times their first flags', () => {
    const s = powertrainDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    const r = (flag: boolean) => ({ score: flag ? 1 : 0, suspectCell: flag ? 5 : null, flag, source: 'model' as const });
    const weak = { anomaly: true, cell: 5, fault: 'weak_cell' as const };
    // Run 1: faulty from its first sample, first flagged 2 s in.
    s.add(0, r(false), weak);
    s.add(1, r(false), weak);
    s.add(2, r(true), weak);
    // Run 2 (time restarts, faulty again from the start): first flagged 6 s in.
    s.add(0, r(false), weak);
    s.add(6, r(true), weak);
    // Run 3: never flagged; it counts as an event missed, not as a delay.
    s.add(0, r(false), weak);
    s.add(9, r(false), weak);
    const m = s.summary(1);
    expect(m.event_recall).toBeCloseTo(2 / 3, 6);
    expect(m.median_detection_delay_s).toBeCloseTo(4, 6);
  });
});
