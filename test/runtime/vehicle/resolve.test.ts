import { describe, expect, it } from 'vitest';
import { parseDbc } from '../../../bus/dbc/index.js';
import { formatProblem } from '../../../runtime/vehicle/errors.js';
import { parseProfile } from '../../../runtime/vehicle/profile.js';
import { resolveProfile } from '../../../runtime/vehicle/resolve.js';

const DBC = `VERSION ""
BU_: ECU
BO_ 100 Wheels: 8 ECU
 SG_ FL : 0|16@1+ (0.01,0) [0|600] "kph" ECU
 SG_ FR : 16|16@1+ (0.01,0) [0|600] "kph" ECU
 SG_ Yaw : 32|16@1- (0.01,0) [-300|300] "rad/s" ECU
 SG_ Odd : 48|8@1+ (1,0) [0|255] "furlongs" ECU
BO_ 200 Battery: 8 ECU
 SG_ Group M : 0|4@1+ (1,0) [0|3] "" ECU
 SG_ CellA m0 : 8|16@1+ (1,0) [0|5000] "mV" ECU
 SG_ CellB m1 : 8|16@1+ (1,0) [0|5000] "mV" ECU
 SG_ Temp : 24|8@1+ (1,-40) [-40|215] "degF" ECU
BO_ 300 Brakes: 8 ECU
 SG_ Abs : 0|2@1+ (1,0) [0|3] "" ECU
 SG_ Pressure : 8|8@1+ (1,0) [0|255] "" ECU
BO_ 2364539904 EEC1: 8 ECU
 SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|8031.875] "rpm" ECU
VAL_ 300 Abs 0 "OFF" 1 "ACTIVE" 2 "FAULT" ;
`;
const db = parseDbc(DBC).database;

function resolve(...mappings: string[]) {
  const { profile, problems } = parseProfile(['vehicle: t', 'signals:', ...mappings.map((m) => `  ${m}`)].join('\n'), 'car.yaml');
  expect(problems).toEqual([]);
  return resolveProfile(profile!, db, { dbcName: 'car.dbc' });
}

const problemLines = (...mappings: string[]): string[] => resolve(...mappings).problems.map(formatProblem);

