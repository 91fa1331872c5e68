/**
 * What each input message of the reference vehicle carries, read off the simulated world with
 * each sensor's noise and latency (radar one cycle, driver camera two frames). One builder per
 * message; counters and CRCs are added by the emitter, and quantisation comes from the DBC scaling
 * when the values are encoded.
 */
import { clamp } from './numeric.js';
import type { Rng } from './random.js';
import { TEMP_SENSOR_COUNT } from './vehicle/battery.js';
import type { CameraSample } from './vehicle/driver-state.js';
import { SEATS } from './vehicle/occupants.js';
import { RADAR_MAX_OBJECTS } from './vehicle/radar.js';
import type { World } from './vehicle/world.js';

export type SignalMap = Record<string, number>;
export type MessageBuilder = () => SignalMap;

const RAD_TO_DEG = 180 / Math.PI;
const MPS_TO_KMH = 3.6;
const CELL_GROUPS = 24;
const TEMP_GROUPS = 4;
const TEMPS_PER_GROUP = TEMP_SENSOR_COUNT / TEMP_GROUPS;
const DMS_LATENCY_FRAMES = 2;

interface RadarNames {
  distance: string;
  relSpeed: string;
  latOffset: string;
  valid: string;
  existProb: string;
  type: string;
  id: string;
}

// Signal names are built once: the radar and cell messages are the busiest on the bus.
const RADAR_NAMES: readonly RadarNames[] = Array.from({ length: RADAR_MAX_OBJECTS }, (_, k) => {
  const p = `RDR_Obj${k + 1}_`;
  return { distance: `${p}Distance`, relSpeed: `${p}RelSpeed`, latOffset: `${p}LatOffset`, valid: `${p}Valid`, existProb: `${p}ExistProb`, type: `${p}Type`, id: `${p}Id` };
});
const CELL_NAMES: readonly string[] = Array.from({ length: CELL_GROUPS * 4 }, (_, i) => `CV_Cell${String(i + 1).padStart(2, '0')}`);

