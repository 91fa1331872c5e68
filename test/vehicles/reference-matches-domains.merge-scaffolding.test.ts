/**
 * Merge scaffolding, to be deleted once run, replay and the simulator load vehicles/reference.yaml
 * in place of the table in runtime/vehicle/reference-mapping.ts: proves the two say the same.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST } from '../../domains/index.js';
import { loadVehicleProfile } from '../../runtime/vehicle/load.js';
import { referenceVehicleSignals } from '../../runtime/vehicle/reference-mapping.js';
import type { ResolvedSignal } from '../../runtime/vehicle/types.js';
import { repoRoot } from '../helpers/shared-data.js';

const source = (s: ResolvedSignal): object => ({ message: s.message, signals: [...s.signals], channel: s.channel, periodMs: s.periodMs, timeoutMs: s.timeoutMs, muxValue: s.muxValue, identity: s.transform === null });

describe('merge scaffolding: vehicles/reference.yaml against the reference mapping table', () => {
  it('maps every catalog signal to the same message, signal, channel, period and multiplexer value', async () => {
    const profile = await loadVehicleProfile(path.join(repoRoot, 'vehicles', 'reference.yaml'));
    const table = referenceVehicleSignals();
    expect([...profile.signals.keys()].sort()).toEqual([...table.keys()].sort());
    for (const [name, s] of table) expect(source(profile.signals.get(name)!), name).toEqual(source(s));
  });

  it('maps every input of every domain', async () => {
    const profile = await loadVehicleProfile(path.join(repoRoot, 'vehicles', 'reference.yaml'));
    const inputs = DOMAIN_LIST.flatMap((d) => Object.keys(d.inputs));
    expect(inputs.filter((name) => !profile.signals.has(name))).toEqual([]);
  });
});
