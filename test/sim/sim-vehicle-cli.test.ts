/**
 * `ecu-ai sim --vehicle PROFILE --dbc D` with a profile loader handed to the command (the
 * hand-resolved Toyota map stands in for the vehicle library's): the trace is the Toyota's, the
 * labels are byte for byte the reference drive's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTraceReader } from '../../bus/trace/index.js';
import { UsageError, type CliIo } from '../../cli/command.js';
import { createSimCommand, simCommand } from '../../cli/sim.js';
import type { VehicleProfileLoader } from '../../cli/sim-vehicle.js';
import type { ResolvedProfile } from '../../runtime/vehicle/types.js';
import { VehicleEncodingError } from '../../sim/errors.js';
import { hasSharedData, sharedSkipReason } from '../helpers/shared-data.js';
import { mapping, TOYOTA_DBC, TOYOTA_PROFILE, toyotaDatabase, toyotaSignals } from './toyota-signals.js';

function io(cwd: string): CliIo & { err: () => string } {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout: new PassThrough(), stderr, cwd, err: () => err };
}

const loaded: { file?: string; dbc?: string | undefined } = {};
const toyotaLoader: VehicleProfileLoader = (file, options) => {
  loaded.file = file;
  loaded.dbc = options.dbc;
  const profile: ResolvedProfile = { vehicle: 'toyota-nodsu', file, signals: toyotaSignals() };
  return profile;
};

const drive = ['--scenario', 'highway-cruise', '--duration', '20', '--seed', '5', '--quiet'];

describe.skipIf(!hasSharedData)(`ecu-ai sim --vehicle ${sharedSkipReason}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-sim-vehicle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the drive on the Toyota bus with the reference drive\'s labels, and says what it sent', async () => {
    const command = createSimCommand({ loadProfile: toyotaLoader });
    const run = io(dir);
    expect(await command.run([...drive, '--vehicle', TOYOTA_PROFILE, '--dbc', TOYOTA_DBC, '--out', 'toyota.log', '--labels', 'toyota.jsonl'], run)).toBe(0);
    expect(await simCommand.run([...drive, '--out', 'reference.log', '--labels', 'reference.jsonl'], io(dir))).toBe(0);
    expect(loaded).toEqual({ file: TOYOTA_PROFILE, dbc: TOYOTA_DBC });
    expect(readFileSync(path.join(dir, 'toyota.jsonl')).equals(readFileSync(path.join(dir, 'reference.jsonl')))).toBe(true);
    expect(run.err()).toMatch(/vehicle toyota-nodsu: 11 catalog signals on 6 messages \(SPEED 20 ms, WHEEL_SPEEDS 20 ms, .*BODY_CONTROL_STATE 500 ms\)/);
    const toyota = await toyotaDatabase();
    const names = new Set<string>();
    for await (const f of openTraceReader(path.join(dir, 'toyota.log'))) names.add(toyota.forFrame(f)?.message.name ?? `unknown 0x${f.id.toString(16)}`);
    expect([...names].sort()).toEqual(['BODY_CONTROL_STATE', 'KINEMATICS', 'SPEED', 'STEER_TORQUE_SENSOR', 'VSC1S07', 'WHEEL_SPEEDS']);
  });

  it('needs a DBC when the profile names none', async () => {
    const command = createSimCommand({ loadProfile: toyotaLoader });
    await expect(command.run([...drive, '--vehicle', TOYOTA_PROFILE, '--out', 'x.log'], io(dir))).rejects.toThrow(/names no dbc:; give the vehicle's DBC with --dbc FILE/);
  });

  it('refuses a mapping that does not fit the DBC with the profile line, and leaves no trace', async () => {
    const broken: VehicleProfileLoader = (file) => ({ vehicle: 'broken', file, signals: new Map([['Vehicle.Speed', mapping('Vehicle.Speed', 'ESP_Brake', 'BRK_VehicleSpeed')]]) });
    const command = createSimCommand({ loadProfile: broken });
    const err = await command.run([...drive, '--vehicle', TOYOTA_PROFILE, '--dbc', TOYOTA_DBC, '--out', 'broken.log'], io(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VehicleEncodingError);
    expect((err as Error).message).toMatch(/toyota-nodsu\.yaml:\d+: Vehicle\.Speed: message ESP_Brake is not in the vehicle's DBC/);
    expect(() => readFileSync(path.join(dir, 'broken.log'))).toThrow();
  });
});

describe('ecu-ai sim options for another vehicle', () => {
  it('refuses --vehicle when the command has no profile loader, and --dbc without --vehicle', async () => {
    const cwd = os.tmpdir();
    await expect(createSimCommand().run([...drive, '--vehicle', 'v.yaml', '--out', 'x.log'], io(cwd))).rejects.toThrow(UsageError);
    await expect(simCommand.run([...drive, '--dbc', 'v.dbc', '--out', 'x.log'], io(cwd))).rejects.toThrow(/--dbc is the DBC of a --vehicle profile/);
  });
});
