/**
 * `replay --vehicle` (or the config's `vehicle:`) reads the domains' catalog signals through a
 * profile: the shipped reference profile gives the same replay as no profile at all, and a drive
 * simulated onto opendbc's Toyota bus through its profile disables exactly the domains whose
 * required signals that bus does not carry, each with the reason, and exits 1 as no domain ran.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplaySummary } from '../../runtime/engine/summary.js';
import { cli } from '../helpers/cli.js';
import { hasSharedData, repoRoot, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';

let dir = '';
const summaryOf = (file: string): ReplaySummary => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ReplaySummary;
const withoutWall = (s: ReplaySummary): object => ({ ...s, wall: undefined });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-replay-vehicle-'));
  const r = await cli(dir, 'sim', '--scenario', 'wet-road', '--duration', '20', '--seed', '4', '--out', 'drive.log', '--labels', 'drive.labels.jsonl', '--quiet');
  expect(r.code, r.err).toBe(0);
}, 120_000);

describe('replay through a vehicle profile', () => {
  it('gives the same summary with the shipped reference profile named as without any, from the flag or the config', async () => {
    const plain = await cli(dir, 'replay', 'drive.log', '--labels', 'drive.labels.jsonl', '--local-only', '--quiet', '--json', 'plain.json');
    expect(plain.code, plain.err).toBe(0);
    const flag = await cli(dir, 'replay', 'drive.log', '--labels', 'drive.labels.jsonl', '--local-only', '--quiet', '--json', 'flag.json', '--vehicle', path.join(repoRoot, 'vehicles', 'reference.yaml'));
    expect(flag.code, flag.err).toBe(0);
    writeFileSync(path.join(dir, 'car.yaml'), `vehicle: ${JSON.stringify(path.relative(dir, path.join(repoRoot, 'vehicles', 'reference.yaml')))}\n`);
    const config = await cli(dir, 'replay', 'drive.log', '--labels', 'drive.labels.jsonl', '--local-only', '--quiet', '--json', 'config.json', '--config', 'car.yaml');
    expect(config.code, config.err).toBe(0);
    expect(summaryOf('plain.json').vehicle.profile).toBe('reference');
    expect(withoutWall(summaryOf('flag.json'))).toEqual(withoutWall(summaryOf('plain.json')));
    expect(withoutWall(summaryOf('config.json'))).toEqual(withoutWall(summaryOf('plain.json')));
  }, 180_000);

  it('refuses a profile with a problem, naming its line and the fix, before replaying (exit 2)', async () => {
    writeFileSync(path.join(dir, 'bad.yaml'), 'vehicle: bad\nsignals:\n  Vehicle.Speed:\n    message: NO_SUCH_MESSAGE\n    signal: X\n');
    const r = await cli(dir, 'replay', 'drive.log', '--vehicle', 'bad.yaml', '--local-only', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:4: Vehicle\.Speed: no message "NO_SUCH_MESSAGE"/);
    expect(r.err).toContain('fix:');
  }, 60_000);

  it.skipIf(!hasSharedData)(`disables on the Toyota bus exactly the domains whose required signals it lacks ${sharedSkipReason}`, async () => {
    const dbc = sharedPath('dbc', 'opendbc', 'toyota_nodsu_pt_generated.dbc');
    const profile = path.join(repoRoot, 'vehicles', 'toyota-nodsu.yaml');
    const sim = await cli(dir, 'sim', '--scenario', 'wet-road', '--duration', '20', '--seed', '4', '--vehicle', profile, '--dbc', dbc, '--out', 'toyota.blf', '--quiet');
    expect(sim.code, sim.err).toBe(0);
    const r = await cli(dir, 'replay', 'toyota.blf', '--vehicle', profile, '--dbc', dbc, '--local-only', '--quiet', '--json', 'toyota.json', '--report', 'toyota.html');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no domain ran');
    const s = summaryOf('toyota.json');
    expect(s.vehicle).toEqual({ profile: 'toyota-nodsu', dbc: 'toyota_nodsu_pt_generated.dbc', models_dir: 'models' });
    expect(s.trace.decoded).toBe(s.trace.frames);
    expect(Object.keys(s.domains)).toEqual([]);
    const disabled = s.disabled_domains ?? {};
    expect(Object.keys(disabled).sort()).toEqual(['adas', 'body', 'chassis', 'cockpit', 'powertrain']);
    // The chassis lacks only what this powertrain bus does not carry; its wheel speeds, speed, accelerations and ABS are mapped.
    expect([...disabled['chassis']!.missing].sort()).toEqual(['Vehicle.EcuAi.Chassis.BrakePressure', 'Vehicle.Exterior.AirTemperature', 'Vehicle.Powertrain.ElectricMotor.Torque']);
    expect(disabled['powertrain']!.missing).toContain('Vehicle.EcuAi.TractionBattery.Cell01.Voltage');
    expect(r.err).toContain('chassis disabled: 3 required signals not mapped on this vehicle');
    const html = readFileSync(path.join(dir, 'toyota.html'), 'utf8');
    expect(html).toContain('<h2>Disabled on this vehicle</h2>');
    expect(html).toMatch(/<td>chassis<\/td><td>[^<]*Vehicle\.EcuAi\.Chassis\.BrakePressure/);
  }, 180_000);
});