/** Builders for every message the simulated vehicle sends, keyed by DBC message name. */
export function createMessageBuilders(world: World, rng: Rng): Readonly<Record<string, MessageBuilder>> {
  let lastAngleDeg = 0;
  let lastAngleT = -1;
  let cellGroup = 0;
  let tempGroup = 0;
  const dmsQueue: CameraSample[] = [];
  const radarPeriodMs = 50;
  const g = (sd: number): number => rng.gaussian(0, sd);
  return {
    SAS_Steering: () => {
      const angle = world.control.steeringWheelRad * RAD_TO_DEG + g(0.05);
      const rate = lastAngleT < 0 ? 0 : (angle - lastAngleDeg) / Math.max(world.t - lastAngleT, 1e-3);
      lastAngleDeg = angle;
      lastAngleT = world.t;
      return { SAS_Status: 0, SAS_Angle: angle, SAS_Rate: rate };
    },
    ESP_WheelSpeeds: () => {
      const m = world.motion;
      const half = (world.lat.yawRate * world.lat.params.trackWidthM) / 2;
      const v = m.speedMps;
      const wheel = (slip: number, side: number): number => Math.max(0, (v - side * half) * (1 + slip) * MPS_TO_KMH + g(0.03));
      return {
        WHL_SpeedFL: wheel(m.slipFront, 1),
        WHL_SpeedFR: wheel(m.slipFront, -1),
        WHL_SpeedRL: wheel(m.slipRear, 1),
        WHL_SpeedRR: wheel(m.slipRear, -1),
      };
    },
    ESP_Dynamics: () => ({
      DYN_YawRate: world.lat.yawRate * RAD_TO_DEG + g(0.05),
      DYN_LatAccel: world.latAccel + g(0.04),
      DYN_LongAccel: world.motion.accelMps2 + g(0.04),
      DYN_Status: 0,
    }),
    ESP_Brake: () => {
      const m = world.motion;
      return {
        BRK_PedalPressed: m.brakePressureBar > 1 || m.accelMps2 < -1.5 ? 1 : 0,
        BRK_AbsActive: m.absActive ? 1 : 0,
        BRK_EspActive: 0,
        BRK_Standstill: m.speedMps < 0.05 ? 1 : 0,
        BRK_VehicleSpeed: Math.max(0, m.speedMps * MPS_TO_KMH + g(0.02)),
        BRK_Pressure: Math.max(0, m.brakePressureBar + (m.brakePressureBar > 0 ? g(0.3) : 0)),
      };
    },
    PT_Drive: () => {
      const m = world.motion;
      const p = world.long.params;
      const maxTorque = p.motorTorqueNm;
      return {
        DRV_Gear: 3,
        DRV_AccelPedal: m.motorTorqueNm > 0 ? (100 * m.motorTorqueNm) / maxTorque : 0,
        DRV_MotorTorque: m.motorTorqueNm + g(0.5),
        DRV_MotorSpeed: m.motorRpm,
        DRV_Ready: 1,
      };
    },
    RDR_Objects: () => {
      const objects = world.radar.cycle(world.traffic.targets, world.egoS, world.long.speedMps, world.lat.laneOffset);
      const values: SignalMap = { RDR_NumObjects: objects.length, RDR_Status: 0, RDR_Latency: radarPeriodMs };
      for (let k = 0; k < RADAR_MAX_OBJECTS; k++) {
        const o = objects[k];
        const n = RADAR_NAMES[k] as RadarNames;
        values[n.distance] = o ? o.distanceM : 0;
        values[n.relSpeed] = o ? o.relSpeedMps : 0;
        values[n.latOffset] = o ? o.latOffsetM : 0;
        values[n.valid] = o?.valid ? 1 : 0;
        values[n.existProb] = o ? o.existProbPct : 0;
        values[n.type] = o ? o.type : 0;
        values[n.id] = o ? o.id : 0;
      }
      return values;
    },
    CAM_Lane: () => {
      const env = world.env;
      const poor = env.surface === 'snow' || env.surface === 'ice' || env.rainPct > 60;
      const quality = poor ? (rng.chance(0.3) ? 1 : 2) : 3;
      const sd = quality === 3 ? 1 : 2.5;
      return {
        LANE_Quality: quality,
        LANE_Offset: world.lat.laneOffset + g(0.02 * sd),
        LANE_Heading: world.lat.headingError + g(0.001 * sd),
        LANE_Curvature: env.roadCurvature + g(2e-5 * sd),
        LANE_Width: 3.6 + g(0.03 * sd),
      };
    },
    DMS_Driver: () => {
      // The camera's image processing takes two frame periods: what goes out now was seen 100 ms ago.
      dmsQueue.push(world.driver.sample());
      const s = dmsQueue.length > DMS_LATENCY_FRAMES ? (dmsQueue.shift() as CameraSample) : (dmsQueue[0] as CameraSample);
      return {
        DMS_FaceDetected: s.faceDetected ? 1 : 0,
        DMS_EyeOpenLeft: s.eyeOpenLeftPct,
        DMS_EyeOpenRight: s.eyeOpenRightPct,
        DMS_HeadPitch: s.headPitchDeg,
        DMS_HeadYaw: s.headYawDeg,
        DMS_GazeOnRoad: s.gazeOnRoad ? 1 : 0,
      };
    },
    BMS_PackStatus: () => {
      const b = world.battery;
      let maxT = -Infinity;
      for (let s = 0; s < TEMP_SENSOR_COUNT; s++) maxT = Math.max(maxT, b.sensorTemp(s));
      return {
        BMS_State: 1,
        BMS_PackVoltage: b.packVoltage + g(0.05),
        BMS_PackCurrent: b.currentA + g(0.2),
        BMS_SoC: 100 * b.meanSoc,
        BMS_MaxCellTemp: maxT + g(0.2),
      };
    },
    BMS_CellVoltages: () => {
      const group = cellGroup;
      cellGroup = (cellGroup + 1) % CELL_GROUPS;
      const values: SignalMap = { CV_Group: group };
      for (let j = 0; j < 4; j++) {
        const cell = group * 4 + j;
        values[CELL_NAMES[cell] as string] = (world.battery.voltage[cell] as number) + g(0.001);
      }
      return values;
    },
    BMS_CellTemps: () => {
      const group = tempGroup;
      tempGroup = (tempGroup + 1) % TEMP_GROUPS;
      const values: SignalMap = { CT_Group: group };
      for (let j = 0; j < TEMPS_PER_GROUP; j++) {
        const sensor = group * TEMPS_PER_GROUP + j;
        values[`CT_Temp${String(sensor + 1).padStart(2, '0')}`] = world.battery.sensorTemp(sensor) + g(0.15);
      }
      return values;
    },
    BDY_Climate: () => {
      const c = world.cabin;
      const env = world.env;
      return {
        CLM_CabinTemp: c.tempC + g(0.1),
        CLM_AmbientTemp: env.ambientC + g(0.2),
        CLM_Humidity: clamp(c.humidityPct + g(1), 0, 100),
        CLM_SunLoad: Math.max(0, env.sunWm2 + g(10)),
        CLM_Setpoint: world.occupants.userSetpointC,
        CLM_Blower: c.blower,
        CLM_AcOn: c.hvacW < -200 ? 1 : 0,
        CLM_Co2: Math.max(0, c.co2Ppm + g(15)),
        CLM_Mode: 1,
      };
    },
    BDY_Occupancy: () => {
      const o = world.occupants;
      const values: SignalMap = {};
      SEATS.forEach((seat, i) => {
        values[`OCC_Seat${seat}`] = o.seated[i] || o.bagOn[i] ? 1 : 0;
        values[`OCC_Belt${seat}`] = o.belted[i] ? 1 : 0;
      });
      for (const d of ['FL', 'FR', 'RL', 'RR']) values[`OCC_Door${d}`] = 0;
      return values;
    },
    BDY_Environment: () => {
      const env = world.env;
      const day = env.sunWm2 > 0;
      const light = day ? 2000 + 100 * env.sunWm2 : 5 + rng.uniform(0, 20);
      return {
        ENV_Wiper: env.rainPct <= 5 ? 0 : env.rainPct < 30 ? 1 : env.rainPct < 65 ? 2 : 3,
        ENV_Rain: clamp(env.rainPct + g(2), 0, 100),
        ENV_Light: clamp(light * (1 + g(0.05)), 0, 100000),
        ENV_Headlights: day ? 0 : 1,
        ENV_TimeOfDay: Math.floor(env.timeOfDayMin),
      };
    },
  };
}
