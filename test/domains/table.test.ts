import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST } from '../../domains/index.js';
import { E2eSealer, verifyE2e } from '../../bus/e2e.js';
import { jsonToPayload } from '../../runtime/someip/service-interfaces.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';
import { planDomainInputs } from '../../runtime/engine/domain-inputs.js';
import { referenceVehicleSignals } from '../../runtime/vehicle/reference-mapping.js';

describe('domain table', () => {
  it('reads inputs the reference vehicle maps to signals of the reference DBC, and writes an output message it has', () => {
    const db = vehicleDatabase();
    const reference = referenceVehicleSignals();
    for (const d of DOMAIN_LIST) {
      for (const name of Object.keys(d.inputs)) {
        const src = reference.get(name);
        expect(src, `${d.domain} ${name}`).toBeDefined();
        const m = src && db.byName(src.message);
        expect(m, `${d.domain} ${name} → ${src?.message}`).toBeDefined();
        for (const signal of src?.signals ?? []) expect(m?.message.signals.some((s) => s.name === signal), `${d.domain} ${name} → ${src?.message}.${signal}`).toBe(true);
      }
      expect(db.byName(d.outputMessage)).toBeDefined();
    }
    // Nothing of the shipped table is left out or defaulted on the vehicle it was trained on.
    const plan = planDomainInputs(DOMAIN_LIST, reference);
    expect(plan.running).toEqual(DOMAIN_LIST.map((d) => d.domain));
    expect(plan.defaulted).toEqual([]);
  });

  it('declares each window column as an input and each input as a column, optional ones with a default', () => {
    for (const d of DOMAIN_LIST) {
      expect([...d.window.signals], d.domain).toEqual(Object.keys(d.inputs));
      for (const [name, input] of Object.entries(d.inputs)) {
        if (input.required) expect(input.default, `${d.domain} ${name}`).toBeUndefined();
        else expect(Number.isFinite(input.default), `${d.domain} ${name}`).toBe(true);
      }
      // A domain with no required input would run on defaults alone on any vehicle.
      expect(Object.values(d.inputs).some((i) => i.required), d.domain).toBe(true);
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
