/**
 * Merge scaffolding, to be deleted once the domains read their inputs through the profile: proves
 * that vehicles/reference.yaml maps exactly what domains/*\/signals.ts map today.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST } from '../../domains/index.js';
import { loadVehicleProfile } from '../../runtime/vehicle/load.js';
import { repoRoot } from '../helpers/shared-data.js';

describe('merge scaffolding: the reference profile against the domains\' hard-coded signals', () => {
  it('maps every domain signal to the same message, signal, channel and period, and nothing else', async () => {
    const profile = await loadVehicleProfile(path.join(repoRoot, 'vehicles', 'reference.yaml'));
    const expected = new Map<string, object>();
    for (const d of DOMAIN_LIST) {
      for (const [name, src] of Object.entries(d.signals)) expected.set(name, { message: src.message, signals: [src.signal], channel: src.channel, periodMs: src.periodMs });
    }
    const actual = new Map([...profile.signals].map(([name, s]) => [name, { message: s.message, signals: [...s.signals], channel: s.channel, periodMs: s.periodMs }]));
    expect(actual.size).toBe(expected.size);
    for (const [name, want] of expected) expect(actual.get(name), name).toEqual(want);
  });
});
