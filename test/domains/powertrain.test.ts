import { describe, expect, it } from 'vitest';
import { powertrainDomain, PER_CELL, POWERTRAIN_FEATURE_SIZE } from '../../domains/powertrain/index.js';
import { POWERTRAIN_COLUMNS, POWERTRAIN_WINDOW } from '../../domains/powertrain/signals.js';
import { makeWindow } from './helpers.js';

const cell = (c: number): string => `Vehicle.Powertrain.TractionBattery.Cell${String(c).padStart(2, '0')}.Voltage`;
const sensor = (s: number): string => `Vehicle.Powertrain.TractionBattery.Sensor${String(s).padStart(2, '0')}.Temperature`;

/** 96 cells at 3.70 V and 24 sensors at 25 °C, with optional deviations. */
function pack(opts: { lowCell?: number; lowBy?: number; hotSensor?: number; hotBy?: number } = {}): Float32Array {
  return makeWindow(POWERTRAIN_COLUMNS, POWERTRAIN_WINDOW.length, (_r, set) => {
    for (let c = 1; c <= 96; c++) set(cell(c), c === opts.lowCell ? 3.7 - (opts.lowBy ?? 0) : 3.7);
    for (let s = 1; s <= 24; s++) set(sensor(s), s === opts.hotSensor ? 25 + (opts.hotBy ?? 0) : 25);
    set('Vehicle.Powertrain.TractionBattery.Current', 50);
    set('Vehicle.Powertrain.TractionBattery.StateOfCharge', 60);
  });
}

describe('powertrain domain', () => {
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
    // Sensor 3 covers cells 9..12: 4 K above the median, scaled by 1/2.
    expect(block(9)[3]).toBeCloseTo(2, 5);
    expect(block(12)[3]).toBeCloseTo(2, 5);
    expect(block(13)[3]).toBeCloseTo(0, 6);
    // A constant current gives no resistance estimate; load is |I| / 100.
    expect(block(10)[2]).toBe(0);
    expect(block(1)[5]).toBeCloseTo(0.5, 6);
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
});
