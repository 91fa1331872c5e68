import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVehicleProfile } from '../../runtime/vehicle/load.js';
import { hasSharedData, repoRoot, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';
import { toyotaSignals } from '../sim/toyota-signals.js';

describe('the Toyota profile', () => {
  it.skipIf(!hasSharedData)(`resolves against opendbc's Toyota DBC as the simulator's hand-resolved table says ${sharedSkipReason}`, async () => {
    const profile = await loadVehicleProfile(path.join(repoRoot, 'vehicles', 'toyota-nodsu.yaml'), { dbc: sharedPath('dbc', 'opendbc', 'toyota_nodsu_pt_generated.dbc') });
    const byHand = toyotaSignals();
    expect([...profile.signals.keys()].sort()).toEqual([...byHand.keys()].sort());
    for (const [name, want] of byHand) {
      const got = profile.signals.get(name)!;
      expect({ message: got.message, signals: got.signals, line: got.line }, name).toEqual({ message: want.message, signals: want.signals, line: want.line });
      for (const raw of [0, 1]) expect(got.transform?.({ [want.signals[0]!]: raw }) ?? raw, `${name} of ${raw}`).toBe(want.transform?.({ [want.signals[0]!]: raw }) ?? raw);
    }
    // The belt buckle's table inverts: 0 (latched) is belted.
    expect(profile.signals.get('Vehicle.Cabin.Seat.Row1.DriverSide.IsBelted')?.inverse?.(1)).toEqual({ SEATBELT_DRIVER_UNLATCHED: 0 });
  });
});
