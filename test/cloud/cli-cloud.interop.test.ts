import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { CloudLink } from '../../runtime/cloud/mqtt-link.js';
import { CloudInference } from '../../runtime/cloud/cloud-inference.js';
import { startEmbeddedBroker } from '../../runtime/cloud/embedded-broker.js';
import { freePort } from '../helpers/mosquitto.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-cli-cloud-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

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

  it('serves a vehicle through its embedded broker and answers unknown models with an error', async () => {
    const port = await freePort();
    const t = io();
    const done = runCli(['cloud', '--port', String(port), '--duration', '2', '--models', work], t.io);
    const link = CloudLink.connect({ url: `mqtt://127.0.0.1:${port}`, vehicleId: 'VCLI', protocolVersion: 4, backoff: { initialMs: 50, maxMs: 200 } });
    expect(await link.waitConnected(3000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const cloud = new CloudInference({ link, models: { body: { model: 'absent', variant: 'fp32' } } });
    const r = await cloud.infer('body', { x: { dims: [1], data: Float32Array.of(1) } }, 1500);
    expect(r).toEqual({ status: 'unavailable', reason: 'worker w1: unknown model absent (fp32)' });
    await link.close();
    expect(await done).toBe(0);
    expect(t.err()).toMatch(/embedded broker \(MQTT 3\.1\.1\)/);
  });

  it('starts the embedded broker on a free port when asked for port 0', async () => {
    const b = await startEmbeddedBroker({ port: 0 });
    expect(b.port).toBeGreaterThan(0);
    expect(b.url).toBe(`mqtt://127.0.0.1:${b.port}`);
    await b.close();
  });
});
