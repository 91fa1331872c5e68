/**
 * `replay` takes the DBC and the models folder from the config as `run` does: the config's
 * relative `dbc:` and `models_dir:` start at the config file's folder, whatever the working
 * directory; a flag wins over the config; a path that is not there is refused naming the key.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplaySummary } from '../../runtime/engine/summary.js';
import { cli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared-data.js';

/** The shipped model folders (those with a manifest), not the build pipeline beside them. */
function shippedModelFolders(): string[] {
  const models = path.join(repoRoot, 'models');
  return readdirSync(models).filter((name) => readdirSync(path.join(models, name)).includes('manifest.json'));
}

/**
 * A models folder the bundled one cannot stand in for: the shipped models, with the ADAS model
 * registered under a name only this folder has.
 */
function writeOwnModels(dir: string): void {
  for (const name of shippedModelFolders()) cpSync(path.join(repoRoot, 'models', name), path.join(dir, name), { recursive: true });
  const manifestPath = path.join(dir, 'adas-fcw', 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name: string };
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, name: 'adas-own' }, null, 2));
}

let root = '';
let elsewhere = '';
/** The config as the working directory `elsewhere` reaches it. */
let configArg = '';

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-replay-config-files-'));
  const vehicle = path.join(root, 'vehicle');
  elsewhere = path.join(root, 'work', 'elsewhere');
  mkdirSync(vehicle, { recursive: true });
  mkdirSync(elsewhere, { recursive: true });
  cpSync(path.join(repoRoot, 'sim', 'vehicle.dbc'), path.join(vehicle, 'my.dbc'));
  writeOwnModels(path.join(vehicle, 'models'));
  writeFileSync(path.join(vehicle, 'car.yaml'), 'dbc: ./my.dbc\nmodels_dir: ./models\ndomains:\n  adas: { model: adas-own }\n');
  configArg = path.relative(elsewhere, path.join(vehicle, 'car.yaml'));
  const r = await cli(elsewhere, 'sim', '--scenario', 'highway-cruise', '--duration', '5', '--seed', '5', '--out', 'drive.log', '--quiet');
  expect(r.code, r.err).toBe(0);
}, 120_000);

const summaryOf = (file: string): ReplaySummary => JSON.parse(readFileSync(path.join(elsewhere, file), 'utf8')) as ReplaySummary;

describe('replay with dbc: and models_dir: in the config', () => {
  it('uses the config folder\'s DBC and models from another working directory, and names them', async () => {
    expect(configArg.startsWith('..')).toBe(true);
    const r = await cli(elsewhere, 'replay', 'drive.log', '--config', configArg, '--local-only', '--json', 'own.json');
    expect(r.code, r.err).toBe(0);
    const s = summaryOf('own.json');
    // adas-own exists only in the config's models folder: the ADAS domain ran on it.
    expect(s.domains['adas']!.variants.fp32).toBeGreaterThan(0);
    expect(s.vehicle).toEqual({ profile: 'reference', dbc: 'my.dbc', models_dir: 'models' });
    expect(s.trace.decoded).toBe(s.trace.frames);
    expect(r.out).toContain('vehicle reference, DBC my.dbc, models models\n');
  }, 120_000);

  it('takes --dbc and --models over the config, relative to the working directory', async () => {
    cpSync(path.join(repoRoot, 'sim', 'vehicle.dbc'), path.join(elsewhere, 'flag.dbc'));
    writeOwnModels(path.join(elsewhere, 'flag-models'));
    const r = await cli(elsewhere, 'replay', 'drive.log', '--config', configArg, '--dbc', 'flag.dbc', '--models', 'flag-models', '--local-only', '--quiet', '--json', 'flags.json');
    expect(r.code, r.err).toBe(0);
    expect(summaryOf('flags.json').vehicle).toEqual({ profile: 'reference', dbc: 'flag.dbc', models_dir: 'flag-models' });
  }, 120_000);

  it('refuses a models folder without the configured model when --models points at the shipped one', async () => {
    const r = await cli(elsewhere, 'replay', 'drive.log', '--config', configArg, '--models', path.join(repoRoot, 'models'), '--local-only', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toContain('adas-own');
  }, 60_000);

  it('refuses a dbc: or models_dir: that is not there, naming the config line, the key and the path', async () => {
    const dir = path.join(root, 'broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'no-dbc.yaml'), 'vehicle_id: test\ndbc: ./absent.dbc\n');
    const noDbc = await cli(elsewhere, 'replay', 'drive.log', '--config', path.join(dir, 'no-dbc.yaml'), '--local-only', '--quiet');
    expect(noDbc.code).toBe(2);
    expect(noDbc.err).toContain(`${path.join(dir, 'no-dbc.yaml')}:2: dbc: ./absent.dbc: no such file (looked for ${path.join(dir, 'absent.dbc')})`);
    writeFileSync(path.join(dir, 'no-models.yaml'), 'models_dir: ../nowhere\n');
    const noModels = await cli(elsewhere, 'replay', 'drive.log', '--config', path.join(dir, 'no-models.yaml'), '--local-only', '--quiet');
    expect(noModels.code).toBe(2);
    expect(noModels.err).toContain(`no-models.yaml:1: models_dir: ../nowhere: no such folder (looked for ${path.join(root, 'nowhere')})`);
  }, 60_000);

  it('lets run refuse the same config the same way, before it starts anything', async () => {
    const dir = path.join(root, 'broken-run');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'c.yaml'), 'dbc: ./absent.dbc\n');
    const r = await cli(elsewhere, 'run', '--config', path.join(dir, 'c.yaml'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`c.yaml:1: dbc: ./absent.dbc: no such file (looked for ${path.join(dir, 'absent.dbc')})`);
  }, 30_000);
});
