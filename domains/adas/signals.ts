/** The catalog signals the ADAS service reads, which it requires, and their columns in its feature window. */
import type { DomainInput } from '../../runtime/service/domain.js';
import { REQUIRED, columnsOf, optional } from '../common/inputs.js';

export const RADAR_OBJECTS = 8;
/** Per radar object, in this order. */
export const OBJECT_FIELDS = ['Distance', 'RelSpeed', 'LatOffset', 'Valid', 'ExistProb', 'Id'] as const;

export const EGO_SPEED = 'Vehicle.Speed';
export const EGO_ACCEL = 'Vehicle.Acceleration.Longitudinal';
export const EGO_YAW = 'Vehicle.AngularVelocity.Yaw';

function objectSignal(k: number, field: (typeof OBJECT_FIELDS)[number]): string {
  return `Vehicle.EcuAi.Radar.Object${k}.${field}`;
}

/**
 * The first radar object is required: without an object list there is no lead to warn about. A
 * radar that reports fewer objects leaves the other slots unmapped; their `Valid` defaults to 0,
 * so lead and cut-in search skip them, as they skip an empty slot. A radar without an existence
 * probability has every reported object taken as real (100 %).
 */
function objectInput(k: number, field: (typeof OBJECT_FIELDS)[number]): DomainInput {
  if (field === 'ExistProb') return optional(100);
  return k === 1 ? REQUIRED : optional(0);
}

function buildInputs(): Record<string, DomainInput> {
  // Ego speed, acceleration and yaw rate are model inputs (and the fallback's TTC needs the lead).
  const out: Record<string, DomainInput> = { [EGO_SPEED]: REQUIRED, [EGO_ACCEL]: REQUIRED, [EGO_YAW]: REQUIRED };
  for (let k = 1; k <= RADAR_OBJECTS; k++) {
    for (const f of OBJECT_FIELDS) out[objectSignal(k, f)] = objectInput(k, f);
  }
  return out;
}

export const ADAS_INPUTS: Readonly<Record<string, DomainInput>> = Object.freeze(buildInputs());
/** Window columns: ego speed, accel, yaw, then 6 fields per object. */
export const ADAS_COLUMNS: readonly string[] = columnsOf(ADAS_INPUTS);
export const COL_SPEED = 0;
export const COL_ACCEL = 1;
export const COL_YAW = 2;
/** Column of field `f` (index into OBJECT_FIELDS) of object `k` (0-based). */
export function objectColumn(k: number, f: number): number {
  return 3 + k * OBJECT_FIELDS.length + f;
}
/** Window: 20 Hz, 0.5 s. */
export const ADAS_WINDOW = { signals: ADAS_COLUMNS, rateHz: 20, length: 10 } as const;
