import { describe, expect, it } from 'vitest';
import { adasDomain, ADAS_FEATURE_SIZE, ADAS_MODEL_FEATURES, WARNING_HOLD_S } from '../../domains/adas/index.js';
import { ADAS_COLUMNS, ADAS_WINDOW } from '../../domains/adas/signals.js';
import { makeWindow } from './helpers.js';

const obj = (k: number, f: string): string => `Vehicle.EcuAi.Radar.Object${k}.${f}`;

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
    expect(out[ADAS_MODEL_FEATURES]).toBeCloseTo(2, 6);
    expect(out[ADAS_MODEL_FEATURES + 1]).toBe(7);
    // Seen in every row: not held, peak and smoothed inverse TTC equal the newest one, no cut-in.
    expect(out[16]).toBe(0);
    expect(out[17]).toBeCloseTo(0.5, 6);
    expect(out[18]).toBeCloseTo(0.5, 6);
    expect(out[19]).toBe(0);
    expect(out[20]).toBe(0);
  });

  it('ignores clutter below the existence threshold, so with no lead the features say none', () => {
    const out = new Float32Array(ADAS_FEATURE_SIZE);
    adasDomain.features(closingWindow(50), out);
    expect(out[0]).toBe(0);
    expect(out[3]).toBe(0);
    expect(out[17]).toBe(0);
    expect(out[ADAS_MODEL_FEATURES]).toBe(25.5);
  });

  it('holds the lead through a one-cycle radar dropout, moved on by its closing speed', () => {
    const w = makeWindow(ADAS_COLUMNS, ADAS_WINDOW.length, (r, set) => {
      set('Vehicle.Speed', 72);
      if (r === ADAS_WINDOW.length - 1) return;
      set(obj(1, 'Distance'), 20 - 0.5 * r);
      set(obj(1, 'RelSpeed'), -10);
      set(obj(1, 'Valid'), 1);
      set(obj(1, 'ExistProb'), 90);
      set(obj(1, 'Id'), 7);
    });
    const out = new Float32Array(ADAS_FEATURE_SIZE);
    adasDomain.features(w, out);
    // The previous row had it at 20 - 0.5 * 8 = 16 m; one 50 ms row later it is 15.5 m away.
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(0.155, 5);
    expect(out[3]).toBeCloseTo(10 / 15.5, 5);
    expect(out[16]).toBeCloseTo(1 / 3, 6);
    // The message's TTC still reports the newest cycle, which has no target.
    expect(out[ADAS_MODEL_FEATURES]).toBe(25.5);
    // Held no longer than 0.15 s: gone for four rows means gone.
    const gone = makeWindow(ADAS_COLUMNS, ADAS_WINDOW.length, (r, set) => {
      if (r >= ADAS_WINDOW.length - 4) return;
      set(obj(1, 'Distance'), 20);
      set(obj(1, 'RelSpeed'), -10);
      set(obj(1, 'Valid'), 1);
      set(obj(1, 'ExistProb'), 90);
      set(obj(1, 'Id'), 7);
    });
    adasDomain.features(gone, out);
    expect(out[0]).toBe(0);
    expect(out[17]).toBeCloseTo(0.5, 6);
  });

  it('sees a car moving into the corridor from the next lane as a cut-in before it is the lead', () => {
    const cutIn = (latRate: number): Float32Array =>
      makeWindow(ADAS_COLUMNS, ADAS_WINDOW.length, (r, set) => {
        set('Vehicle.Speed', 72);
        set(obj(1, 'Distance'), 12);
        set(obj(1, 'RelSpeed'), -6);
        set(obj(1, 'LatOffset'), 3 - latRate * 0.05 * r);
        set(obj(1, 'Valid'), 1);
        set(obj(1, 'ExistProb'), 90);
        set(obj(1, 'Id'), 4);
      });
    const out = new Float32Array(ADAS_FEATURE_SIZE);
    // Moving in at 1.5 m/s: the newest row has it at 3 - 0.675 = 2.325 m, 0.525 m outside the corridor.
    adasDomain.features(cutIn(1.5), out);
    expect(out[0]).toBe(0);
    expect(out[19]).toBeCloseTo(0.5, 5);
    expect(out[20]).toBeCloseTo(1.5 / 0.525 / 2, 3);
    // Drifting in at a crawl is lane keeping, not a cut-in.
    adasDomain.features(cutIn(0.1), out);
    expect(out[19]).toBe(0);
    expect(out[20]).toBe(0);
  });

  it('warns acutely in the fallback when the TTC is under 2.5 s and not otherwise', () => {
    const warn = adasDomain.fallback(closingWindow());
    expect(warn).toMatchObject({ level: 2, targetId: 7, source: 'fallback' });
    expect(warn.ttcS).toBeCloseTo(2, 6);
    const calm = adasDomain.fallback(closingWindow(40));
    expect(calm.level).toBe(0);
  });

  it('holds a raised warning for its minimum on-time, so a flickering probability makes one warning', () => {
    const stable = adasDomain.createStabilizer?.();
    if (!stable) throw new Error('adas has a stabilizer');
    const at = (p: number): ReturnType<typeof adasDomain.interpret> => adasDomain.interpret(Float32Array.of(p, 2.6, 7));
    // 20 Hz: on, off, off, on, off ... as a near miss hovering at the threshold looks.
    const raw = [0.9, 0.4, 0.4, 0.9, ...Array.from({ length: 16 }, () => 0.4)];
    const results = raw.map((p, k) => stable.next(k * 0.05, at(p)));
    const held = Math.round(WARNING_HOLD_S / 0.05);
    // Warned from the first cycle through the hold after the last raw warning (cycle 3), then clear.
    expect(results.map((r) => r.level)).toEqual(raw.map((_p, k) => (k < 3 + held ? 2 : 0)));
    expect(results.at(-1)?.level).toBe(0);
    // A held result keeps its cycle's own probability and TTC: only the level is held.
    expect(results[5]?.probability).toBeCloseTo(0.4, 6);
    // Time going back is a new drive: nothing carries over.
    const fresh = adasDomain.createStabilizer?.();
    fresh?.next(10, at(0.9));
    expect(fresh?.next(0.05, at(0.4)).level).toBe(0);
  });

  it('interprets the model output as probability, TTC and target', () => {
    expect(adasDomain.interpret(Float32Array.of(0.8, 1.9, 7))).toMatchObject({ level: 2, ttcS: Math.fround(1.9), targetId: 7, source: 'model' });
    expect(adasDomain.interpret(Float32Array.of(0.2, 25.5, 0)).level).toBe(0);
  });

  it('encodes into ADAS_FCW within its ranges with the mode, leaving counter and CRC to the sender', () => {
    const a = adasDomain.encode({ level: 2, probability: 0.9, ttcS: 1.94, targetId: 7, source: 'model' });
    const b = adasDomain.encode({ level: 0, probability: 0.1, ttcS: 99, targetId: 300, source: 'fallback' });
    expect(a).toEqual({ FCW_Level: 2, FCW_Ttc: 1.9, FCW_TargetId: 7, FCW_Confidence: 90, FCW_Mode: 0 });
    expect(b).toEqual({ FCW_Level: 0, FCW_Ttc: 25.5, FCW_TargetId: 255, FCW_Confidence: 90, FCW_Mode: 3 });
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
