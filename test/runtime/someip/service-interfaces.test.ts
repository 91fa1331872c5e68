import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileInterface, SomeipParseError } from '../../../bus/someip/index.js';
import { parseConfig } from '../../../runtime/config.js';
import { ConfigInvalidError } from '../../../runtime/errors.js';
import { RESULT_EVENT, domainServices, eventFields, jsonToPayload, payloadToJson, type DomainService } from '../../../runtime/someip/index.js';
import { type DomainName, DOMAINS, DOMAIN_LIST } from '../../../domains/index.js';
import { sameValues } from './bridge-fixture.js';

const services = domainServices(parseConfig({}, DOMAIN_LIST).someip, DOMAIN_LIST);
const source = fc.constantFrom('model', 'fallback');
const unit = fc.double({ min: 0, max: 1, noNaN: true });
const RESULTS: Record<string, fc.Arbitrary<unknown>> = {
  adas: fc.record({ level: fc.constantFrom(0, 1, 2), probability: unit, ttcS: fc.double({ min: 0, max: 25.5, noNaN: true }), targetId: fc.integer({ min: 0, max: 255 }), source }),
  chassis: fc.record({ frictionClass: fc.constantFrom(0, 1, 2, 3), confidence: unit, mu: unit, source }),
  powertrain: fc.record({ score: unit, suspectCell: fc.option(fc.integer({ min: 1, max: 96 }), { nil: null }), flag: fc.boolean(), source }),
  cockpit: fc.record({ level: fc.constantFrom(0, 1, 2), confidence: unit, source }),
  body: fc.record({ setpointC: fc.integer({ min: 30, max: 64 }).map((n) => n / 2), occupancy: fc.integer({ min: 0, max: 5 }), source }),
};
const common = fc.record({ t: fc.double({ min: 0, max: 1e6, noNaN: true }), variant: fc.constantFrom('fp32', 'int8', 'cloud', 'fallback'), inputs_valid: fc.boolean() });

function codec(s: DomainService) {
  const ev = [...compileInterface(s.iface).events.values()].find((e) => e.name === RESULT_EVENT);
  if (!ev) throw new Error('no result event');
  return ev.codec;
}

describe('domain service interfaces', () => {
  it('has one service per domain with the documented default IDs', () => {
    expect(services.map((s) => s.domain).sort()).toEqual(Object.keys(DOMAINS).sort());
    expect(services.map((s) => s.ids.serviceId)).toEqual([0x4a01, 0x4a02, 0x4a03, 0x4a04, 0x4a05]);
    for (const s of services) {
      expect(s.ids).toMatchObject({ instanceId: 1, eventgroupId: 1, eventId: 0x8001 });
      expect(s.iface.events?.[RESULT_EVENT]).toMatchObject({ id: 0x8001, eventgroups: [1] });
    }
    expect(Object.keys(services.find((s) => s.domain === 'cockpit')!.iface.methods ?? {})).toEqual(['getDriverState']);
    expect(services.filter((s) => s.iface.methods).map((s) => s.domain)).toEqual(['cockpit']);
  });

  it('applies ID overrides from the config and keeps the other defaults', () => {
    const s = domainServices(parseConfig({ someip: { services: { body: { service_id: 0x4b00, event_id: 0x8010 } } } }, DOMAIN_LIST).someip, DOMAIN_LIST);
    const body = s.find((x) => x.domain === 'body')!;
    expect(body.ids).toEqual({ serviceId: 0x4b00, instanceId: 1, eventgroupId: 1, eventId: 0x8010 });
    expect(body.iface.events?.[RESULT_EVENT]?.id).toBe(0x8010);
  });

  it('rejects clashing service IDs and IDs out of their range, naming the config path', () => {
    const bad = parseConfig({ someip: { services: { body: { service_id: 0x4a01 }, adas: { event_id: 0x0001, method_id: 0x8001 } } } }, DOMAIN_LIST).someip;
    let err: unknown;
    try {
      domainServices(bad, DOMAIN_LIST);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const paths = (err as ConfigInvalidError).message;
    expect(paths).toContain('someip.services.body.service_id');
    expect(paths).toContain('someip.services.adas.event_id');
    expect(paths).toContain('someip.services.adas.method_id');
  });

  it('round-trips every domain result through the wire to its JSON form (property)', () => {
    for (const s of services) {
      const d = DOMAINS[s.domain as DomainName];
      const c = codec(s);
      fc.assert(
        fc.property(common, RESULTS[s.domain]!, (head, result) => {
          const json = { ...head, ...d.toJson(result) };
          const back = payloadToJson(eventFields(s), c.decode(c.encode(jsonToPayload(eventFields(s), json))));
          expect(sameValues(back, json), JSON.stringify({ json, back })).toBe(true);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('rejects truncated payloads with a parse error naming the offset (property)', () => {
    for (const s of services) {
      const c = codec(s);
      const full = c.encode(jsonToPayload(eventFields(s), { t: 1, variant: 'fp32', inputs_valid: true, ...DOMAINS[s.domain as DomainName].toJson(fc.sample(RESULTS[s.domain]!, 1)[0]) }));
      fc.assert(
        fc.property(fc.integer({ min: 0, max: full.length - 1 }), (n) => {
          expect(() => c.decode(full.subarray(0, n))).toThrow(SomeipParseError);
        }),
      );
    }
  });

  it('refuses values with no wire form, naming the field', () => {
    const chassis = eventFields(services.find((s) => s.domain === 'chassis')!);
    const ok = { t: 0, variant: 'fp32', inputs_valid: true, friction_class: 'wet', confidence: 1, mu: 0.6, source: 'model' };
    expect(() => jsonToPayload(chassis, { ...ok, friction_class: 'gravel' })).toThrow(/friction_class: unknown label "gravel"/);
    expect(() => jsonToPayload(chassis, { ...ok, confidence: null })).toThrow(/confidence: null/);
    expect(() => jsonToPayload(chassis, { ...ok, mu: undefined })).toThrow(/mu: missing/);
    expect(() => jsonToPayload(chassis, { ...ok, variant: 'gpu' })).toThrow(/variant/);
  });
});

describe('payloadToJson', () => {
  it('writes float32 fields as the shortest decimal that reads back as the same float32 (property)', () => {
    const fields = [{ name: 'x', type: 'float32' as const }];
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const shown = payloadToJson(fields, { x }).x as number;
        expect(Math.fround(shown) === x).toBe(true); // -0 may come back as 0, as JSON writes it anyway
        expect(shown.toExponential().split('e')[0]!.replace(/[-.]/g, '').length).toBeLessThanOrEqual(9);
      }),
    );
    expect(payloadToJson(fields, { x: Math.fround(0.71) }).x).toBe(0.71);
  });
});
