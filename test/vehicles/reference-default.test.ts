/**
 * The reference vehicle's profile is the default mapping: what the engine, the simulator and the
 * model datasets use when no profile is given is `vehicles/reference.yaml` resolved against
 * `sim/vehicle.dbc`, and it maps every input of every shipped domain.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST } from '../../domains/index.js';
import { loadVehicleProfile } from '../../runtime/vehicle/load.js';
import { REFERENCE_PROFILE, referenceVehicleSignals } from '../../runtime/vehicle/reference-mapping.js';
import { repoRoot } from '../helpers/shared-data.js';

describe('the default vehicle mapping', () => {
  it('is vehicles/reference.yaml, each signal naming its line there', async () => {
    expect(REFERENCE_PROFILE).toBe(path.join(repoRoot, 'vehicles', 'reference.yaml'));
    const profile = await loadVehicleProfile(REFERENCE_PROFILE);
    const defaults = referenceVehicleSignals();
    expect([...defaults.keys()]).toEqual([...profile.signals.keys()]);
    for (const s of defaults.values()) {
      expect(s.file).toBe(REFERENCE_PROFILE);
      expect(s.line).toBeGreaterThan(0);
      // The reference vehicle speaks the catalog's units: every mapping takes the store's fast path.
      expect(s.transform, s.name).toBeNull();
    }
  });

  it('maps every input of every shipped domain', () => {
    const defaults = referenceVehicleSignals();
    const inputs = DOMAIN_LIST.flatMap((d) => Object.keys(d.inputs));
    expect(inputs.filter((name) => !defaults.has(name))).toEqual([]);
  });

  it('hands out a fresh map each call, so one caller cannot change another mapping', () => {
    const a = referenceVehicleSignals() as Map<string, unknown>;
    a.delete('Vehicle.Speed');
    expect(referenceVehicleSignals().has('Vehicle.Speed')).toBe(true);
  });
});
