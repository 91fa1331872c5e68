/** The catalog signals the cockpit (driver monitoring) service reads, which it requires, and their window columns. */
import type { DomainInput } from '../../runtime/service/domain.js';
import { REQUIRED, columnsOf, optional } from '../common/inputs.js';

/**
 * Drowsiness is read off the driver camera (face, eyes, head pitch, gaze) and the steering
 * reversals: required. Lane keeping is optional (0: a vehicle without a lane camera shows no
 * weaving, and the eyes decide); the head's yaw is in the window but no feature reads it (0).
 */
export const COCKPIT_INPUTS: Readonly<Record<string, DomainInput>> = Object.freeze({
  'Vehicle.EcuAi.DriverMonitoring.FaceDetected': REQUIRED,
  'Vehicle.EcuAi.DriverMonitoring.EyeOpening.Left': REQUIRED,
  'Vehicle.EcuAi.DriverMonitoring.EyeOpening.Right': REQUIRED,
  'Vehicle.EcuAi.DriverMonitoring.Head.Pitch': REQUIRED,
  'Vehicle.EcuAi.DriverMonitoring.Head.Yaw': optional(0),
  'Vehicle.Driver.IsEyesOnRoad': REQUIRED,
  'Vehicle.Chassis.SteeringWheel.Angle': REQUIRED,
  'Vehicle.EcuAi.Camera.Lane.Offset': optional(0),
});
export const COCKPIT_COLUMNS: readonly string[] = columnsOf(COCKPIT_INPUTS);
export const K = { FACE: 0, EYE_L: 1, EYE_R: 2, PITCH: 3, YAW: 4, GAZE: 5, STEER: 6, LANE: 7 } as const;
/** Window: 20 Hz (the camera's rate), 30 s. */
export const COCKPIT_WINDOW = { signals: COCKPIT_COLUMNS, rateHz: 20, length: 600 } as const;
