import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatProblem } from '../../../runtime/vehicle/errors.js';
import { parseProfile } from '../../../runtime/vehicle/profile.js';

const lines = (text: string): string[] => parseProfile(text, 'car.yaml').problems.map(formatProblem);

describe('reading a vehicle profile', () => {
  it('reads every kind of mapping with the line of each key', () => {
    const { profile, problems } = parseProfile(
      [
        'vehicle: test-car',
        'dbc: dbc/car.dbc',
        'signals:',
        '  Vehicle.Speed:',
        '    message: ESP',
        '    signal: Speed',
        '    channel: can1',
        '    unit: kph',
        '    scale: 2',
        '    offset: -1',
        '    timeout_ms: 500',
        '    period_ms: 100',
        '  Vehicle.ADAS.ABS.IsEngaged: {pgn: 0xFEF1, signal: Abs, values: {0: 0, ACTIVE: 1}}',
        '  Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed: {message: W, expression: "(A + B) / 2", mux: 3}',
        '  Vehicle.EcuAi.Cabin.Co2: {someip: {service: 0x4001, event: 0x8001, field: co2}}',
      ].join('\n'),
      '/cars/car.yaml',
    );
    expect(problems).toEqual([]);
    expect(profile?.vehicle).toBe('test-car');
    expect(profile?.dbcPath).toBe('/cars/dbc/car.dbc');
    const [speed, abs, wheel, co2] = profile?.signals ?? [];
    expect(speed).toMatchObject({ name: 'Vehicle.Speed', line: 4, message: 'ESP', signal: 'Speed', channel: 'can1', unit: 'kph', scale: 2, offset: -1, timeoutMs: 500, periodMs: 100 });
    expect(speed?.lines).toMatchObject({ message: 5, signal: 6, unit: 8, period_ms: 12 });
    expect(abs).toMatchObject({ pgn: 0xfef1, values: [{ from: 0, to: 0, line: 13 }, { from: 'ACTIVE', to: 1, line: 13 }] });
    expect(wheel?.expression?.text).toBe('(A + B) / 2');
    expect(wheel?.mux).toBe(3);
    expect(co2?.someip).toEqual({ service: 0x4001, event: 0x8001, field: 'co2' });
  });

  it('takes a profile without mappings, as a fresh draft is', () => {
    expect(parseProfile('vehicle: draft\nsignals:\n  # Vehicle.Speed: {message: A, signal: B}\n', 'd.yaml')).toMatchObject({ problems: [], profile: { signals: [] } });
    expect(parseProfile('vehicle: draft\nsignals: {}\n', 'd.yaml').problems).toEqual([]);
  });

  it('lists every problem of the shape at once, each with its line and fix', () => {
    const found = lines(
      [
        'vehicel: x',
        'signals:',
        '  Vehicle.Speed: {message: ESP, signal: Speed, scale: 0}',
        '  Vehicle.Acceleration.Lateral: {message: ESP, signal: Ay, expression: "Ay * 2"}',
        '  Vehicle.AngularVelocity.Yaw: {signal: Yaw}',
        '  Vehicle.Exterior.AirTemperature: {message: C, signal: T, unit: furlong}',
        '  Vehicle.Chassis.SteeringWheel.Angle: {message: S, expression: "Angle * (2"}',
        '  Vehicle.EcuAi.Chassis.BrakePressure: {message: B, signal: P, mux: -1, peroid_ms: 10}',
        '  Vehicle.ADAS.ABS.IsEngaged: {message: B, signal: A, values: {0: 0}, scale: 2}',
        '  Vehicle.EcuAi.Cabin.Co2: {message: X, someip: {service: 70000, event: 1}}',
        '  Vehicle.EcuAi.Cabin.Humidity: 3',
      ].join('\n'),
    );
    expect(found).toEqual([
      'car.yaml:1: unknown key "vehicel" in the profile (fix: did you mean "vehicle"?)',
      'car.yaml:1: no `vehicle:` (the vehicle\'s name) (fix: add `vehicle: my-car` at the top)',
      'car.yaml:3: Vehicle.Speed: `scale` must be a number, not 0; found 0 (fix: write e.g. `scale: 0.1`)',
      'car.yaml:4: Vehicle.Acceleration.Lateral: `signal` and `expression` given together; a mapping has one source (fix: keep one of `signal`, `expression`)',
      'car.yaml:5: Vehicle.AngularVelocity.Yaw: no message: a DBC source needs `message` (or `pgn` for J1939) (fix: add `message: NAME` with the DBC message that carries the signal)',
      'car.yaml:6: Vehicle.Exterior.AirTemperature: unknown unit "furlong" (fix: use one of K, degC, degF)',
      expect.stringMatching(/^car\.yaml:7: Vehicle\.Chassis\.SteeringWheel\.Angle: expression "Angle \* \(2" does not parse: column 11: expected a "\)" to close the "\(" at column 9.*\(fix: write numbers/),
      'car.yaml:8: Vehicle.EcuAi.Chassis.BrakePressure: unknown key "peroid_ms" in the mapping of Vehicle.EcuAi.Chassis.BrakePressure (fix: did you mean "period_ms"?)',
      'car.yaml:8: Vehicle.EcuAi.Chassis.BrakePressure: `mux` must be a whole number of at least 0; found -1 (fix: write e.g. `mux: 3`)',
      expect.stringMatching(/^car\.yaml:9: Vehicle\.ADAS\.ABS\.IsEngaged: `values` .* cannot be combined with `scale`/),
      'car.yaml:10: Vehicle.EcuAi.Cabin.Co2: `service` must be a whole number from 0 to 65535; found 70000 (fix: write e.g. `service: 0x4001`)',
      'car.yaml:10: Vehicle.EcuAi.Cabin.Co2: `someip` needs `field` (the payload field, struct members joined by _) (fix: add `field: NAME` under `someip`)',
      'car.yaml:10: Vehicle.EcuAi.Cabin.Co2: `message` does not apply to a SOME/IP source (fix: remove `message`)',
      'car.yaml:11: Vehicle.EcuAi.Cabin.Humidity: `Vehicle.EcuAi.Cabin.Humidity` must be a mapping (message, signal, ...), not 3 (fix: write `message:` and `signal:` under it)',
    ]);
  });

  it('reports YAML syntax and duplicate keys with their line', () => {
    expect(lines('vehicle: x\nsignals:\n  Vehicle.Speed: {message: A, signal: B}\n  Vehicle.Speed: {message: A, signal: C}\n')).toEqual([
      expect.stringMatching(/^car\.yaml:4: YAML: Map keys must be unique/),
    ]);
    expect(lines('vehicle: x\nsignals:\n  Vehicle.Speed: {message: A\n')[0]).toMatch(/^car\.yaml:\d+: YAML: .*\(fix: fix the YAML syntax/);
    expect(lines('- a\n- b\n')).toEqual(['car.yaml:1: the profile is not a mapping of `vehicle:`, `dbc:` and `signals:` (fix: start from `ecu-ai vehicle init --dbc YOUR.dbc`)']);
  });

  it('never throws on any text or any JSON-shaped document: every fault is a problem with a line', () => {
    const mapping = fc.dictionary(fc.constantFrom('message', 'signal', 'pgn', 'expression', 'unit', 'scale', 'values', 'mux', 'someip', 'bogus'), fc.jsonValue({ maxDepth: 2 }));
    const documents = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.record({ vehicle: fc.jsonValue({ maxDepth: 1 }), signals: fc.dictionary(fc.constantFrom('Vehicle.Speed', 'Vehicle.Nope', 'x'), mapping) }).map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(documents, (text) => {
        const { profile, problems } = parseProfile(text, 'f.yaml');
        for (const p of problems) {
          expect(p.file).toBe('f.yaml');
          expect(p.message.length).toBeGreaterThan(0);
          expect(p.line).toBeGreaterThanOrEqual(1);
        }
        if (profile === undefined) expect(problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
