import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDatabase, loadDbcFile } from '../../bus/dbc/index.js';
import { makeFrame } from '../../bus/frame.js';
import { formatCandumpLine } from '../../bus/trace/index.js';
import { chassisDomain } from '../../domains/index.js';
import { parseProfile } from '../../runtime/vehicle/profile.js';
import { resolveProfile } from '../../runtime/vehicle/resolve.js';
import { loadVehicleProfile } from '../../runtime/vehicle/load.js';
import { cli as runIn, type CliRun } from '../helpers/cli.js';
import { hasSharedData, repoRoot, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';

const cli = (...argv: string[]): Promise<CliRun> => runIn(repoRoot, ...argv);
const SIM_DBC = path.join(repoRoot, 'sim', 'vehicle.dbc');
const TOYOTA = sharedPath('dbc', 'opendbc', 'toyota_nodsu_pt_generated.dbc');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-vehicle-cli-'));
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The draft's guesses with their "# " removed: what a person confirming all of them gets. */
function confirmAll(draft: string): string {
  return draft.replace(/^ {2}# (Vehicle\.[A-Za-z0-9.]+: \{)/gm, '  $1');
}

describe('ecu-ai vehicle check', () => {
  it('finds every domain input mapped by the reference profile on the reference DBC, exit 0', async () => {
    const r = await cli('vehicle', 'check', '--dbc', 'sim/vehicle.dbc', '--profile', 'vehicles/reference.yaml');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const domain of ['adas', 'chassis', 'powertrain', 'cockpit', 'body']) expect(r.out).toMatch(new RegExp(`^${domain}\\s+runs: (\\d+) of \\1 inputs mapped$`, 'm'));
    expect(r.out).not.toContain('not mapped');
  });

  it('says which mapped signals never appear in a trace', async () => {
    const codecs = compileDatabase((await loadDbcFile(SIM_DBC)).database);
    const brake = codecs.byName('ESP_Brake')!;
    const data = brake.encode({ BRK_CRC: 0, BRK_Counter: 0, BRK_PedalPressed: 0, BRK_AbsActive: 0, BRK_EspActive: 0, BRK_Standstill: 0, BRK_VehicleSpeed: 50, BRK_Pressure: 3 });
    const lines = [0, 0.02, 0.04].map((t) => formatCandumpLine(makeFrame({ id: brake.message.id, data, timestamp: t })));
    const trace = write('brake-only.log', lines.join('\n') + '\n');
    const r = await cli('vehicle', 'check', '--trace', trace, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { trace: { framesRead: number; complete: boolean }; domains: { domain: string; mapped: string[]; notInTrace: string[] }[] };
    expect(report.trace).toEqual({ file: trace, framesRead: 3, complete: true });
    const chassis = report.domains.find((d) => d.domain === 'chassis')!;
    expect(chassis.notInTrace).not.toContain('Vehicle.Speed');
    expect(chassis.notInTrace).not.toContain('Vehicle.ADAS.ABS.IsEngaged');
    expect(chassis.notInTrace).toContain('Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed');
    expect(chassis.notInTrace.length).toBe(chassis.mapped.length - 3);
    const text = await cli('vehicle', 'check', '--trace', trace);
    expect(text.out).toMatch(/^chassis\s+runs: 16 of 16 inputs mapped, 3 in the trace$/m);
    expect(text.out).toContain('never in the trace: Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed (ESP_WheelSpeeds.WHL_SpeedFL)');
  });

  it('exits 2 with one line per bad input, each naming the profile line and the fix', async () => {
    const profile = write(
      'bad.yaml',
      [
        'vehicle: broken',
        `dbc: ${SIM_DBC}`,
        'signals:',
        '  Vehicle.Speed: {message: ESP_Brakes, signal: BRK_VehicleSpeed}',
        '  Vehicle.Acceleration.Longitudinal: {message: ESP_Dynamics, signal: DYN_LongAcc}',
        '  Vehicle.Exterior.AirTemperature: {message: ESP_Brake, signal: BRK_VehicleSpeed}',
        '  Vehicle.AngularVelocity.Yaw: {message: ESP_Dynamics, expression: "DYN_YawRate *"}',
        '  Vehicle.Chassis.Wheel.Speed: {message: ESP_WheelSpeeds, signal: WHL_SpeedFL}',
        '  Vehicle.EcuAi.TractionBattery.Cell01.Voltage: {message: BMS_CellVoltages, signal: CV_Cell01}',
        '  Vehicle.Acceleration.Lateral: {message: ESP_Dynamics, signal: DYN_LatAccel}',
      ].join('\n'),
    );
    const r = await cli('vehicle', 'check', '--profile', profile);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/bad\.yaml:4: Vehicle\.Speed: no message "ESP_Brakes" in .*\(fix: did you mean `message: ESP_Brake`\?\)$/),
      expect.stringMatching(/bad\.yaml:5: Vehicle\.Acceleration\.Longitudinal: message ESP_Dynamics has no signal "DYN_LongAcc" \(fix: did you mean DYN_LongAccel\?\)$/),
      expect.stringMatching(/bad\.yaml:6: Vehicle\.Exterior\.AirTemperature: cannot convert km\/h \(speed\) to degC \(temperature\).*\(fix: map a signal in K, degC or degF/),
      expect.stringMatching(/bad\.yaml:7: Vehicle\.AngularVelocity\.Yaw: expression "DYN_YawRate \*" does not parse: column 14: .*\(fix: /),
      expect.stringMatching(/bad\.yaml:8: Vehicle\.Chassis\.Wheel\.Speed: "Vehicle\.Chassis\.Wheel\.Speed" is not a signal of the vehicle catalog \(fix: /),
      expect.stringMatching(/bad\.yaml:9: Vehicle\.EcuAi\.TractionBattery\.Cell01\.Voltage: CV_Cell01 is multiplexed .* \(fix: add `mux: 0`\)$/),
      `6 problems in ${profile}`,
    ]);
    // What did resolve is still reported, and what did not is missing, not taken from elsewhere.
    expect(r.out).toMatch(/^chassis\s+disabled: 1 of 16 inputs mapped$/m);
  });

  it.skipIf(!hasSharedData)(`says which domains a real vehicle's profile runs and what the others lack ${sharedSkipReason}`, async () => {
    const r = await cli('vehicle', 'check', '--profile', 'vehicles/toyota-nodsu.yaml', '--dbc', TOYOTA, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { domains: { domain: string; runs: boolean; missingRequired: string[]; defaulted: Record<string, number> }[] };
    const byName = Object.fromEntries(report.domains.map((d) => [d.domain, d]));
    // No radar objects, traction battery, driver camera or climate sensors on this bus.
    for (const domain of ['adas', 'powertrain', 'cockpit', 'body']) expect(byName[domain]?.runs, domain).toBe(false);
    expect(byName.powertrain?.missingRequired).toContain('Vehicle.EcuAi.TractionBattery.Cell01.Voltage');
    // Chassis: what it lacks is exactly its required inputs the profile leaves out, its optional ones take their defaults.
    const toyota = parseProfile(readFileSync(path.join(repoRoot, 'vehicles', 'toyota-nodsu.yaml'), 'utf8'), 'toyota.yaml').profile!;
    const mapped = new Set(toyota.signals.map((m) => m.name));
    const chassisInputs = Object.entries(chassisDomain.inputs);
    expect(byName.chassis?.missingRequired).toEqual(chassisInputs.filter(([n, i]) => i.required && !mapped.has(n)).map(([n]) => n));
    expect(byName.chassis?.runs).toBe(byName.chassis?.missingRequired.length === 0);
    expect(byName.chassis?.defaulted).toEqual(Object.fromEntries(chassisInputs.filter(([n, i]) => !i.required && !mapped.has(n)).map(([n, i]) => [n, i.default])));
    const text = await cli('vehicle', 'check', '--profile', 'vehicles/toyota-nodsu.yaml', '--dbc', TOYOTA);
    expect(text.out).toMatch(/^adas\s+disabled: \d+ of 51 inputs mapped\n\s+required, not mapped: .*Vehicle\.EcuAi\.Radar\.Object1\.Distance/m);
  });

  it('exits 2 for a profile that is not there, naming it', async () => {
    const r = await cli('vehicle', 'check', '--profile', path.join(dir, 'absent.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('absent.yaml');
  });
});

describe('ecu-ai vehicle init', () => {
  it('drafts the reference mappings from the reference DBC, as comments only', async () => {
    const out = path.join(dir, 'sim-draft.yaml');
    const r = await cli('vehicle', 'init', '--dbc', 'sim/vehicle.dbc', '--out', out);
    expect(r.code).toBe(0);
    const draft = readFileSync(out, 'utf8');
    const { profile, problems } = parseProfile(draft, out);
    expect(problems).toEqual([]);
    expect(profile?.signals).toEqual([]);
    // Confirming every guess gives exactly the reference profile's mappings.
    writeFileSync(out, confirmAll(draft));
    const confirmed = await loadVehicleProfile(out);
    const reference = await loadVehicleProfile(path.join(repoRoot, 'vehicles', 'reference.yaml'));
    const summary = (p: typeof reference): Record<string, string> => Object.fromEntries([...p.signals].map(([n, s]) => [n, `${s.message}.${s.signals.join('+')}@${s.muxValue ?? ''}`]));
    expect(summary(confirmed)).toEqual(summary(reference));
  });

  it.skipIf(!hasSharedData)(`guesses a real vehicle's wheel speeds, speed, yaw rate and steering angle ${sharedSkipReason}`, async () => {
    const r = await cli('vehicle', 'init', '--dbc', TOYOTA);
    expect(r.code).toBe(0);
    const { profile, problems } = parseProfile(r.out, path.join(dir, 'toyota.yaml'));
    expect(problems).toEqual([]);
    expect(profile?.signals).toEqual([]);
    // Read off toyota_nodsu_pt_generated.dbc: WHEEL_SPEEDS (0xAA) carries the four wheels in km/h,
    // SPEED (0xB4) the vehicle speed, KINEMATICS (0x24) yaw rate and accelerations, STEER_ANGLE_SENSOR (0x25) the angle in deg.
    const guess = (name: string, message: string, signal: string): RegExp => new RegExp(`^  # ${name.replace(/\./g, '\\.')}: \\{message: ${message}, signal: ${signal}\\}  # guess score (0\\.\\d\\d|1\\.00): `, 'm');
    expect(r.out).toMatch(guess('Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed', 'WHEEL_SPEEDS', 'WHEEL_SPEED_FL'));
    expect(r.out).toMatch(guess('Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed', 'WHEEL_SPEEDS', 'WHEEL_SPEED_FR'));
    expect(r.out).toMatch(guess('Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed', 'WHEEL_SPEEDS', 'WHEEL_SPEED_RL'));
    expect(r.out).toMatch(guess('Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed', 'WHEEL_SPEEDS', 'WHEEL_SPEED_RR'));
    expect(r.out).toMatch(guess('Vehicle.Speed', 'SPEED', 'SPEED'));
    expect(r.out).toMatch(guess('Vehicle.AngularVelocity.Yaw', 'KINEMATICS', 'YAW_RATE'));
    expect(r.out).toMatch(guess('Vehicle.Acceleration.Lateral', 'KINEMATICS', 'ACCEL_Y'));
    expect(r.out).toMatch(guess('Vehicle.Chassis.SteeringWheel.Angle', 'STEER_ANGLE_SENSOR', 'STEER_ANGLE'));
    // The Toyota bus has no cell voltages: no guess is offered for them.
    expect(r.out).toMatch(/^ {2}# {3}Vehicle\.EcuAi\.TractionBattery\.Cell01\.Voltage \(/m);
    expect(r.out).toMatch(/^# {3}WHEEL_SPEEDS\.WHEEL_SPEED_FL_FAULT$/m);
    // Every guess, once confirmed, resolves against the DBC it came from.
    const confirmed = parseProfile(confirmAll(r.out), 'toyota.yaml');
    expect(confirmed.problems).toEqual([]);
    expect(confirmed.profile?.signals.length).toBeGreaterThanOrEqual(9);
    expect(resolveProfile(confirmed.profile!, (await loadDbcFile(TOYOTA)).database).problems).toEqual([]);
  });

  it('never overwrites a file without --force', async () => {
    const out = write('mine.yaml', 'vehicle: mine\nsignals: {}\n');
    const refused = await cli('vehicle', 'init', '--dbc', 'sim/vehicle.dbc', '--out', out);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/mine\.yaml exists; pass --force to replace it/);
    expect(readFileSync(out, 'utf8')).toBe('vehicle: mine\nsignals: {}\n');
    const forced = await cli('vehicle', 'init', '--dbc', 'sim/vehicle.dbc', '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^vehicle: vehicle$/m);
  });

  it('asks for --dbc, exit 2', async () => {
    const r = await cli('vehicle', 'init');
    expect(r.code).toBe(2);
    expect(r.err).toContain('vehicle init needs --dbc DBC');
    expect(existsSync(path.join(repoRoot, 'vehicle.yaml'))).toBe(false);
  });
});
