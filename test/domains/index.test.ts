import { describe, expect, it } from 'vitest';
import { DOMAINS, sealE2e } from '../../domains/index.js';
import { ALL_DOMAINS } from '../../runtime/config.js';
import { DOMAIN_TIMING } from '../../runtime/scheduler/domain-timing.js';
import { verifyE2e } from '../../bus/e2e.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';

describe('domain table', () => {
  it('defines every domain with the scheduler timing and signals and an output message that exist in the reference DBC', () => {
    const db = vehicleDatabase();
    for (const name of ALL_DOMAINS) {
      const d = DOMAINS[name];
      expect(d.domain).toBe(name);
      expect(d.rateHz).toBe(DOMAIN_TIMING[name].rateHz);
      expect(d.deadlineMs).toBe(DOMAIN_TIMING[name].deadlineMs);
      for (const [vss, src] of Object.entries(d.signals)) {
        const m = db.byName(src.message);
        expect(m, `${name} ${vss}`).toBeDefined();
        expect(m?.message.signals.some((s) => s.name === src.signal), `${name} ${vss} → ${src.message}.${src.signal}`).toBe(true);
      }
      expect(d.window.signals.every((s) => s in d.signals)).toBe(true);
      expect(db.byName(d.outputMessage)).toBeDefined();
    }
  });

  it('encodes every fallback result into a frame the DBC codec accepts, sealed with a valid E2E CRC', () => {
    const db = vehicleDatabase();
    for (const name of ALL_DOMAINS) {
      const d = DOMAINS[name];
      const window = new Float32Array(d.window.length * d.window.signals.length);
      const values = d.encode(d.fallback(window));
      const codec = db.byName(d.outputMessage);
      if (!codec) throw new Error(d.outputMessage);
      const payload = codec.encode(values, { strict: true });
      const decoded = codec.decode(payload);
      for (const [k, v] of Object.entries(values)) expect(decoded[k], `${name} ${k}`).toBeCloseTo(v, 6);
      if (Object.keys(values).some((k) => k.endsWith('_CRC'))) expect(verifyE2e(codec.message.id, sealE2e(codec.message.id, payload))).toBe(true);
    }
  });
});
