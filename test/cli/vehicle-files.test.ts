import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledDbc, bundledModels } from '../../cli/paths.js';
import { resolveVehicleFiles, VehicleFileMissingError } from '../../cli/vehicle-files.js';

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
    expect(await resolveVehicleFiles({ flags: {}, cwd: cwd(), configPath: undefined, config: {} })).toEqual({ dbc: bundledDbc, modelsDir: bundledModels });
  });

  it('resolves the config\'s paths from the config file\'s folder, not the working directory', async () => {
    const files = await resolveVehicleFiles({ flags: {}, cwd: cwd(), configPath, config: { dbc: 'car.dbc', models_dir: './models' } });
    expect(files).toEqual({ dbc: path.join(dir, 'cfg', 'car.dbc'), modelsDir: path.join(dir, 'cfg', 'models') });
  });

  it('lets each flag win over the config, resolved from the working directory', async () => {
    const config = { dbc: 'car.dbc', models_dir: './models' };
    expect(await resolveVehicleFiles({ flags: { dbc: 'flag.dbc' }, cwd: cwd(), configPath, config })).toEqual({ dbc: path.join(cwd(), 'flag.dbc'), modelsDir: path.join(dir, 'cfg', 'models') });
    expect(await resolveVehicleFiles({ flags: { models: 'flag-models' }, cwd: cwd(), configPath, config })).toEqual({ dbc: path.join(dir, 'cfg', 'car.dbc'), modelsDir: path.join(cwd(), 'flag-models') });
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
});
