import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST } from '../../domains/index.js';
import { E2eSealer, verifyE2e } from '../../bus/e2e.js';
import { jsonToPayload } from '../../runtime/someip/service-interfaces.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';

describe('domain table', () => {
  it('reads only signals and writes only an output message that exist in the reference DBC', () => {
    const db = vehicleDatabase();
    for (const d of DOMAIN_LIST) {
      for (const [vss, src] of Object.entries(d.signals)) {
        const m = db.byName(src.message);
        expect(m, `${d.domain} ${vss}`).toBeDefined();
        expect(m?.message.signals.some((s) => s.name === src.signal), `${d.domain} ${vss} → ${src.message}.${src.signal}`).toBe(true);
      }
      expect(d.window.signals.every((s) => s in d.signals)).toBe(true);
      expect(db.byName(d.outputMessage)).toBeDefined();
    }
  });

  it('encodes every fallback result into a frame the DBC codec accepts, sealed with a valid E2E CRC', () => {
    const db = vehicleDatabase();
    for (const d of DOMAIN_LIST) {
      const window = new Float32Array(d.window.length * d.window.signals.length);
      const values = d.encode(d.fallback(window));
      const codec = db.byName(d.outputMessage);
      if (!codec) throw new Error(d.outputMessage);
      const e2e = E2eSealer.of(codec.message);
      e2e?.prepare(values);
      const payload = codec.encode(values, { strict: true });
      const decoded = codec.decode(payload);
      for (const [k, v] of Object.entries(values)) expect(decoded[k], `${d.domain} ${k}`).toBeCloseTo(v, 6);
      // The safety outputs are end-to-end protected in the reference DBC; the others are not.
      expect(e2e?.crcSignal !== undefined, d.domain).toBe(d.criticality === 'safety');
      if (e2e?.crcSignal !== undefined) expect(verifyE2e(codec.message.id, e2e.seal(payload))).toBe(true);
    }
  });

  it('gives every fallback result a SOME/IP payload: the service fields name keys of the JSON form', () => {
    for (const d of DOMAIN_LIST) {
      const window = new Float32Array(d.window.length * d.window.signals.length);
      const json = d.toJson(d.fallback(window));
      expect(Object.keys(json).sort(), d.domain).toEqual(d.someip.fields.map((f) => f.name).sort());
      expect(() => jsonToPayload(d.someip.fields, json), d.domain).not.toThrow();
    }
  });

  it('names each domain, service and trigger once', () => {
    const names = DOMAIN_LIST.map((d) => d.domain);
    expect(new Set(names).size).toBe(names.length);
    const services = DOMAIN_LIST.map((d) => `${d.someip.serviceId}.${d.someip.instanceId}`);
    expect(new Set(services).size).toBe(services.length);
    const triggers = DOMAIN_LIST.flatMap((d) => (d.triggers ?? []).map((t) => t.name));
    expect(new Set(triggers).size).toBe(triggers.length);
  });
});
