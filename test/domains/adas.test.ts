import { describe, expect, it } from 'vitest';
import { adasDomain, ADAS_FEATURE_SIZE } from '../../domains/adas/index.js';
import { ADAS_COLUMNS, ADAS_WINDOW } from '../../domains/adas/signals.js';
import { makeWindow } from './helpers.js';

const obj = (k: number, f: string): string => `Vehicle.ADAS.Radar.Object${k}.${f}`;

/** Ego at 72 km/h straight; object 1 in lane at 20 m closing at 10 m/s; object 2 a low-probability ghost at 5 m. */
function closingWindow(exist1 = 90): Float32Array {
  return makeWindow(ADAS_COLUMNS, ADAS_WINDOW.length, (_r, set) => {
    set('Vehicle.Speed', 72);
    set(obj(1, 'Distance'), 20);
    set(obj(1, 'RelSpeed'), -10);
    set(obj(1, 'LatOffset'), 0.2);
    set(obj(1, 'Valid'), 1);
    set(obj(1, 'ExistProb'), exist1);
    set(obj(1, 'Id'), 7);
    set(obj(2, 'Distance'), 5);
    set(obj(2, 'RelSpeed'), -20);
    set(obj(2, 'Valid'), 1);
    set(obj(2, 'ExistProb'), 30);
    set(obj(2, 'Id'), 201);
  });
}

describe('adas domain', () => {
  it('finds the in-path lead and computes its time to collision as features', () => {
    const out = new Float32Array(ADAS_FEATURE_SIZE);
    adasDomain.features(closingWindow(), out);
    // 20 m / 10 m/s = 2 s; inverse TTC 0.5 /s; closing 10 m/s scaled by 1/10; distance by 1/100.
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(0.2, 6);
    expect(out[2]).toBeCloseTo(1, 6);
    expect(out[3]).toBeCloseTo(0.5, 6);
    // Required deceleration v²/2d = 100/40 = 2.5 m/s², scaled by 1/10.
    expect(out[10]).toBeCloseTo(0.25, 6);
    expect(out[8]).toBeCloseTo(0.72, 6);
    expect(out[16]).toBeCloseTo(2, 6);
    expect(out[17]).toBe(7);
  });

  it('ignores clutter below the existence threshold, so with no lead the features say none', () => {
    const out = new Float32Array(ADAS_FEATURE_SIZE);
    adasDomain.features(closingWindow(50), out);
    expect(out[0]).toBe(0);
    expect(out[3]).toBe(0);
    expect(out[16]).toBe(25.5);
  });

  it('warns acutely in the fallback when the TTC is under 2.5 s and not otherwise', () => {
    const warn = adasDomain.fallback(closingWindow());
    expect(warn).toMatchObject({ level: 2, targetId: 7, source: 'fallback' });
    expect(warn.ttcS).toBeCloseTo(2, 6);
    const calm = adasDomain.fallback(closingWindow(40));
    expect(calm.level).toBe(0);
  });

  it('interprets the model output as probability, TTC and target', () => {
    expect(adasDomain.interpret(Float32Array.of(0.8, 1.9, 7))).toMatchObject({ level: 2, ttcS: Math.fround(1.9), targetId: 7, source: 'model' });
    expect(adasDomain.interpret(Float32Array.of(0.2, 25.5, 0)).level).toBe(0);
  });

  it('encodes into ADAS_FCW within its ranges with a rolling counter and the mode', () => {
    const a = adasDomain.encode({ level: 2, probability: 0.9, ttcS: 1.94, targetId: 7, source: 'model' });
    const b = adasDomain.encode({ level: 0, probability: 0.1, ttcS: 99, targetId: 300, source: 'fallback' });
    expect(a).toMatchObject({ FCW_Level: 2, FCW_Ttc: 1.9, FCW_TargetId: 7, FCW_Confidence: 90, FCW_Mode: 0, FCW_CRC: 0 });
    expect(b).toMatchObject({ FCW_Level: 0, FCW_Ttc: 25.5, FCW_TargetId: 255, FCW_Confidence: 90, FCW_Mode: 3 });
    expect(b.FCW_Counter).toBe(((a.FCW_Counter as number) + 1) % 16);
  });

  it('scores recall per imminent sample and false warnings per hour per warning episode, with 1 s tolerance', () => {
    const s = adasDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    const r = (level: 0 | 2) => ({ level, probability: 0, ttcS: 25.5, targetId: 0, source: 'model' as const });
    const l = (imminent: boolean) => ({ collision_imminent: imminent, ttc_s: null, lead_distance_m: null, closing_speed_mps: null, lead_id: null });
    // [t, warning, imminent]: a true episode; a missed imminent sample; a late episode 0.5 s after
    // the truth (tolerated); an early one 0.6 s before truth (tolerated); two far from any truth (false).
    const seq: [number, 0 | 2, boolean][] = [
      [0.0, 2, false], [0.05, 2, true], [0.1, 0, true], [0.15, 0, false],
      [0.6, 2, false], [0.65, 0, false],
      [10.0, 2, false], [10.05, 0, false], [10.6, 0, true], [10.65, 0, false],
      [20.0, 2, false], [20.05, 0, false], [30.0, 2, false], [30.05, 2, false],
    ];
    for (const [t, level, imminent] of seq) s.add(t, r(level), l(imminent));
    const m = s.summary(3600);
    expect(m.recall).toBeCloseTo(1 / 3, 6);
    expect(m.false_warnings_per_hour).toBeCloseTo(2, 9);
    expect(m.warnings).toBe(5);
  });
});
