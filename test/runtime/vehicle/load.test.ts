import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDbc } from '../../../bus/dbc/index.js';
import { ProfileInvalidError } from '../../../runtime/vehicle/errors.js';
import { loadVehicleProfile } from '../../../runtime/vehicle/load.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-profile-'));
  writeFileSync(path.join(dir, 'car.dbc'), 'VERSION ""\nBU_: ECU\nBO_ 100 Speed: 8 ECU\n SG_ V : 0|16@1+ (0.01,0) [0|600] "km/h" ECU\n');
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function invalid(file: string, options = {}): Promise<ProfileInvalidError> {
  const err: unknown = await loadVehicleProfile(file, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProfileInvalidError);
  return err as ProfileInvalidError;
}

describe('loadVehicleProfile', () => {
  it('loads the DBC named by dbc:, relative to the profile', async () => {
    const profile = await loadVehicleProfile(write('ok.yaml', 'vehicle: car\ndbc: car.dbc\nsignals:\n  Vehicle.Speed: {message: Speed, signal: V}\n'));
    expect(profile.dbcPath).toBe(path.join(dir, 'car.dbc'));
    expect(profile.signals.get('Vehicle.Speed')?.transform).toBeNull();
  });

  it('takes a DBC given by the caller over dbc:, as a file or a database', async () => {
    const file = write('other.yaml', 'vehicle: car\ndbc: missing.dbc\nsignals:\n  Vehicle.Speed: {message: Speed, signal: V}\n');
    expect((await loadVehicleProfile(file, { dbc: path.join(dir, 'car.dbc') })).signals.size).toBe(1);
    const db = parseDbc('VERSION ""\nBU_: ECU\nBO_ 1 Speed: 8 ECU\n SG_ V : 0|8@1+ (1,0) [0|255] "mph" ECU\n').database;
    expect((await loadVehicleProfile(file, { dbc: db })).signals.get('Vehicle.Speed')?.transform?.({ V: 10 })).toBeCloseTo(16.09344, 5);
  });

  it('names the dbc: line of a DBC that cannot be read', async () => {
    const err = await invalid(write('nodbc.yaml', 'vehicle: car\ndbc: missing.dbc\nsignals: {}\n'));
    expect(err.problems).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/cannot read the DBC .*missing\.dbc \(ENOENT\)/) })]);
  });

  it('asks for a DBC when neither the profile nor the caller names one', async () => {
    const err = await invalid(write('none.yaml', 'vehicle: car\nsignals: {}\n'));
    expect(err.message).toMatch(/none\.yaml:1: no DBC: .*\(fix: add `dbc: FILE`/);
  });

  it('lists the problems of shape and of resolution together, one line each', async () => {
    const err = await invalid(write('bad.yaml', 'vehicle: car\ndbc: car.dbc\nsignals:\n  Vehicle.Speed: {message: Sped, signal: V}\n  Vehicle.Nope: {message: Speed, signal: V, scale: x}\n'));
    expect(err.message.split('\n').slice(1)).toEqual([
      expect.stringMatching(/bad\.yaml:4: Vehicle\.Speed: no message "Sped" in .*car\.dbc \(fix: did you mean `message: Speed`\?\)/),
      expect.stringMatching(/bad\.yaml:5: Vehicle\.Nope: `scale` must be a number/),
    ]);
  });
});
