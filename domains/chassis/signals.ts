/** The vehicle signals the chassis service reads, and their columns in its feature window. */
import type { SignalSource } from '../../runtime/service/domain.js';

export const CHASSIS_SIGNALS: Readonly<Record<string, SignalSource>> = Object.freeze({
  'Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed': { message: 'ESP_WheelSpeeds', signal: 'WHL_SpeedFL' },
  'Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed': { message: 'ESP_WheelSpeeds', signal: 'WHL_SpeedFR' },
  'Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed': { message: 'ESP_WheelSpeeds', signal: 'WHL_SpeedRL' },
  'Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed': { message: 'ESP_WheelSpeeds', signal: 'WHL_SpeedRR' },
  'Vehicle.Speed': { message: 'ESP_Brake', signal: 'BRK_VehicleSpeed' },
  'Vehicle.Acceleration.Longitudinal': { message: 'ESP_Dynamics', signal: 'DYN_LongAccel' },
  'Vehicle.Acceleration.Lateral': { message: 'ESP_Dynamics', signal: 'DYN_LatAccel' },
  'Vehicle.AngularVelocity.Yaw': { message: 'ESP_Dynamics', signal: 'DYN_YawRate' },
  'Vehicle.Chassis.SteeringWheel.Angle': { message: 'SAS_Steering', signal: 'SAS_Angle' },
  'Vehicle.Powertrain.ElectricMotor.Torque': { message: 'PT_Drive', signal: 'DRV_MotorTorque' },
  'Vehicle.Chassis.Brake.Pressure': { message: 'ESP_Brake', signal: 'BRK_Pressure' },
  'Vehicle.ADAS.ABS.IsEngaged': { message: 'ESP_Brake', signal: 'BRK_AbsActive' },
  'Vehicle.Exterior.AirTemperature': { message: 'BDY_Climate', signal: 'CLM_AmbientTemp' },
  'Vehicle.Exterior.Rain.Intensity': { message: 'BDY_Environment', signal: 'ENV_Rain' },
  'Vehicle.Body.Windshield.Front.Wiping.Mode': { message: 'BDY_Environment', signal: 'ENV_Wiper' },
  'Vehicle.ADAS.LaneDetection.Quality': { message: 'CAM_Lane', signal: 'LANE_Quality' },
});
export const CHASSIS_COLUMNS: readonly string[] = Object.freeze(Object.keys(CHASSIS_SIGNALS));
export const C = {
  FL: 0, FR: 1, RL: 2, RR: 3, SPEED: 4, AX: 5, AY: 6, YAW: 7, STEER: 8, TORQUE: 9, BRAKE: 10, ABS: 11, AMBIENT: 12, RAIN: 13, WIPER: 14, LANE: 15,
} as const;
/** Window: 50 Hz, 1 s. */
export const CHASSIS_WINDOW = { signals: CHASSIS_COLUMNS, rateHz: 50, length: 50 } as const;
