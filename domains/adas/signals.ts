/** The vehicle signals the ADAS service reads, and their columns in its feature window. */
import type { SignalSource } from '../../runtime/service/domain.js';

export const RADAR_OBJECTS = 8;
/** Per radar object, in this order. */
export const OBJECT_FIELDS = ['Distance', 'RelSpeed', 'LatOffset', 'Valid', 'ExistProb', 'Id'] as const;

export const EGO_SPEED = 'Vehicle.Speed';
export const EGO_ACCEL = 'Vehicle.Acceleration.Longitudinal';
export const EGO_YAW = 'Vehicle.AngularVelocity.Yaw';

function objectSignal(k: number, field: (typeof OBJECT_FIELDS)[number]): string {
  return `Vehicle.ADAS.Radar.Object${k}.${field}`;
}

function buildSignals(): Record<string, SignalSource> {
  const out: Record<string, SignalSource> = {
    [EGO_SPEED]: { message: 'ESP_Brake', signal: 'BRK_VehicleSpeed' },
    [EGO_ACCEL]: { message: 'ESP_Dynamics', signal: 'DYN_LongAccel' },
    [EGO_YAW]: { message: 'ESP_Dynamics', signal: 'DYN_YawRate' },
  };
  for (let k = 1; k <= RADAR_OBJECTS; k++) {
    for (const f of OBJECT_FIELDS) out[objectSignal(k, f)] = { message: 'RDR_Objects', signal: `RDR_Obj${k}_${f}` };
  }
  return out;
}

export const ADAS_SIGNALS: Readonly<Record<string, SignalSource>> = Object.freeze(buildSignals());
/** Window columns: ego speed, accel, yaw, then 6 fields per object. */
export const ADAS_COLUMNS: readonly string[] = Object.freeze(Object.keys(ADAS_SIGNALS));
export const COL_SPEED = 0;
export const COL_ACCEL = 1;
export const COL_YAW = 2;
/** Column of field `f` (index into OBJECT_FIELDS) of object `k` (0-based). */
export function objectColumn(k: number, f: number): number {
  return 3 + k * OBJECT_FIELDS.length + f;
}
/** Window: 20 Hz, 0.5 s. */
export const ADAS_WINDOW = { signals: ADAS_COLUMNS, rateHz: 20, length: 10 } as const;