describe('resolving a profile against a DBC', () => {
  it('resolves a plain mapping with the same unit to the identity (no transform)', () => {
    const { profile, problems } = resolve('Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed: {message: Wheels, signal: FL, channel: can1, period_ms: 40, timeout_ms: 200}');
    expect(problems).toEqual([]);
    const s = profile.signals.get('Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed');
    expect(s).toMatchObject({ message: 'Wheels', signals: ['FL'], channel: 'can1', periodMs: 40, timeoutMs: 200, transform: null, file: 'car.yaml', line: 3 });
    expect(s?.inverse?.(42)).toEqual({ FL: 42 });
  });

  it('converts units, applying scale and offset before the conversion, and inverts it', () => {
    const { profile } = resolve('Vehicle.AngularVelocity.Yaw: {message: Wheels, signal: Yaw, scale: -1}', 'Vehicle.Exterior.AirTemperature: {message: Battery, signal: Temp}');
    const yaw = profile.signals.get('Vehicle.AngularVelocity.Yaw')!;
    expect(yaw.transform?.({ Yaw: 1 })).toBeCloseTo(-57.29578, 4);
    expect(yaw.inverse?.(-57.29578)?.Yaw).toBeCloseTo(1, 6);
    const t = profile.signals.get('Vehicle.Exterior.AirTemperature')!;
    expect(t.transform?.({ Temp: 212 })).toBeCloseTo(100, 9);
    expect(t.transform?.({ Other: 1 })).toBeUndefined();
  });

  it('takes the profile unit over a DBC that has none', () => {
    const { profile } = resolve('Vehicle.EcuAi.Chassis.BrakePressure: {message: Brakes, signal: Pressure, unit: kPa}');
    expect(profile.signals.get('Vehicle.EcuAi.Chassis.BrakePressure')?.transform?.({ Pressure: 250 })).toBeCloseTo(2.5, 9);
  });

  it('evaluates an expression over signals of one message, and gives no inverse for two operands', () => {
    const { profile } = resolve('Vehicle.Speed: {message: Wheels, expression: "(FL + FR) / 2"}', 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed: {message: Wheels, expression: "-FL * 2 + 1"}');
    const speed = profile.signals.get('Vehicle.Speed')!;
    expect(speed.signals).toEqual(['FL', 'FR']);
    expect(speed.transform?.({ FL: 10, FR: 20 })).toBe(15);
    expect(speed.inverse).toBeUndefined();
    const linear = profile.signals.get('Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed')!;
    expect(linear.inverse?.(-9)?.FL).toBeCloseTo(5, 9);
  });

  it('maps enum values by raw value or VAL_ label, both ways', () => {
    const { profile, problems } = resolve('Vehicle.ADAS.ABS.IsEngaged: {message: Brakes, signal: Abs, values: {OFF: 0, ACTIVE: 1, 2: 0}}');
    expect(problems).toEqual([]);
    const abs = profile.signals.get('Vehicle.ADAS.ABS.IsEngaged')!;
    expect([0, 1, 2, 3].map((v) => abs.transform?.({ Abs: v }))).toEqual([0, 1, 0, undefined]);
    expect(abs.transform?.({ Abs: 'ACTIVE' })).toBe(1);
    expect(abs.inverse?.(1)).toEqual({ Abs: 1 });
    expect(abs.inverse?.(7)).toBeUndefined();
  });

  it('finds a J1939 message by PGN from any source address', () => {
    const { profile, problems } = resolve('Vehicle.Speed: {pgn: 61444, signal: EngineSpeed, unit: km/h}');
    expect(problems).toEqual([]);
    expect(profile.signals.get('Vehicle.Speed')?.message).toBe('EEC1');
  });

  it('keeps the multiplexer value of a multiplexed signal', () => {
    const { profile, problems } = resolve('Vehicle.EcuAi.TractionBattery.Cell02.Voltage: {message: Battery, signal: CellB, mux: 1}');
    expect(problems).toEqual([]);
    const cell = profile.signals.get('Vehicle.EcuAi.TractionBattery.Cell02.Voltage')!;
    expect(cell.muxValue).toBe(1);
    expect(cell.transform?.({ CellB: 3700 })).toBeCloseTo(3.7, 12);
  });

  it('maps a SOME/IP event field to its pseudo-message', () => {
    const { profile } = resolve('Vehicle.EcuAi.Cabin.Co2: {someip: {service: 0x4b10, event: 0x8001, field: co2}}');
    expect(profile.signals.get('Vehicle.EcuAi.Cabin.Co2')).toMatchObject({ message: 'SOMEIP_4B10_8001', signals: ['co2'], transform: null });
  });

  it('names the line and the fix of every mapping that cannot resolve, and leaves it out', () => {
    const r = resolve(
      'Vehicle.Sped: {message: Wheels, signal: FL}',
      'Vehicle.Speed: {message: Wheel, signal: FL}',
      'Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed: {message: Wheels, signal: FLL}',
      'Vehicle.Exterior.AirTemperature: {message: Wheels, signal: FL}',
      'Vehicle.EcuAi.TractionBattery.Cell01.Voltage: {message: Battery, signal: CellA}',
      'Vehicle.EcuAi.TractionBattery.Cell02.Voltage: {message: Battery, signal: CellB, mux: 0}',
      'Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed: {message: Wheels, signal: FR, mux: 1}',
      'Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed: {message: Wheels, expression: "FL + Abs"}',
      'Vehicle.ADAS.ABS.IsEngaged: {message: Brakes, signal: Abs, values: {ON: 1}}',
      'Vehicle.EcuAi.Chassis.BrakePressure: {message: Wheels, signal: Odd}',
      'Vehicle.Acceleration.Lateral: {message: Wheels, signal: FL, unit: km/h}',
      'Vehicle.AngularVelocity.Yaw: {pgn: 65265, signal: Yaw}',
      'Vehicle.Acceleration.Longitudinal: {message: Wheels, expression: "FL + Yaw"}',
    );
    expect(r.profile.signals.size).toBe(0);
    expect(r.problems.map(formatProblem)).toEqual([
      'car.yaml:3: Vehicle.Sped: "Vehicle.Sped" is not a signal of the vehicle catalog (fix: did you mean Vehicle.Speed?)',
      'car.yaml:4: Vehicle.Speed: no message "Wheel" in car.dbc (fix: did you mean `message: Wheels`?)',
      'car.yaml:5: Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed: message Wheels has no signal "FLL" (fix: did you mean FL?)',
      'car.yaml:6: Vehicle.Exterior.AirTemperature: cannot convert kph (speed) to degC (temperature): Vehicle.Exterior.AirTemperature is in degC (fix: map a signal in K, degC or degF, or give `unit:` when the DBC\'s unit is wrong)',
      'car.yaml:7: Vehicle.EcuAi.TractionBattery.Cell01.Voltage: CellA is multiplexed (sent only when Group is 0); the mapping does not say which value carries it (fix: add `mux: 0`)',
      'car.yaml:8: Vehicle.EcuAi.TractionBattery.Cell02.Voltage: CellB is not sent when Group is 0 (it is sent when Group is 1) (fix: write `mux: 1`)',
      'car.yaml:9: Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed: `mux: 1` given, but FR is not multiplexed (fix: remove `mux`)',
      'car.yaml:10: Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed: message Wheels has no signal "Abs" (an expression reads signals of its own message only) (fix: its signals are FL, FR, Yaw, Odd)',
      'car.yaml:11: Vehicle.ADAS.ABS.IsEngaged: Abs has no value named "ON" (fix: its values are OFF, ACTIVE, FAULT)',
      'car.yaml:12: Vehicle.EcuAi.Chassis.BrakePressure: the DBC\'s unit "furlongs" is not in the unit table (fix: add `unit: bar` if the values are in bar, or the unit they are in)',
      'car.yaml:13: Vehicle.Acceleration.Lateral: cannot convert km/h (speed) to m/s^2 (acceleration): Vehicle.Acceleration.Lateral is in m/s^2 (fix: write the unit the values are really in (m/s^2 or g convert to m/s^2))',
      'car.yaml:14: Vehicle.AngularVelocity.Yaw: no J1939 parameter group with PGN 65265 (0xFEF1) in car.dbc (fix: check the PGN with `ecu-ai dbc show car.dbc`)',
      'car.yaml:15: Vehicle.Acceleration.Longitudinal: the expression\'s signals have different units (kph, rad/s) (fix: convert them in the expression and give `unit:` for its result)',
    ]);
  });
});
