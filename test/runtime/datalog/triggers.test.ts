import { describe, expect, it } from 'vitest';
import { BUILTIN_TRIGGER_NAMES, builtinTriggers, resultField, type SnippetTrigger } from '../../../runtime/datalog/triggers.js';
import type { ServiceResult } from '../../../runtime/service/runner.js';

const r = (domain: string, t: number, result: unknown, variant: ServiceResult['variant'] = 'fp32'): ServiceResult => ({ domain, t, result, variant, inputsValid: true });
const only = (name: string): SnippetTrigger => builtinTriggers([name])[0]!;

describe('snippet triggers', () => {
  it('fire on the edge of a chassis ice class, not while it lasts', () => {
    const trig = only('chassis-ice');
    const classes = [0, 1, 3, 3, 3, 2, 3];
    const hits = classes.map((c, i) => trig.onResult?.(r('chassis', i, { frictionClass: c, confidence: 0.9, mu: 0.1 }))).filter((h) => h !== undefined);
    expect(hits.map((h) => h.t)).toEqual([2, 6]);
    expect(hits[0]).toMatchObject({ trigger: 'chassis-ice', domain: 'chassis', safety: true });
    expect(hits[0]!.detail).toContain('mu 0.1');
  });

  it('fire on a raised battery anomaly flag and ignore other domains', () => {
    const trig = only('battery-anomaly');
    expect(trig.onResult?.(r('adas', 0, { flag: true }))).toBeUndefined();
    expect(trig.onResult?.(r('powertrain', 0, { flag: false, score: 0.1, suspectCell: null }))).toBeUndefined();
    expect(trig.onResult?.(r('powertrain', 1, { flag: true, score: 0.93, suspectCell: 17 }))?.detail).toBe('cell 17 suspect, score 0.93');
    expect(trig.onResult?.(r('powertrain', 2, { flag: true, score: 0.95, suspectCell: 17 }))).toBeUndefined();
  });

  it('fire when a domain starts answering from its fallback, per domain, with safety by domain', () => {
    const trig = only('fallback');
    expect(trig.onResult?.(r('adas', 0, {}, 'fallback'))).toMatchObject({ key: 'adas', safety: true });
    expect(trig.onResult?.(r('body', 0, {}, 'fallback'))).toMatchObject({ key: 'body', safety: false });
    expect(trig.onResult?.(r('adas', 1, {}, 'fallback'))).toBeUndefined();
    expect(trig.onResult?.(r('adas', 2, {}, 'int8'))).toBeUndefined();
    expect(trig.onResult?.(r('adas', 3, {}, 'fallback'))?.t).toBe(3);
  });

  it('fire on ladder degrade and shed events but not on recoveries', () => {
    const trig = only('degrade');
    expect(trig.onEvent?.({ t: 5, kind: 'degrade', domain: 'body', to: 'cloud', why: 'soc 86.10 C > 85 C' })?.detail).toBe('degrade to cloud: soc 86.10 C > 85 C');
    expect(trig.onEvent?.({ t: 6, kind: 'shed', domain: 'cockpit', to: 'shed', why: 'power' })?.domain).toBe('cockpit');
    expect(trig.onEvent?.({ t: 7, kind: 'recover', domain: 'body', to: 'fp32', why: 'cool' })).toBeUndefined();
  });

  it('are fresh per call, so two recorders never share edge state', () => {
    const a = only('adas-warning');
    const b = only('adas-warning');
    expect(a.onResult?.(r('adas', 0, { level: 1 }))).toBeDefined();
    expect(b.onResult?.(r('adas', 0, { level: 1 }))).toBeDefined();
  });

  it('know their names and refuse an unknown one', () => {
    expect(builtinTriggers().map((t) => t.name)).toEqual([...BUILTIN_TRIGGER_NAMES]);
    expect(() => builtinTriggers(['adas-warning', 'tyre-burst'])).toThrow(/unknown snippet trigger "tyre-burst"/);
  });

  it('read numeric and boolean result fields only', () => {
    expect(resultField({ a: 2, b: true, c: 'x', d: Number.NaN }, 'a')).toBe(2);
    expect(resultField({ b: true }, 'b')).toBe(1);
    expect(resultField({ c: 'x' }, 'c')).toBeUndefined();
    expect(resultField({ d: Number.NaN }, 'd')).toBeUndefined();
    expect(resultField(null, 'a')).toBeUndefined();
  });
});
