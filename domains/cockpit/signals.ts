/** The vehicle signals the cockpit (driver monitoring) service reads, and their window columns. */
import type { SignalSource } from '../../runtime/service/domain.js';

export const COCKPIT_SIGNALS: Readonly<Record<string, SignalSource>> = Object.freeze({
  'Vehicle.Cabin.Driver.FaceDetected': { message: 'DMS_Driver', signal: 'DMS_FaceDetected' },
  'Vehicle.Cabin.Driver.EyeOpening.Left': { message: 'DMS_Driver', signal: 'DMS_EyeOpenLeft' },
  'Vehicle.Cabin.Driver.EyeOpening.Right': { message: 'DMS_Driver', signal: 'DMS_EyeOpenRight' },
  'Vehicle.Cabin.Driver.Head.Pitch': { message: 'DMS_Driver', signal: 'DMS_HeadPitch' },
  'Vehicle.Cabin.Driver.Head.Yaw': { message: 'DMS_Driver', signal: 'DMS_HeadYaw' },
  'Vehicle.Cabin.Driver.GazeOnRoad': { message: 'DMS_Driver', signal: 'DMS_GazeOnRoad' },
  'Vehicle.Chassis.SteeringWheel.Angle': { message: 'SAS_Steering', signal: 'SAS_Angle' },
  'Vehicle.ADAS.LaneDetection.Offset': { message: 'CAM_Lane', signal: 'LANE_Offset' },
});
export const COCKPIT_COLUMNS: readonly string[] = Object.freeze(Object.keys(COCKPIT_SIGNALS));
export const K = { FACE: 0, EYE_L: 1, EYE_R: 2, PITCH: 3, YAW: 4, GAZE: 5, STEER: 6, LANE: 7 } as const;
/** Window: 20 Hz (the camera's rate), 30 s. */
export const COCKPIT_WINDOW = { signals: COCKPIT_COLUMNS, rateHz: 20, length: 600 } as const;
