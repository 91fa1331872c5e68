/**
 * The reference vehicle (`sim/vehicle.dbc`): which DBC signal carries each catalog signal the
 * shipped domains read. One table for every domain; the domains themselves name only catalog
 * signals. Every mapping is the identity on one DBC signal (no transform), and a multiplexed DBC
 * signal names the multiplexer value of its page, as a profile must.
 */
import type { ResolvedSignal } from './types.js';

const FILE = 'runtime/vehicle/reference-mapping.ts';
const RADAR_OBJECTS = 8;
const RADAR_FIELDS = ['Distance', 'RelSpeed', 'LatOffset', 'Valid', 'ExistProb', 'Id'] as const;
const CELLS = 96;
const CELLS_PER_VOLTAGE_PAGE = 4;
const TEMP_SENSORS = 24;
const SENSORS_PER_TEMP_PAGE = 6;
const SEATS = ['Driver', 'Passenger', 'RearLeft', 'RearCenter', 'RearRight'] as const;

/** catalog name, DBC message, DBC signal, multiplexer value when the signal is multiplexed. */
type Row = readonly [string, string, string, number?];

const pad = (n: number): string => String(n).padStart(2, '0');

function rows(): Row[] {
  const out: Row[] = [
    ['Vehicle.Speed', 'ESP_Brake', 'BRK_VehicleSpeed'],
    ['Vehicle.Acceleration.Longitudinal', 'ESP_Dynamics', 'DYN_LongAccel'],
    ['Vehicle.Acceleration.Lateral', 'ESP_Dynamics', 'DYN_LatAccel'],
    ['Vehicle.AngularVelocity.Yaw', 'ESP_Dynamics', 'DYN_YawRate'],
    ['Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed', 'ESP_WheelSpeeds', 'WHL_SpeedFL'],
    ['Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed', 'ESP_WheelSpeeds', 'WHL_SpeedFR'],
    ['Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed', 'ESP_WheelSpeeds', 'WHL_SpeedRL'],
    ['Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed', 'ESP_WheelSpeeds', 'WHL_SpeedRR'],
    ['Vehicle.Chassis.SteeringWheel.Angle', 'SAS_Steering', 'SAS_Angle'],
    ['Vehicle.Powertrain.ElectricMotor.Torque', 'PT_Drive', 'DRV_MotorTorque'],
    ['Vehicle.Chassis.Brake.Pressure', 'ESP_Brake', 'BRK_Pressure'],
    ['Vehicle.ADAS.ABS.IsEngaged', 'ESP_Brake', 'BRK_AbsActive'],
    ['Vehicle.Exterior.Rain.Intensity', 'BDY_Environment', 'ENV_Rain'],
    ['Vehicle.Body.Windshield.Front.Wiping.Mode', 'BDY_Environment', 'ENV_Wiper'],
    ['Vehicle.ADAS.LaneDetection.Quality', 'CAM_Lane', 'LANE_Quality'],
    ['Vehicle.ADAS.LaneDetection.Offset', 'CAM_Lane', 'LANE_Offset'],
  ];
  for (let k = 1; k <= RADAR_OBJECTS; k++) {
    for (const f of RADAR_FIELDS) out.push([`Vehicle.ADAS.Radar.Object${k}.${f}`, 'RDR_Objects', `RDR_Obj${k}_${f}`]);
  }
  for (let c = 1; c <= CELLS; c++) {
    out.push([`Vehicle.Powertrain.TractionBattery.Cell${pad(c)}.Voltage`, 'BMS_CellVoltages', `CV_Cell${pad(c)}`, Math.floor((c - 1) / CELLS_PER_VOLTAGE_PAGE)]);
  }
  for (let s = 1; s <= TEMP_SENSORS; s++) {
    out.push([`Vehicle.Powertrain.TractionBattery.Sensor${pad(s)}.Temperature`, 'BMS_CellTemps', `CT_Temp${pad(s)}`, Math.floor((s - 1) / SENSORS_PER_TEMP_PAGE)]);
  }
  out.push(
    ['Vehicle.Powertrain.TractionBattery.Current', 'BMS_PackStatus', 'BMS_PackCurrent'],
    ['Vehicle.Powertrain.TractionBattery.StateOfCharge', 'BMS_PackStatus', 'BMS_SoC'],
    ['Vehicle.Cabin.Driver.FaceDetected', 'DMS_Driver', 'DMS_FaceDetected'],
    ['Vehicle.Cabin.Driver.EyeOpening.Left', 'DMS_Driver', 'DMS_EyeOpenLeft'],
    ['Vehicle.Cabin.Driver.EyeOpening.Right', 'DMS_Driver', 'DMS_EyeOpenRight'],
    ['Vehicle.Cabin.Driver.Head.Pitch', 'DMS_Driver', 'DMS_HeadPitch'],
    ['Vehicle.Cabin.Driver.Head.Yaw', 'DMS_Driver', 'DMS_HeadYaw'],
    ['Vehicle.Cabin.Driver.GazeOnRoad', 'DMS_Driver', 'DMS_GazeOnRoad'],
    ['Vehicle.Cabin.HVAC.AmbientAirTemperature', 'BDY_Climate', 'CLM_CabinTemp'],
    ['Vehicle.Exterior.AirTemperature', 'BDY_Climate', 'CLM_AmbientTemp'],
    ['Vehicle.Cabin.HVAC.Humidity', 'BDY_Climate', 'CLM_Humidity'],
    ['Vehicle.Exterior.SunLoad', 'BDY_Climate', 'CLM_SunLoad'],
    ['Vehicle.Cabin.HVAC.Setpoint', 'BDY_Climate', 'CLM_Setpoint'],
    ['Vehicle.Cabin.HVAC.Co2', 'BDY_Climate', 'CLM_Co2'],
  );
  for (const s of SEATS) out.push([`Vehicle.Cabin.Seat.${s}.IsOccupied`, 'BDY_Occupancy', `OCC_Seat${s}`]);
  for (const s of SEATS) out.push([`Vehicle.Cabin.Seat.${s}.IsBelted`, 'BDY_Occupancy', `OCC_Belt${s}`]);
  return out;
}

/**
 * The reference vehicle's catalog signals by name. `line` is the signal's row in this table.
 * @returns a new map on each call; its entries are frozen
 */
export function referenceVehicleSignals(): ReadonlyMap<string, ResolvedSignal> {
  const out = new Map<string, ResolvedSignal>();
  rows().forEach(([name, message, signal, muxValue], i) => {
    out.set(
      name,
      Object.freeze({
        name,
        message,
        signals: Object.freeze([signal]),
        ...(muxValue === undefined ? {} : { muxValue }),
        transform: null,
        inverse: (value: number) => ({ [signal]: value }),
        file: FILE,
        line: i + 1,
      }),
    );
  });
  return out;
}
