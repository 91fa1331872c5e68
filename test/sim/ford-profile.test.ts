/**
 * `vehicles/ford-lincoln-base.yaml` against opendbc's Ford / Lincoln powertrain DBC: catalog names
 * the domains read, no DBC of its own, a header that says which domains run, every mapping resolved,
 * and the calibrations its comments state (tyre radius 0.34 m, brake gain 54.4 Nm per bar, gear
 * ratio 9) in the values it decodes and in what it encodes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVehicleProfile } from '../../runtime/vehicle/load.js';
import type { ResolvedProfile } from '../../runtime/vehicle/types.js';
import { hasSharedData, repoRoot, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';
import { parseShippedProfile, shippedProfileTests } from './shipped-profile.js';

const FORD_PROFILE = path.join(repoRoot, 'vehicles', 'ford-lincoln-base.yaml');
const text = readFileSync(FORD_PROFILE, 'utf8');
const profile = parseShippedProfile(text);

const TYRE_RADIUS_M = 0.34;
const BRAKE_NM_PER_BAR = 160 * TYRE_RADIUS_M;
const GEAR_RATIO = 9;

/** The catalog value a mapping makes of one DBC signal's physical value. */
function decoded(p: ResolvedProfile, name: string, value: number | string): number | string | undefined {
  const r = p.signals.get(name);
  if (!r) throw new Error(`${name} is not mapped`);
  const input = { [r.signals[0] as string]: value };
  return r.transform ? r.transform(input) : value;
}

describe('the Ford / Lincoln profile', () => {
  shippedProfileTests(text, 'ford-lincoln-base');

  it.skipIf(!hasSharedData)(`resolves against opendbc's Ford DBC and decodes through the calibrations it states ${sharedSkipReason}`, async () => {
    const p = await loadVehicleProfile(FORD_PROFILE, { dbc: sharedPath('dbc', 'opendbc', 'ford_lincoln_base_pt.dbc') });
    expect([...p.signals.keys()].sort()).toEqual(Object.keys(profile.signals).sort());
    // A wheel at 100 rad/s rolls at 100 * r m/s; the catalog wants km/h.
    expect(decoded(p, 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed', 100)).toBeCloseTo(100 * TYRE_RADIUS_M * 3.6, 9);
    expect(decoded(p, 'Vehicle.EcuAi.Chassis.BrakePressure', 10 * BRAKE_NM_PER_BAR)).toBeCloseTo(10, 9);
    expect(decoded(p, 'Vehicle.Powertrain.ElectricMotor.Torque', -4 * 100 * GEAR_RATIO)).toBeCloseTo(-400, 9);
    expect(decoded(p, 'Vehicle.AngularVelocity.Yaw', Math.PI / 2)).toBeCloseTo(90, 9);
    expect(decoded(p, 'Vehicle.Speed', 87.5)).toBe(87.5);
    expect(decoded(p, 'Vehicle.Cabin.HVAC.AmbientAirTemperature', 21.5)).toBe(21.5);
    expect(decoded(p, 'Vehicle.Body.Windshield.Front.Wiping.Mode', 'AUTO_HIGH')).toBe(3);
    expect(decoded(p, 'Vehicle.Body.Windshield.Front.Wiping.Mode', 'STALLED')).toBeUndefined();
    // What the simulator writes: the wheel's angular speed, and the wiper's first label of a mode.
    expect(p.signals.get('Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed')?.inverse?.(100 * TYRE_RADIUS_M * 3.6)?.['WhlFr_W_Meas']).toBeCloseTo(100, 9);
    expect(p.signals.get('Vehicle.Body.Windshield.Front.Wiping.Mode')?.inverse?.(2)).toEqual({ WiprFront_D_Stat: 5 });
  });
});
