import { describe, expect, it } from 'vitest';
import { DOMAINS } from '../../domains/index.js';
import { ALL_DOMAINS } from '../../runtime/config.js';
import { DOMAIN_TIMING } from '../../runtime/scheduler/domain-timing.js';
import { E2eSealer, verifyE2e } from '../../bus/e2e.js';
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
      const e2e = E2eSealer.of(codec.message);
      e2e?.prepare(values);
      const payload = codec.encode(values, { strict: true });
      const decoded = codec.decode(payload);
      for (const [k, v] of Object.entries(values)) expect(decoded[k], `${name} ${k}`).toBeCloseTo(v, 6);
      // The safety outputs are end-to-end protected in the reference DBC; the others are not.
      expect(e2e?.crcSignal !== undefined, name).toBe(d.criticality === 'safety');
      if (e2e?.crcSignal !== undefined) expect(verifyE2e(codec.message.id, e2e.seal(payload))).toBe(true);
    }
  });
});
