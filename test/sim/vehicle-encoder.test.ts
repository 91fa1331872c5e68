/**
 * The vehicle encoder on known readings: what a catalog value becomes in the target message
 * (clamped to what its bits carry, the rest at its start value), multiplexed messages, counters
 * and CRCs, cycle times, no frame before its signals are first read, and the errors a mapping that
 * does not fit its DBC gets.
 */
import { describe, expect, it } from 'vitest';
import { compileDatabase, parseDbc, type CompiledDatabase } from '../../bus/dbc/index.js';
import { counterStep, e2eCounter, verifyE2e } from '../../bus/e2e.js';
import type { ResolvedSignal } from '../../runtime/vehicle/types.js';
import { BusTiming } from '../../sim/bus-timing.js';
import { VehicleEncodingError } from '../../sim/errors.js';
import type { SignalMap } from '../../sim/messages.js';
import { Rng } from '../../sim/random.js';
import { referenceCatalogSources } from '../../sim/reference-signals.js';
import { isDue, sensorSchedule, type BusEncoder, type TimedFrame } from '../../sim/sensors.js';
import { VehicleEncoder, type VehicleTarget } from '../../sim/vehicle-encoder.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';
import { hasSharedData, sharedSkipReason } from '../helpers/shared-data.js';
import { mapping, toyotaDatabase, toyotaSignals } from './toyota-signals.js';

const FL = 'Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed';
const FR = 'Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed';

/** Runs the encoder for `steps` 10 ms steps on reference sensors that always read `readings`. */
function encode(target: VehicleTarget, readings: Readonly<Record<string, SignalMap>>, steps = 100): { frames: TimedFrame[]; encoder: VehicleEncoder } {
  const builders = Object.fromEntries(Object.entries(readings).map(([m, v]) => [m, () => ({ ...v })]));
  const sensors = sensorSchedule(vehicleDatabase(), builders);
  const encoder = new VehicleEncoder(target, sensors, referenceCatalogSources(), new BusTiming(new Rng(1), 0), 'can0');
  const bus: BusEncoder = encoder;
  const frames: TimedFrame[] = [];
  for (let k = 1; k <= steps; k++) {
    for (const s of sensors) if (isDue(s, k)) bus.reading(s, s.build(), k, frames);
    bus.endStep(k, frames);
  }
  return { frames, encoder };
}

function decodeAll(db: CompiledDatabase, frames: readonly TimedFrame[], message: string): Record<string, number | string>[] {
  const codec = db.byName(message)!;
  return frames.filter((f) => f.frame.id === codec.message.id).map((f) => codec.decode(f.frame.data));
}

describe.skipIf(!hasSharedData)(`catalog values onto the Toyota DBC ${sharedSkipReason}`, () => {
  it('decode back to the catalog values within the DBC\'s quantisation, and clamp to what the bits carry', async () => {
    const toyota = await toyotaDatabase();
    const { frames } = encode(
      { signals: toyotaSignals(), database: toyota },
      {
        ESP_WheelSpeeds: { WHL_SpeedFL: 87.654, WHL_SpeedFR: 300, WHL_SpeedRL: 0.004, WHL_SpeedRR: 12.3456 },
        ESP_Dynamics: { DYN_YawRate: -200, DYN_LatAccel: 3.21, DYN_LongAccel: -4.567, DYN_Status: 0 },
        ESP_Brake: { BRK_VehicleSpeed: 87.123, BRK_AbsActive: 1, BRK_Pressure: 0, BRK_PedalPressed: 0, BRK_EspActive: 0, BRK_Standstill: 0 },
      },
    );
    const wheels = decodeAll(toyota, frames, 'WHEEL_SPEEDS');
    expect(wheels.length).toBe(50);
    const w = wheels[0]!;
    expect(Math.abs((w.WHEEL_SPEED_FL as number) - 87.654)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs((w.WHEEL_SPEED_RL as number) - 0.004)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs((w.WHEEL_SPEED_RR as number) - 12.3456)).toBeLessThanOrEqual(0.005 + 1e-9);
    // 15 bits of 0.01 km/h from -67.67: 260 km/h is the most the message can say.
    expect(w.WHEEL_SPEED_FR).toBeCloseTo(32767 * 0.01 - 67.67, 6);
    const k = decodeAll(toyota, frames, 'KINEMATICS')[0]!;
    // KINEMATICS declares [0|65535] (its raw range) for signed physical values: the sign survives.
    expect(Math.abs((k.ACCEL_X as number) + 4.567)).toBeLessThanOrEqual(0.03589 / 2 + 1e-9);
    expect(Math.abs((k.ACCEL_Y as number) - 3.21)).toBeLessThanOrEqual(0.03589 / 2 + 1e-9);
    expect(k.YAW_RATE).toBe(-125);
    const abs = decodeAll(toyota, frames, 'VSC1S07')[0]!;
    expect(abs.FABS).toBe(1);
    expect(Math.abs((decodeAll(toyota, frames, 'SPEED')[0]!.SPEED as number) - 87.123)).toBeLessThanOrEqual(0.005 + 1e-9);
  });

  it('sends only the messages whose signals a sensor reads, writing values through the mapping\'s inverse', async () => {
    const toyota = await toyotaDatabase();
    const { frames, encoder } = encode({ signals: toyotaSignals(), database: toyota }, { BDY_Occupancy: { OCC_BeltDriver: 0, OCC_SeatDriver: 1 } }, 60);
    const belts = decodeAll(toyota, frames, 'BODY_CONTROL_STATE');
    expect(belts.length).toBe(1);
    expect(frames.length).toBe(1);
    expect(belts[0]!.SEATBELT_DRIVER_UNLATCHED).toBe(1);
    expect(encoder.encoding.unsimulated.length).toBe(toyotaSignals().size - 1);
  });
});

