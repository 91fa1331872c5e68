import { describe, expect, it } from 'vitest';
import { builtinTriggers, type SnippetTrigger } from '../../../runtime/datalog/triggers.js';
import { recorderFromConfig } from '../../../runtime/datalog/from-config.js';
import { DOMAIN_LIST } from '../../../domains/index.js';
import { parseConfig } from '../../../runtime/config.js';
import { resolveDomains } from '../../../runtime/service/resolved.js';
import type { ServiceResult } from '../../../runtime/service/runner.js';

const served = resolveDomains(DOMAIN_LIST, parseConfig({}, DOMAIN_LIST));

const r = (domain: string, t: number, result: unknown, variant: ServiceResult['variant'] = 'fp32'): ServiceResult => ({ domain, t, result, variant, inputsValid: true });
const only = (name: string): SnippetTrigger => builtinTriggers(served, [name])[0]!;

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

  it('take their names from the domains handed in, then the generic ones, and refuse an unknown one', () => {
    expect(builtinTriggers(served).map((t) => t.name)).toEqual(['adas-warning', 'chassis-ice', 'battery-anomaly', 'fallback', 'degrade']);
    expect(builtinTriggers(served.filter((d) => d.domain === 'body')).map((t) => t.name)).toEqual(['fallback', 'degrade']);
    expect(() => builtinTriggers(served, ['adas-warning', 'tyre-burst'])).toThrow(/unknown snippet trigger "tyre-burst"/);
  });

  it("mark hits safety-relevant by the domain's resolved criticality, not its default", () => {
    const comfortChassis = resolveDomains(DOMAIN_LIST, parseConfig({ domains: { chassis: { criticality: 'comfort' } } }, DOMAIN_LIST));
    const [ice, fallback] = builtinTriggers(comfortChassis, ['chassis-ice', 'fallback']);
    expect(ice?.onResult?.(r('chassis', 0, { frictionClass: 3, confidence: 0.9, mu: 0.1 }))).toMatchObject({ trigger: 'chassis-ice', safety: false });
    expect(fallback?.onResult?.(r('chassis', 0, {}, 'fallback'))).toMatchObject({ safety: false });
  });

  it('leave out, in a recorder made from the config, the configured triggers of domains not served', async () => {
    const config = parseConfig({ domains: { adas: { enabled: false } }, cloud: { snippets: { triggers: ['adas-warning', 'chassis-ice'] } } }, DOMAIN_LIST);
    const kept: string[] = [];
    const rec = recorderFromConfig(config.cloud.snippets, resolveDomains(DOMAIN_LIST, config), { sink: (c) => void kept.push(c.trigger) });
    rec.onResult(r('adas', 1, { level: 2, ttcS: 1 }));
    rec.onResult(r('chassis', 1, { frictionClass: 3, confidence: 0.9, mu: 0.1 }));
    await rec.finish();
    expect(kept).toEqual(['chassis-ice']);
  });
});
