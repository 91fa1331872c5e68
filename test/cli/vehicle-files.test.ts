import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledDbc, bundledModels } from '../../cli/paths.js';
import { resolveVehicleFiles, VehicleFileMissingError } from '../../cli/vehicle-files.js';
import { REFERENCE_PROFILE } from '../../runtime/vehicle/reference-mapping.js';

let dir = '';
let configPath = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-vehicle-files-'));
  mkdirSync(path.join(dir, 'cfg', 'models'), { recursive: true });
  mkdirSync(path.join(dir, 'cwd', 'flag-models'), { recursive: true });
  writeFileSync(path.join(dir, 'cfg', 'car.dbc'), 'VERSION ""\n');
  writeFileSync(path.join(dir, 'cwd', 'flag.dbc'), 'VERSION ""\n');
  configPath = path.join(dir, 'cfg', 'car.yaml');
  writeFileSync(configPath, 'vehicle_id: x\ndbc: car.dbc\nmodels_dir: ./models\n');
});

const cwd = (): string => path.join(dir, 'cwd');

describe('resolveVehicleFiles', () => {
  it('takes the bundled DBC and models when neither a flag nor the config names them', async () => {
    expect(await resolveVehicleFiles({ flags: {}, cwd: cwd(), configPath: undefined, config: {} })).toEqual({ dbc: bundledDbc, modelsDir: bundledModels, vehicle: REFERENCE_PROFILE });
  });

  it('resolves the config\'s paths from the config file\'s folder, not the working directory', async () => {
    const files = await resolveVehicleFiles({ flags: {}, cwd: cwd(), configPath, config: { dbc: 'car.dbc', models_dir: './models' } });
    expect(files).toEqual({ dbc: path.join(dir, 'cfg', 'car.dbc'), modelsDir: path.join(dir, 'cfg', 'models'), vehicle: REFERENCE_PROFILE });
  });

  it('lets each flag win over the config, resolved from the working directory', async () => {
    const config = { dbc: 'car.dbc', models_dir: './models' };
    expect(await resolveVehicleFiles({ flags: { dbc: 'flag.dbc' }, cwd: cwd(), configPath, config })).toEqual({ dbc: path.join(cwd(), 'flag.dbc'), modelsDir: path.join(dir, 'cfg', 'models'), vehicle: REFERENCE_PROFILE });
    expect(await resolveVehicleFiles({ flags: { models: 'flag-models' }, cwd: cwd(), configPath, config })).toEqual({ dbc: path.join(dir, 'cfg', 'car.dbc'), modelsDir: path.join(cwd(), 'flag-models'), vehicle: REFERENCE_PROFILE });
  });

  it('throws a typed error naming the config key, its line and the path looked for', async () => {
    const err = await resolveVehicleFiles({ flags: {}, cwd: cwd(), configPath, config: { dbc: 'gone.dbc' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VehicleFileMissingError);
    const missing = err as VehicleFileMissingError;
    expect(missing.origin).toBe(`${configPath}:2: dbc`);
    expect(missing.path).toBe(path.join(dir, 'cfg', 'gone.dbc'));
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toContain('give --dbc');
  });

  it('names the flag for a flag that points nowhere, and a file given as the models folder', async () => {
    const badFlag = await resolveVehicleFiles({ flags: { dbc: 'nope.dbc' }, cwd: cwd(), configPath: undefined, config: {} }).catch((e: unknown) => e);
    expect((badFlag as VehicleFileMissingError).origin).toBe('--dbc');
    expect((badFlag as Error).message).toContain(path.join(cwd(), 'nope.dbc'));
    const fileAsFolder = await resolveVehicleFiles({ flags: { models: 'flag.dbc' }, cwd: cwd(), configPath: undefined, config: {} }).catch((e: unknown) => e);
    expect((fileAsFolder as Error).message).toMatch(/^--models: flag\.dbc: is a file, not a folder/);
  });

  it('takes a profile\'s own dbc: when neither flag nor config names a DBC, and a named DBC over it', async () => {
    const vdir = path.join(dir, 'profiles');
    mkdirSync(vdir, { recursive: true });
    writeFileSync(path.join(vdir, 'own.dbc'), 'VERSION ""\n');
    writeFileSync(path.join(vdir, 'car.yaml'), 'vehicle: car\ndbc: ./own.dbc\nsignals: {}\n');
    const fromProfile = await resolveVehicleFiles({ flags: { vehicle: path.join(vdir, 'car.yaml') }, cwd: cwd(), configPath: undefined, config: {} });
    expect(fromProfile).toEqual({ dbc: path.join(vdir, 'own.dbc'), modelsDir: bundledModels, vehicle: path.join(vdir, 'car.yaml') });
    const flagWins = await resolveVehicleFiles({ flags: { vehicle: path.join(vdir, 'car.yaml'), dbc: 'flag.dbc' }, cwd: cwd(), configPath: undefined, config: {} });
    expect(flagWins.dbc).toBe(path.join(cwd(), 'flag.dbc'));
    const configWins = await resolveVehicleFiles({ flags: {}, cwd: cwd(), configPath, config: { vehicle: '../profiles/car.yaml', dbc: 'car.dbc' } });
    expect(configWins).toEqual({ dbc: path.join(dir, 'cfg', 'car.dbc'), modelsDir: bundledModels, vehicle: path.join(vdir, 'car.yaml') });
  });

  it('names the config line of a vehicle: that is not there, and a profile dbc: that is not there', async () => {
    const err = await resolveVehicleFiles({ flags: {}, cwd: cwd(), configPath, config: { vehicle: 'absent.yaml' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VehicleFileMissingError);
    expect((err as Error).message).toContain(`absent.yaml: no such file (looked for ${path.join(dir, 'cfg', 'absent.yaml')})`);
    const vdir = path.join(dir, 'profiles-bad');
    mkdirSync(vdir, { recursive: true });
    writeFileSync(path.join(vdir, 'car.yaml'), 'vehicle: car\ndbc: ./gone.dbc\nsignals: {}\n');
    const gone = await resolveVehicleFiles({ flags: { vehicle: path.join(vdir, 'car.yaml') }, cwd: cwd(), configPath: undefined, config: {} }).catch((e: unknown) => e);
    expect((gone as VehicleFileMissingError).origin).toBe(`${path.join(vdir, 'car.yaml')}: dbc`);
    expect((gone as Error).message).toContain(path.join(vdir, 'gone.dbc'));
  });
});