/** What every test DBC here starts with, and the attributes it declares. */
const DBC_HEAD = `VERSION ""
NS_ :
BS_:
BU_: TGT
`;
const DBC_ATTRIBUTES = `BA_DEF_ BO_  "GenMsgCycleTime" INT 0 65535;
BA_DEF_ SG_  "GenSigStartValue" INT 0 65535;
BA_DEF_DEF_  "GenMsgCycleTime" 0;
BA_DEF_DEF_  "GenSigStartValue" 0;
`;

const TARGET_DBC = `${DBC_HEAD}BO_ 768 TGT_Wheels: 8 TGT
 SG_ TGT_CRC : 0|8@1+ (1,0) [0|255] "" Vector__XXX
 SG_ TGT_Counter : 8|4@1+ (1,0) [0|15] "" Vector__XXX
 SG_ Page M : 12|4@1+ (1,0) [0|15] "" Vector__XXX
 SG_ SpeedLeft m0 : 16|16@1+ (0.01,0) [0|655.35] "km/h" Vector__XXX
 SG_ SpeedRight m1 : 16|16@1+ (0.01,0) [0|655.35] "km/h" Vector__XXX
 SG_ Status : 32|8@1+ (1,0) [0|255] "" Vector__XXX

BO_ 769 TGT_Motion: 8 TGT
 SG_ Accel : 0|16@1- (0.001,0) [0|65535] "m/s^2" Vector__XXX
 SG_ Level : 16|8@1+ (1,0) [0|100] "%" Vector__XXX
 SG_ Spare : 24|8@1+ (1,0) [0|255] "" Vector__XXX

${DBC_ATTRIBUTES}BA_ "GenMsgCycleTime" BO_ 768 100;
BA_ "GenSigStartValue" SG_ 768 Status 3;
BA_ "GenSigStartValue" SG_ 769 Spare 7;
`;

const TARGET_FILE = 'test-vehicle.yaml';

function targetDb(): CompiledDatabase {
  return compileDatabase(parseDbc(TARGET_DBC, { file: 'target.dbc', strict: true }).database);
}

function targetMapping(name: string, message: string, signal: string, extra: Parameters<typeof mapping>[3] = {}): ResolvedSignal {
  return mapping(name, message, signal, { ...extra, file: TARGET_FILE, line: extra.line ?? 1 });
}

const READINGS = {
  ESP_WheelSpeeds: { WHL_SpeedFL: 40.01, WHL_SpeedFR: 41.02, WHL_SpeedRL: 0, WHL_SpeedRR: 0 },
  ESP_Dynamics: { DYN_YawRate: 0, DYN_LatAccel: 0, DYN_LongAccel: -2.5, DYN_Status: 0 },
  ESP_Brake: { BRK_VehicleSpeed: 130, BRK_AbsActive: 0, BRK_Pressure: 0, BRK_PedalPressed: 0, BRK_EspActive: 0, BRK_Standstill: 0 },
} as const;

