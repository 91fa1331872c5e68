/**
 * A 50 MB message on a vehicle's response topic costs the vehicle nothing: its link announces its
 * packet limit in MQTT 5 (mosquitto then never sends it), drops it on the socket under MQTT 3.1.1
 * before buffering it, and the embedded broker disconnects whoever sends it. The vehicle runs in a
 * child process so its RSS is its own; it goes on answering requests afterwards.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { InferenceWorker } from '../../cloud/inference-worker.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { repoRoot } from '../helpers/shared-data.js';
import { transpileTree } from '../helpers/transpile.js';
import { doublingRunner } from './fixtures.js';

const peer = mosquittoPeer();
const BIG = 50 << 20;
/**
 * Less than the message itself: buffered whole, it adds more than its size (it is copied at least
 * once on the way; 87 MB was measured without the limit). Below that, RSS also holds freed socket
 * chunks the allocator has not handed back, which varies with the machine's load.
 */
const RSS_BOUND = BIG;
/** What the process still holds of it after a collection (heap and buffers): nothing of the message. */
const RETAINED_BOUND = 8 << 20;

interface Stats {
  readonly rss: number;
  readonly retained: number;
  readonly link: { oversizeDropped: number; rejectedPayloads: number; responses: number };
  readonly broker: { oversizeRefused: number } | null;
  readonly connected: boolean;
}

class Vehicle {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #queue: string[] = [];
  readonly #waiters: ((l: string) => void)[] = [];
  constructor(script: string, args: readonly string[]) {
    // --expose-gc: the RSS read after a collection is what the process keeps, not garbage awaiting one.
    this.#child = spawn(process.execPath, ['--expose-gc', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (l) => {
      const w = this.#waiters.shift();
      if (w) w(l);
      else this.#queue.push(l);
    });
  }
  next(timeoutMs = 10_000): Promise<string> {
    const l = this.#queue.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer from the vehicle process')), timeoutMs);
      this.#waiters.push((line) => {
        clearTimeout(t);
        resolve(line);
      });
    });
  }
  async ask(cmd: string): Promise<string> {
    this.#child.stdin.write(`${cmd}\n`);
    return this.next();
  }
  async stats(): Promise<Stats> {
    return JSON.parse(await this.ask('stats')) as Stats;
  }
  async quit(): Promise<void> {
    this.#child.stdin.write('quit\n');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
      this.#child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** Publishes `bytes` of payload on `topic` with QoS 1 and waits for the PUBACK (or the broker's hang-up). */
async function publishBig(url: string, topic: string, bytes: number): Promise<void> {
  const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
  c.on('error', () => undefined);
  await Promise.race([c.publishAsync(topic, Buffer.alloc(bytes, 7), { qos: 1 }).catch(() => undefined), new Promise<void>((r) => c.once('close', () => r()))]);
  await c.endAsync(true);
}

describe('a 50 MB message on the vehicle response topic', () => {
  const tmpRoot = path.join(repoRoot, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const work = mkdtempSync(path.join(tmpRoot, 'packet-size-'));
  let script: string;
  beforeAll(() => {
    script = transpileTree(path.join(repoRoot, 'test', 'cloud', 'fixtures', 'vehicle-link.ts'), repoRoot, path.join(work, 'js'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe.skipIf(!peer.available)('through mosquitto', () => {
    let broker: Mosquitto;
    let worker: InferenceWorker;
    beforeAll(async () => {
      broker = await startMosquitto();
      worker = await InferenceWorker.start({ url: broker.url, id: 'w1', runner: doublingRunner() });
    });
    afterAll(async () => {
      await worker?.stop();
      await broker?.stop();
    });

    for (const version of ['5', '4'] as const) {
      it(`leaves the vehicle's RSS bounded and its link serving (MQTT ${version === '5' ? '5' : '3.1.1'})`, async () => {
        const vehicleId = `VBIG${version}`;
        const v = new Vehicle(script, [broker.url, vehicleId, version]);
        expect(await v.next()).toBe('ready');
        expect(await v.ask('request')).toBe('outcome ok');
        const before = await v.stats();
        await publishBig(broker.url, `ecu-ai/v1/${vehicleId}/infer/response`, BIG);
        await new Promise((r) => setTimeout(r, 1500));
        const after = await v.stats();
        expect(after.rss - before.rss).toBeLessThan(RSS_BOUND);
        expect(after.retained - before.retained).toBeLessThan(RETAINED_BOUND);
    expect(after.retained - before.retained).toBeLessThan(RETAINED_BOUND);
        // MQTT 5: mosquitto honours the announced maximum and never sends it. 3.1.1: dropped on the socket.
        expect(after.link.oversizeDropped).toBe(version === '5' ? 0 : 1);
        expect(after.link.rejectedPayloads).toBe(0);
        expect(after.connected).toBe(true);
        expect(await v.ask('request')).toBe('outcome ok');
        await v.quit();
      });
    }
  });

  it('makes the embedded broker disconnect its sender, and the vehicle beside it goes on', async () => {
    const v = new Vehicle(script, ['embedded', 'VBIGE', '4']);
    const url = (await v.next()).replace(/^url /, '');
    expect(await v.next()).toBe('ready');
    const worker = await InferenceWorker.start({ url, id: 'we', runner: doublingRunner(), protocolVersion: 4 });
    expect(await v.ask('request')).toBe('outcome ok');
    const before = await v.stats();
    await publishBig(url, 'ecu-ai/v1/VBIGE/infer/response', BIG);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await v.stats();
    expect(after.rss - before.rss).toBeLessThan(RSS_BOUND);
    expect(after.retained - before.retained).toBeLessThan(RETAINED_BOUND);
    expect(after.broker?.oversizeRefused).toBe(1);
    expect(after.link.oversizeDropped).toBe(0);
    expect(await v.ask('request')).toBe('outcome ok');
    await worker.stop();
    await v.quit();
  });
});
