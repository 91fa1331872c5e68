/**
 * A Toyota vehicle for the simulator's tests, built by hand the way a resolved profile looks
 * (`ResolvedSignal`: message, DBC signals, transform and inverse), for the signals
 * `vehicles/toyota-nodsu.yaml` maps, against opendbc's Toyota DBC from the shared data.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileDatabase, loadDbcFile, type CompiledDatabase } from '../../bus/dbc/index.js';
import type { ResolvedSignal } from '../../runtime/vehicle/types.js';
import { repoRoot, sharedPath } from '../helpers/shared-data.js';

export const TOYOTA_DBC = sharedPath('dbc', 'opendbc', 'toyota_nodsu_pt_generated.dbc');
export const TOYOTA_PROFILE = path.join(repoRoot, 'vehicles', 'toyota-nodsu.yaml');

export async function toyotaDatabase(): Promise<CompiledDatabase> {
  return compileDatabase((await loadDbcFile(TOYOTA_DBC)).database);
}

/** 1-based line of a catalog name's entry in a profile, so errors point where the profile says it. */
function lineOf(file: string, name: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.findIndex((l) => l.trim() === `${name}:`) + 1;
}

/** A one-signal mapping: identity, or the given transform and inverse. */
export function mapping(
  name: string,
  message: string,
  signal: string,
  extra: Partial<Pick<ResolvedSignal, 'transform' | 'inverse' | 'muxValue' | 'channel' | 'file' | 'line'>> = {},
): ResolvedSignal {
  const file = extra.file ?? TOYOTA_PROFILE;
  return {
    name,
    message,
    signals: [signal],
    transform: null,
    inverse: (v: number) => ({ [signal]: v }),
    ...extra,
    file,
    line: extra.line ?? lineOf(file, name),
  };
}

const WHEELS: readonly (readonly [string, string])[] = [
  ['Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed', 'WHEEL_SPEED_FL'],
  ['Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed', 'WHEEL_SPEED_FR'],
  ['Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed', 'WHEEL_SPEED_RL'],
  ['Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed', 'WHEEL_SPEED_RR'],
];

/** The Toyota profile's signals, resolved by hand. */
export function toyotaSignals(): Map<string, ResolvedSignal> {
  const list: ResolvedSignal[] = [
    mapping('Vehicle.Speed', 'SPEED', 'SPEED'),
    ...WHEELS.map(([name, signal]) => mapping(name, 'WHEEL_SPEEDS', signal)),
    mapping('Vehicle.Acceleration.Longitudinal', 'KINEMATICS', 'ACCEL_X'),
    mapping('Vehicle.Acceleration.Lateral', 'KINEMATICS', 'ACCEL_Y'),
    mapping('Vehicle.AngularVelocity.Yaw', 'KINEMATICS', 'YAW_RATE'),
    mapping('Vehicle.Chassis.SteeringWheel.Angle', 'STEER_TORQUE_SENSOR', 'STEER_ANGLE'),
    mapping('Vehicle.ADAS.ABS.IsEngaged', 'VSC1S07', 'FABS'),
    // `values: {0: 1, 1: 0}`: the bus says "unlatched", the catalog "belted".
    mapping('Vehicle.Cabin.Seat.Row1.DriverSide.IsBelted', 'BODY_CONTROL_STATE', 'SEATBELT_DRIVER_UNLATCHED', {
      transform: (d) => (d.SEATBELT_DRIVER_UNLATCHED === 0 ? 1 : 0),
      inverse: (v) => ({ SEATBELT_DRIVER_UNLATCHED: v >= 0.5 ? 0 : 1 }),
    }),
  ];
  return new Map(list.map((r) => [r.name, r]));
}
