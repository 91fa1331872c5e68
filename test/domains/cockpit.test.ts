import { describe, expect, it } from 'vitest';
import { cockpitDomain, COCKPIT_FEATURE_SIZE } from '../../domains/cockpit/index.js';
import { COCKPIT_COLUMNS, COCKPIT_WINDOW } from '../../domains/cockpit/signals.js';
import { makeWindow } from './helpers.js';

/** 30 s at 20 Hz, face always seen, eyes at 80 % except `closures` runs of `runRows` rows at 5 %. */
function driver(closures: number, runRows: number, pitch = 4): Float32Array {
  return makeWindow(COCKPIT_COLUMNS, COCKPIT_WINDOW.length, (r, set) => {
    const closed = Math.floor(r / 100) < closures && r % 100 < runRows;
    set('Vehicle.EcuAi.DriverMonitoring.FaceDetected', 1);
    set('Vehicle.EcuAi.DriverMonitoring.EyeOpening.Left', closed ? 5 : 80);
    set('Vehicle.EcuAi.DriverMonitoring.EyeOpening.Right', closed ? 5 : 80);
    set('Vehicle.EcuAi.DriverMonitoring.Head.Pitch', pitch);
    set('Vehicle.Driver.IsEyesOnRoad', closed ? 0 : 1);
    // Steering swings ±1° every 50 rows: a reversal each 2.5 s.
    set('Vehicle.Chassis.SteeringWheel.Angle', Math.floor(r / 50) % 2 === 0 ? 1 : -1);
  });
}

describe('cockpit domain', () => {
  it('computes PERCLOS, blinks, head pitch and steering reversals', () => {
    const out = new Float32Array(COCKPIT_FEATURE_SIZE);
    cockpitDomain.features(driver(3, 20), out);
    // 3 closures of 20 rows out of 600: PERCLOS 0.1; 3 blinks in 30 s = 6/min (scaled 1/30); each 1 s long.
    expect(out[0]).toBeCloseTo(0.1, 6);
    expect(out[1]).toBeCloseTo(0.8, 6);
    expect(out[2]).toBeCloseTo(6 / 30, 6);
    expect(out[3]).toBeCloseTo(1, 6);
    expect(out[4]).toBeCloseTo(1 / 3, 6);
    expect(out[5]).toBeCloseTo(0.4, 6);
    expect(out[7]).toBeCloseTo(0.9, 6);
    expect(out[8]).toBe(1);
    // 12 segments of 50 rows: 11 moves, the first sets the direction, 10 reverse it: 20/min, scaled 1/30.
    expect(out[9]).toBeCloseTo(20 / 30, 6);
  });

  it('maps PERCLOS to a level in the fallback', () => {
    expect(cockpitDomain.fallback(driver(0, 0)).level).toBe(0);
    expect(cockpitDomain.fallback(driver(3, 20)).level).toBe(1); // 0.10
    expect(cockpitDomain.fallback(driver(6, 20)).level).toBe(2); // 0.20
  });

  it('leaves rows without a face out of PERCLOS', () => {
    const w = driver(3, 20);
    // Lose the face for the first 300 rows: the three closures (rows 0-19, 100-119, 200-219) vanish with it.
    for (let r = 0; r < 300; r++) w[r * COCKPIT_COLUMNS.length] = 0;
    const out = new Float32Array(COCKPIT_FEATURE_SIZE);
    cockpitDomain.features(w, out);
    expect(out[0]).toBe(0);
    expect(out[8]).toBeCloseTo(0.5, 6);
  });

  it('interprets, encodes and scores', () => {
    const r = cockpitDomain.interpret(Float32Array.of(0.2, 0.3, 0.5));
    expect(r).toMatchObject({ level: 2, source: 'model' });
    expect(cockpitDomain.encode(r)).toEqual({ DRW_Level: 2, DRW_Confidence: 50, DRW_Mode: 0 });
    const s = cockpitDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    s.add(0, r, { drowsiness: 2, fatigue: 0.8 });
    s.add(0, r, { drowsiness: 1, fatigue: 0.5 });
    expect(s.summary(1).accuracy).toBeCloseTo(0.5, 9);
  });
});
