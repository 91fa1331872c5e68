/** The catalog signals the chassis service reads, which it requires, and their columns in its feature window. */
import type { DomainInput } from '../../runtime/service/domain.js';
import { REQUIRED, columnsOf, optional } from '../common/inputs.js';

/**
 * Slip against the friction asked of the tyres (wheel speeds, speed, motor torque), what braking
 * achieved under ABS (deceleration, brake pressure, ABS flag), the lateral load and the air
 * temperature (which separates snow and ice from wet) are what the friction class is made of:
 * required. The weather hints are optional, defaulting to the common case (no rain, wipers off,
 * the camera seeing the lane well: quality 3 of 0..3). The shipped model leans on lane quality to
 * tell snow from ice, so without it snow and ice are misjudged (models/chassis-friction/EVAL.md,
 * "On a second vehicle"); dry and wet roads are not affected. Yaw rate and steering angle are in
 * the window but no feature reads them: 0.
 */
export const CHASSIS_INPUTS: Readonly<Record<string, DomainInput>> = Object.freeze({
  'Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed': REQUIRED,
  'Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed': REQUIRED,
  'Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed': REQUIRED,
  'Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed': REQUIRED,
  'Vehicle.Speed': REQUIRED,
  'Vehicle.Acceleration.Longitudinal': REQUIRED,
  'Vehicle.Acceleration.Lateral': REQUIRED,
  'Vehicle.AngularVelocity.Yaw': optional(0),
  'Vehicle.Chassis.SteeringWheel.Angle': optional(0),
  'Vehicle.Powertrain.ElectricMotor.Torque': REQUIRED,
  'Vehicle.EcuAi.Chassis.BrakePressure': REQUIRED,
  'Vehicle.ADAS.ABS.IsEngaged': REQUIRED,
  'Vehicle.Exterior.AirTemperature': REQUIRED,
  'Vehicle.Body.Raindetection.Intensity': optional(0),
  'Vehicle.Body.Windshield.Front.Wiping.Mode': optional(0),
  'Vehicle.EcuAi.Camera.Lane.Quality': optional(3),
});
export const CHASSIS_COLUMNS: readonly string[] = columnsOf(CHASSIS_INPUTS);
export const C = {
  FL: 0, FR: 1, RL: 2, RR: 3, SPEED: 4, AX: 5, AY: 6, YAW: 7, STEER: 8, TORQUE: 9, BRAKE: 10, ABS: 11, AMBIENT: 12, RAIN: 13, WIPER: 14, LANE: 15,
} as const;
/** Window: 50 Hz, 1 s. */
export const CHASSIS_WINDOW = { signals: CHASSIS_COLUMNS, rateHz: 50, length: 50 } as const;