describe('a DBC with cycle times, start values, a multiplexed message and end-to-end protection', () => {
  const signals = new Map<string, ResolvedSignal>([
    [FL, targetMapping(FL, 'TGT_Wheels', 'SpeedLeft', { muxValue: 0 })],
    [FR, targetMapping(FR, 'TGT_Wheels', 'SpeedRight', { muxValue: 1 })],
    ['Vehicle.Acceleration.Longitudinal', targetMapping('Vehicle.Acceleration.Longitudinal', 'TGT_Motion', 'Accel')],
    ['Vehicle.Speed', targetMapping('Vehicle.Speed', 'TGT_Motion', 'Level')],
  ]);
  const db = targetDb();
  const { frames, encoder } = encode({ signals, database: db }, READINGS, 200);

  it('sends one frame per multiplexer value every GenMsgCycleTime, each with its own signal', () => {
    const wheels = frames.filter((f) => f.frame.id === 768);
    expect(wheels.length).toBe(2 * (200 / 10));
    const decoded = wheels.map((f) => db.byName('TGT_Wheels')!.decode(f.frame.data));
    expect(decoded.filter((d) => d.Page === 0).every((d) => Math.abs((d.SpeedLeft as number) - 40.01) < 0.005 + 1e-9)).toBe(true);
    expect(decoded.filter((d) => d.Page === 1).every((d) => Math.abs((d.SpeedRight as number) - 41.02) < 0.005 + 1e-9)).toBe(true);
    expect(decoded.filter((d) => d.Page === 0).length).toBe(20);
    expect(decoded.every((d) => d.Status === 3)).toBe(true);
    const times = wheels.map((f) => f.t);
    expect(Math.abs(times[2]! - times[0]! - 0.1)).toBeLessThan(0.001);
    expect(encoder.encoding.messages.find((m) => m.name === 'TGT_Wheels')).toEqual({ name: 'TGT_Wheels', cycleMs: 100, framesPerCycle: 2, signals: [FL, FR] });
  });

  it('seals each frame with a valid CRC and a counter that steps by one per frame', () => {
    const wheels = frames.filter((f) => f.frame.id === 768);
    expect(wheels.every((f) => verifyE2e(768, f.frame.data))).toBe(true);
    const steps = wheels.slice(1).map((f, i) => counterStep(e2eCounter(wheels[i]!.frame.data), e2eCounter(f.frame.data)));
    expect(new Set(steps)).toEqual(new Set([1]));
  });

  it('sends a message without a cycle time at its fastest sensor\'s period, clamped to a true declared range, start values elsewhere', () => {
    const motion = frames.filter((f) => f.frame.id === 769).map((f) => db.byName('TGT_Motion')!.decode(f.frame.data));
    expect(motion.length).toBe(100);
    expect(motion.every((d) => Math.abs((d.Accel as number) + 2.5) < 0.0005 + 1e-9)).toBe(true);
    expect(motion.every((d) => d.Level === 100 && d.Spare === 7)).toBe(true);
  });
});

const FAST_DBC = `${DBC_HEAD}BO_ 770 TGT_Fast: 8 TGT
 SG_ Wheel : 0|16@1+ (0.01,0) [0|655.35] "km/h" Vector__XXX
 SG_ Accel : 16|16@1- (0.001,0) [-32.768|32.767] "m/s^2" Vector__XXX

${DBC_ATTRIBUTES}BA_ "GenMsgCycleTime" BO_ 770 10;
BA_ "GenSigStartValue" SG_ 770 Wheel 65535;
`;

describe('a message faster than the sensors it carries', () => {
  it('goes out only once every signal in it has been read, never with a start value standing in for a reading', () => {
    const db = compileDatabase(parseDbc(FAST_DBC, { file: 'fast.dbc', strict: true }).database);
    const signals = new Map<string, ResolvedSignal>([
      [FL, targetMapping(FL, 'TGT_Fast', 'Wheel')],
      ['Vehicle.Acceleration.Longitudinal', targetMapping('Vehicle.Acceleration.Longitudinal', 'TGT_Fast', 'Accel')],
    ]);
    const { frames } = encode({ signals, database: db }, READINGS, 100);
    const decoded = frames.map((f) => db.byName('TGT_Fast')!.decode(f.frame.data));
    // Every 10 ms step once both sensors (20 ms, in different steps) have read: all but the first step or two.
    expect(decoded.length).toBeGreaterThanOrEqual(98);
    expect(decoded.every((d) => Math.abs((d.Wheel as number) - 40.01) < 0.005 + 1e-9 && Math.abs((d.Accel as number) + 2.5) < 0.0005 + 1e-9)).toBe(true);
  });
});

