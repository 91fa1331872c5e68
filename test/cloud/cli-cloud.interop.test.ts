import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { CloudLink } from '../../runtime/cloud/link/mqtt-link.js';
import { CloudInference } from '../../runtime/cloud/facade/cloud-inference.js';
import { startEmbeddedBroker } from '../../runtime/cloud/link/embedded-broker.js';
import { freePort } from '../helpers/mosquitto.js';
import { repoRoot } from '../helpers/shared-data.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-cli-cloud-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const shipped = path.join(repoRoot, 'models');
/** A valid input of the body-comfort model: 12 features. */
const comfortFeeds = { features: { dims: [1, 12], data: new Float32Array(12).fill(0.5) } };

function io(): { io: { stdout: PassThrough; stderr: PassThrough; cwd: string }; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { io: { stdout, stderr, cwd: work }, out: () => o, err: () => e };
}

describe('ecu-ai cloud', () => {
  it('exits 2 naming the bad flag', async () => {
    const t = io();
    expect(await runCli(['cloud', '--workers', 'many'], t.io)).toBe(2);
    expect(t.err()).toMatch(/--workers takes a whole number, not "many"/);
    const t2 = io();
    expect(await runCli(['cloud', '--broker', 'localhost'], t2.io)).toBe(2);
    expect(t2.err()).toMatch(/--broker takes mqtt:\/\/host:port/);
  });

  it('refuses, exit 2, a models folder it can serve nothing from, and MQTT 5 with its embedded broker', async () => {
    const t = io();
    expect(await runCli(['cloud', '--port', '0', '--models', work], t.io)).toBe(2);
    expect(t.err()).toMatch(/no model to serve: expected model folders with a manifest\.json/);
    const t2 = io();
    expect(await runCli(['cloud', '--port', '0', '--mqtt', '5', '--models', shipped], t2.io)).toBe(2);
    expect(t2.err()).toMatch(/--mqtt 5 needs --broker: the embedded broker speaks MQTT 3\.1\.1 only/);
  });

  it('serves the shipped models through its embedded broker, answers unknown models with an error and counts both', async () => {
    const port = await freePort();
    const t = io();
    const done = runCli(['cloud', '--port', String(port), '--duration', '3', '--models', shipped, '--data', path.join(work, 'data')], t.io);
    const link = CloudLink.connect({ url: `mqtt://127.0.0.1:${port}`, vehicleId: 'VCLI', protocolVersion: 4, backoff: { initialMs: 50, maxMs: 200 } });
    expect(await link.waitConnected(3000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const served = await new CloudInference({ link, models: { body: { model: 'body-comfort', variant: 'cloud' } } }).infer('body', comfortFeeds, 2000);
    expect(served.status).toBe('ok');
    if (served.status === 'ok') expect(served.outputs['output']?.dims).toEqual([1, 2]);
    const cloud = new CloudInference({ link, models: { body: { model: 'absent', variant: 'fp32' } } });
    const r = await cloud.infer('body', { x: { dims: [1], data: Float32Array.of(1) } }, 1500);
    expect(r).toEqual({ status: 'unavailable', reason: 'worker w1: unknown model absent (fp32)' });
    await link.close();
    expect(await done).toBe(0);
    expect(t.err()).toMatch(/embedded broker \(MQTT 3\.1\.1\)/);
    expect(t.err()).toMatch(/serving .*body-comfort#cloud/);
    expect(JSON.parse(t.out())).toMatchObject({ served: 1, failed: 1, rejected: 0, expired: 0, misdirected: 0 });
  });

  it('lets a vehicle that asks for MQTT 5 work with its embedded broker, over MQTT 3.1.1', async () => {
    const port = await freePort();
    const t = io();
    const done = runCli(['cloud', '--port', String(port), '--duration', '3', '--models', shipped, '--data', path.join(work, 'data')], t.io);
    await new Promise((r) => setTimeout(r, 300));
    const link = CloudLink.connect({ url: `mqtt://127.0.0.1:${port}`, vehicleId: 'VCLI5', backoff: { initialMs: 50, maxMs: 200 } });
    expect(await link.waitConnected(3000)).toBe(true);
    expect(link.protocolVersion).toBe(4);
    expect(link.lastError?.message).toMatch(/the broker refused MQTT 5 .*reconnecting with MQTT 3\.1\.1/);
    const r = await new CloudInference({ link, models: { body: { model: 'body-comfort', variant: 'cloud' } } }).infer('body', comfortFeeds, 2000);
    expect(r.status).toBe('ok');
    await link.close();
    expect(await done).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ served: 1, failed: 0 });
  });

  it('starts the embedded broker on a free port when asked for port 0', async () => {
    const b = await startEmbeddedBroker({ port: 0 });
    expect(b.port).toBeGreaterThan(0);
    expect(b.url).toBe(`mqtt://127.0.0.1:${b.port}`);
    await b.close();
  });
});
