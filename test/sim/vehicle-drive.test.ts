/**
 * A simulated drive encoded onto a second, real vehicle (opendbc's Toyota DBC, through a profile's
 * signals resolved by hand) carries the reference drive's catalog values, with the same labels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledDatabase } from '../../bus/dbc/index.js';
import type { CanFrame } from '../../bus/frame.js';
import type { LabelRecord } from '../../sim/labels.js';
import { referenceCatalogSources } from '../../sim/reference-signals.js';
import { simulate, startSimulation, type SimOptions } from '../../sim/simulate.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';
import { hasSharedData, sharedSkipReason } from '../helpers/shared-data.js';
import { toyotaDatabase, toyotaSignals } from './toyota-signals.js';

interface Drive {
  readonly frames: CanFrame[];
  readonly labels: LabelRecord[];
}

function drive(options: SimOptions): Drive {
  const frames: CanFrame[] = [];
  const labels: LabelRecord[] = [];
  const events = simulate(options);
  for (let r = events.next(); !r.done; r = events.next()) {
    if (r.value.kind === 'frame') frames.push(r.value.frame);
    else labels.push(r.value.label);
  }
  return { frames, labels };
}

/** The 10 ms step a frame went out in: frames leave within their step. */
const stepOf = (f: CanFrame): number => Math.floor(f.timestamp * 100);

/** Catalog value by step, from the frames of one message decoded with its DBC. */
function valuesByStep(frames: readonly CanFrame[], db: CompiledDatabase, message: string, read: (decoded: Record<string, number | string>) => number): Map<number, number> {
  const codec = db.byName(message)!;
  const out = new Map<number, number>();
  for (const f of frames) if (f.id === codec.message.id) out.set(stepOf(f), read(codec.decode(f.data)));
  return out;
}

const scaleOf = (db: CompiledDatabase, message: string, signal: string): number => Math.abs(db.byName(message)!.message.signals.find((s) => s.name === signal)!.scale);

describe.skipIf(!hasSharedData)(`a 60 s highway drive on the Toyota ${sharedSkipReason}`, () => {
  const base = { scenario: 'highway-cruise', durationS: 60, seed: 5, dropRate: 0 } as const;
  let toyota: CompiledDatabase;
  let reference: Drive;
  let onToyota: Drive;
  beforeAll(async () => {
    toyota = await toyotaDatabase();
    reference = drive(base);
    onToyota = drive({ ...base, vehicle: { signals: toyotaSignals(), database: toyota } });
  });

  it('decodes with the Toyota DBC to the reference drive\'s catalog values, step by step, within both DBCs\' quantisation', () => {
    const ref = vehicleDatabase();
    const compared: Record<string, number> = {};
    const problems: string[] = [];
    for (const mapped of toyotaSignals().values()) {
      const source = referenceCatalogSources().get(mapped.name)!;
      const refSignal = source.signals[0]!;
      const expected = valuesByStep(reference.frames, ref, source.message, (d) => d[refSignal] as number);
      const toyotaValue = (d: Record<string, number | string>): number => (mapped.transform ? (mapped.transform(d) as number) : (d[mapped.signals[0]!] as number));
      const got = valuesByStep(onToyota.frames, toyota, mapped.message, toyotaValue);
      const tolerance = (scaleOf(ref, source.message, refSignal) + scaleOf(toyota, mapped.message, mapped.signals[0]!)) / 2 + 1e-9;
      let n = 0;
      for (const [step, v] of got) {
        const want = expected.get(step);
        if (want === undefined) problems.push(`${mapped.name}: no reference reading in step ${step}`);
        else if (Math.abs(v - want) > tolerance) problems.push(`${mapped.name} at step ${step}: ${v} on the Toyota, ${want} on the reference`);
        n++;
      }
      compared[mapped.name] = n;
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // Every 20 ms for the chassis sensors, every 10 ms for the steering, every 500 ms for the belts.
    expect(compared['Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed']).toBe(3000);
    expect(compared['Vehicle.Speed']).toBe(3000);
    expect(compared['Vehicle.Chassis.SteeringWheel.Angle']).toBe(6000);
    expect(compared['Vehicle.Cabin.Seat.Row1.DriverSide.IsBelted']).toBe(120);
  });

  it('moves: the wheel speeds it carries are the drive\'s highway speed, not a constant', () => {
    const fl = [...valuesByStep(onToyota.frames, toyota, 'WHEEL_SPEEDS', (d) => d.WHEEL_SPEED_FL as number).values()];
    const speed = startSimulation(base).params.speed_kmh as number;
    const mean = fl.reduce((a, b) => a + b, 0) / fl.length;
    expect(Math.abs(mean - speed)).toBeLessThan(10);
    expect(new Set(fl).size).toBeGreaterThan(100);
  });

  it('writes the same labels as the reference drive of the seed', () => {
    expect(onToyota.labels.length).toBe(reference.labels.length);
    expect(JSON.stringify(onToyota.labels)).toBe(JSON.stringify(reference.labels));
  });

  it('sends only the messages the profile maps, in time order, with every other signal at raw 0', () => {
    const mapped = new Set([...toyotaSignals().values()].map((r) => toyota.byName(r.message)!.message.id));
    expect(new Set(onToyota.frames.map((f) => f.id))).toEqual(mapped);
    expect(onToyota.frames.every((f, i) => i === 0 || f.timestamp >= onToyota.frames[i - 1]!.timestamp)).toBe(true);
    const written = new Set([...toyotaSignals().values()].flatMap((r) => r.signals));
    const stray: string[] = [];
    for (const f of onToyota.frames) {
      const codec = toyota.forFrame(f)!;
      for (const [name, raw] of Object.entries(codec.decodeRaw(f.data))) if (!written.has(name) && raw !== 0 && raw !== 0n) stray.push(`${codec.message.name}.${name}=${raw}`);
    }
    expect(stray.slice(0, 5)).toEqual([]);
  });

  it('reports the messages it sends at the reference sensors\' periods', () => {
    const run = startSimulation({ ...base, vehicle: { signals: toyotaSignals(), database: toyota } });
    const cycles = Object.fromEntries(run.encoding!.messages.map((m) => [m.name, m.cycleMs]));
    expect(cycles).toEqual({ SPEED: 20, WHEEL_SPEEDS: 20, KINEMATICS: 20, STEER_TORQUE_SENSOR: 10, VSC1S07: 20, BODY_CONTROL_STATE: 500 });
    expect(run.encoding!.unsimulated).toEqual([]);
    expect(run.encoding!.notInvertible.size).toBe(0);
  });
});
