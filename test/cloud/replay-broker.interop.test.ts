import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutWall, type ReplaySummary } from '../../runtime/engine/summary.js';
import { cli } from '../helpers/cli.js';
import { freePort, mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { repoRoot } from '../helpers/shared-data.js';
import { transpileTree } from '../helpers/transpile.js';

const peer = mosquittoPeer();
const shipped = path.join(repoRoot, 'models');

/** Starts `ecu-ai cloud ARGS` as a child process; resolves once its workers and ingest are connected. */
function spawnCloud(entry: string, args: readonly string[]): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [entry, 'cloud', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ecu-ai cloud did not connect in 20 s: ${err}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (/worker\(s\) and ingest connected/.test(err)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => out, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ecu-ai cloud exited ${code}: ${err}`));
    });
  });
}

describe.skipIf(!peer.available)('replay through a real broker and a real ecu-ai cloud process', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-replay-broker-'));
  const compiled = path.join(repoRoot, '.tmp', `ecu-ai-cli-${process.pid}`);
  let broker: Mosquitto | undefined;
  let cloud: Awaited<ReturnType<typeof spawnCloud>> | undefined;
  let entry = '';

  beforeAll(async () => {
    broker = await startMosquitto();
    entry = transpileTree(path.join(repoRoot, 'test', 'cloud', 'fixtures', 'ecu-ai-cli.ts'), repoRoot, compiled);
    const sim = await cli(dir, 'sim', '--scenario', 'highway-cruise', '--duration', '30', '--seed', '7', '--out', 'drive.blf');
    expect(sim.code).toBe(0);
    // Body's primary variant is the cloud: each of its 30 calls (1 Hz) is a round trip.
    writeFileSync(path.join(dir, 'cfg.yaml'), 'vehicle_id: replay-cloud\nplatform:\n  sensors: model\ndomains:\n  body:\n    variant: cloud\n');
    cloud = await spawnCloud(entry, ['--broker', broker.url, '--workers', '2', '--models', shipped, '--data', path.join(dir, 'cloud-data')]);
  }, 120_000);

  afterAll(async () => {
    if (cloud && cloud.child.exitCode === null) cloud.child.kill('SIGKILL');
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(compiled, { recursive: true, force: true });
  });

  const summaryOf = (file: string): ReplaySummary => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ReplaySummary;

  it('counts the answers the workers send, gives the same summary run after run and the same as the embedded broker', async () => {
    const url = broker!.url;
    for (const name of ['a', 'b']) {
      const r = await cli(dir, 'replay', 'drive.blf', '--config', 'cfg.yaml', '--broker', url, '--json', `${name}.json`, '--quiet');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
    const body = summaryOf('a.json').domains['body']!;
    expect(body.inferences).toBe(30);
    // The first cycle comes before body's signals have all arrived: answered without a model, counted apart.
    expect(body.invalid_inputs).toBe(1);
    expect(body.variants.cloud).toBe(29);
    expect(body.variants.fallback).toBe(body.invalid_inputs);
    expect(body.faults).toBe(0);
    expect(JSON.stringify(withoutWall(summaryOf('b.json')))).toBe(JSON.stringify(withoutWall(summaryOf('a.json'))));

    const embedded = await cli(dir, 'replay', 'drive.blf', '--config', 'cfg.yaml', '--json', 'embedded.json', '--quiet');
    expect(embedded.code).toBe(0);
    expect(JSON.stringify(withoutWall(summaryOf('embedded.json')))).toBe(JSON.stringify(withoutWall(summaryOf('a.json'))));

    // The cloud process answered every one of them, and says so in its summary when stopped.
    const child = cloud!.child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Two replays of 29 cloud cycles each (the first cycle of each is on invalid inputs, never sent).
    expect(JSON.parse(cloud!.stdout())).toMatchObject({ served: 58, failed: 0, rejected: 0, expired: 0, misdirected: 0 });
  }, 180_000);

  it("works against ecu-ai cloud's embedded MQTT 3.1.1 broker though the vehicle asks for MQTT 5", async () => {
    const port = await freePort();
    const aedes = await spawnCloud(entry, ['--port', String(port), '--models', shipped, '--data', path.join(dir, 'aedes-data')]);
    try {
      const r = await cli(dir, 'replay', 'drive.blf', '--config', 'cfg.yaml', '--broker', `mqtt://127.0.0.1:${port}`, '--json', 'aedes.json', '--quiet');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const embedded = await cli(dir, 'replay', 'drive.blf', '--config', 'cfg.yaml', '--json', 'embedded-2.json', '--quiet');
      expect(embedded.code).toBe(0);
      expect(summaryOf('aedes.json').domains['body']!.variants.cloud).toBe(29);
      expect(JSON.stringify(withoutWall(summaryOf('aedes.json')))).toBe(JSON.stringify(withoutWall(summaryOf('embedded-2.json'))));
    } finally {
      aedes.child.kill('SIGKILL');
    }
  }, 180_000);
});