describe('what the encoder cannot send', () => {
  it('leaves out a mapping without an inverse, or whose inverse gives nothing, and says so', () => {
    const signals = new Map<string, ResolvedSignal>([
      [FL, { ...targetMapping(FL, 'TGT_Wheels', 'SpeedLeft', { muxValue: 0 }), inverse: undefined }],
      [FR, targetMapping(FR, 'TGT_Wheels', 'SpeedRight', { muxValue: 1, inverse: () => undefined })],
      ['Vehicle.Speed', targetMapping('Vehicle.Speed', 'TGT_Motion', 'Level')],
    ]);
    const { frames, encoder } = encode({ signals, database: targetDb() }, READINGS);
    expect([...encoder.encoding.notInvertible].sort()).toEqual([FL, FR]);
    const wheels = frames.filter((f) => f.frame.id === 768).map((f) => targetDb().byName('TGT_Wheels')!.decode(f.frame.data));
    expect(wheels.every((d) => d.Page === 1 && d.SpeedRight === 0)).toBe(true);
  });

  it('lists mapped catalog signals no sensor of the simulator reads, and sends no message for them alone', () => {
    const door = 'Vehicle.Cabin.Door.Row1.DriverSide.IsOpen';
    const signals = new Map<string, ResolvedSignal>([[door, targetMapping(door, 'TGT_Motion', 'Spare')]]);
    const { frames, encoder } = encode({ signals, database: targetDb() }, READINGS);
    expect(encoder.encoding.unsimulated).toEqual([door]);
    expect(frames).toEqual([]);
  });

  it('leaves SOME/IP event fields to SOME/IP: listed as not simulated, no frame', () => {
    const speed = targetMapping('Vehicle.Speed', 'SOMEIP_4001_8001', 'speed');
    const { frames, encoder } = encode({ signals: new Map([[speed.name, speed]]), database: targetDb() }, READINGS);
    expect(encoder.encoding.unsimulated).toEqual(['Vehicle.Speed']);
    expect(frames).toEqual([]);
  });
});

describe('a mapping that does not fit the DBC', () => {
  const db = targetDb();
  const refuse = (r: ResolvedSignal): VehicleEncodingError => {
    try {
      encode({ signals: new Map([[r.name, r]]), database: db }, READINGS, 10);
    } catch (err) {
      if (err instanceof VehicleEncodingError) return err;
      throw err;
    }
    throw new Error(`${r.name} was accepted`);
  };

  it('names the profile line and the fix for a message the DBC lacks', () => {
    const e = refuse(targetMapping(FL, 'NO_SUCH_MESSAGE', 'SpeedLeft', { line: 12 }));
    expect(e.message).toMatch(/^test-vehicle\.yaml:12: Vehicle\.Chassis\.Axle\.Row1\.Wheel\.Left\.Speed: message NO_SUCH_MESSAGE is not in the vehicle's DBC; /);
    expect(e.fix).toMatch(/--dbc/);
  });

  it('refuses a signal the message lacks, a missing or wrong multiplexer value, and a mux on a plain message', () => {
    expect(refuse(targetMapping(FL, 'TGT_Motion', 'Nope')).message).toMatch(/signal Nope is not in message TGT_Motion/);
    expect(refuse(targetMapping(FL, 'TGT_Wheels', 'SpeedLeft')).message).toMatch(/SpeedLeft is multiplexed in TGT_Wheels; add `mux:` with one of 0, 1/);
    expect(refuse(targetMapping(FL, 'TGT_Wheels', 'SpeedLeft', { muxValue: 5 })).message).toMatch(/mux 5 is not a multiplexer value of TGT_Wheels; use one of 0, 1/);
    expect(refuse(targetMapping(FL, 'TGT_Motion', 'Accel', { muxValue: 0 })).message).toMatch(/TGT_Motion is not multiplexed; remove `mux:`/);
  });

  it('refuses an inverse that writes a signal of another message when it first runs', () => {
    const e = refuse(targetMapping(FL, 'TGT_Motion', 'Accel', { inverse: (v) => ({ SpeedLeft: v }) }));
    expect(e.message).toMatch(/its inverse writes SpeedLeft, which message TGT_Motion does not have/);
  });
});
