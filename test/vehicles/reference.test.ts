import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfileParts, loadVehicleProfile } from '../../runtime/vehicle/load.js';
import { repoRoot } from '../helpers/shared-data.js';

const PROFILE = path.join(repoRoot, 'vehicles', 'reference.yaml');

describe('the reference vehicle profile', () => {
  it('resolves against sim/vehicle.dbc (its dbc:) with no problem', async () => {
    const parts = await loadProfileParts(PROFILE);
    expect(parts.problems).toEqual([]);
    expect(parts.dbcPath).toBe(path.join(repoRoot, 'sim', 'vehicle.dbc'));
    expect(parts.resolved?.vehicle).toBe('reference');
  });

  it('needs no transform: every mapping is the identity, so decoding through it costs nothing', async () => {
    const profile = await loadVehicleProfile(PROFILE);
    const transformed = [...profile.signals.values()].filter((s) => s.transform !== null).map((s) => s.name);
    expect(transformed).toEqual([]);
    expect(profile.signals.get('Vehicle.EcuAi.TractionBattery.Cell05.Voltage')?.muxValue).toBe(1);
  });
});
