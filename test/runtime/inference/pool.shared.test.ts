/**
 * Comfort domains sharing one worker process: each call reaches its own domain's model, the group
 * fails and restarts as one while a safety domain in its own process keeps its deadlines, and a swap
 * or close within the group moves the other members to a new process without losing a call.
 */
import { until } from '../../helpers/wait.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InferencePool, ModelRegistry } from '../../../runtime/inference/index.js';
import { mlpForward, writeModel, type FixtureModel, healthOf } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-shared-'));
let entry: string;
let registry: ModelRegistry;
let m: Record<'body' | 'body2' | 'cockpit' | 'powertrain' | 'adas', FixtureModel>;
let pool: InferencePool | undefined;

beforeAll(async () => {
  entry = compiledWorkerEntry();
  m = {
    body: writeModel(root, { name: 'body-hvac', domain: 'body', sizes: [3, 8, 1], seed: 11 }),
    body2: writeModel(root, { name: 'body-hvac', version: '2.0.0', domain: 'body', sizes: [3, 8, 1], seed: 12 }),
    cockpit: writeModel(root, { name: 'cockpit-intent', domain: 'cockpit', sizes: [4, 8, 2], seed: 13 }),
    powertrain: writeModel(root, { name: 'pt-misfire', domain: 'powertrain', sizes: [5, 8, 3], seed: 14 }),
    adas: writeModel(root, { name: 'adas-ttc', domain: 'adas', sizes: [6, 8, 3], seed: 15 }),
  };
  registry = await ModelRegistry.create({ roots: [root] });
});
afterEach(async () => pool?.close());
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rows = { body: [0.2, -1, 3], cockpit: [1, 0.5, -0.5, 2], powertrain: [0.1, 0.2, 0.3, -0.4, 5], adas: [1, 2, 3, 4, 5, 6] } as const;
type Domain = keyof typeof rows;

async function openAll(): Promise<InferencePool> {
  const p = await InferencePool.create({ registry, workerEntry: entry, faultInjection: true, backoff: { initialMs: 50, maxMs: 500, factor: 2 } });
  pool = p;
  await p.open('adas', 'adas-ttc');
  for (const [d, name] of [['body', 'body-hvac@1.0.0'], ['cockpit', 'cockpit-intent'], ['powertrain', 'pt-misfire']] as const) {
    await p.open(d, name, { isolation: 'shared', group: 'comfort' });
  }
  return p;
}

async function expectAnswers(p: InferencePool, d: Domain, model: FixtureModel): Promise<void> {
  const out = await p.run(d, { x: Float32Array.from(rows[d]) });
  const want = mlpForward(model.layers, [...rows[d]]);
  expect(out['y']?.dims).toEqual([1, want.length]);
  Array.from(out['y']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 4));
}



describe('InferencePool with a shared comfort process', () => {
  it('runs each domain on its own model in one process, apart from the safety domain', async () => {
    const p = await openAll();
    for (const d of ['body', 'cockpit', 'powertrain', 'adas'] as const) await expectAnswers(p, d, m[d]);
    const pids = new Set(['body', 'cockpit', 'powertrain'].map((d) => healthOf(p, d).pid));
    expect(pids.size).toBe(1);
    expect(pids.has(healthOf(p, 'adas').pid)).toBe(false);
    expect(healthOf(p, 'cockpit')).toMatchObject({ isolation: 'shared', model: 'cockpit-intent@1.0.0', state: 'ready', restarts: 0 });
    expect(healthOf(p, 'adas')).toMatchObject({ isolation: 'process', model: 'adas-ttc@1.0.0' });
  });

  it('restarts the whole group after a crash in one member while the safety domain keeps answering', async () => {
    const p = await openAll();
    const before = healthOf(p, 'body').pid;
    p.inject('cockpit', 'crash');
    const inFlight = p.run('body', { x: Float32Array.from(rows.body) }).catch((e: unknown) => e);
    await until('the group to go down', () => healthOf(p, 'body').state !== 'ready');
    const err = await inFlight;
    // A call caught in the crash names its own domain, and the process that failed.
    expect(err).toMatchObject({ code: 'WORKER_CRASHED', domain: 'body', message: expect.stringMatching(/^body: comfort: worker exited \(code 70\)/) as unknown });
    const t0 = performance.now();
    await expectAnswers(p, 'adas', m.adas);
    expect(performance.now() - t0).toBeLessThan(150);
    await until('the group to be back', () => ['body', 'cockpit', 'powertrain'].every((d) => healthOf(p, d).state === 'ready'));
    for (const d of ['body', 'cockpit', 'powertrain'] as const) {
      expect(healthOf(p, d).restarts).toBe(1);
      await expectAnswers(p, d, m[d]);
    }
    expect(healthOf(p, 'body').pid).not.toBe(before);
    expect(healthOf(p, 'adas').restarts).toBe(0);
  });

  it('swaps one member under load without losing a call, moving the group to a new process', async () => {
    const p = await openAll();
    const oldPid = healthOf(p, 'cockpit').pid;
    let running = true;
    let calls = 0;
    const failures: unknown[] = [];
    const loop = (async () => {
      while (running) {
        calls++;
        await expectAnswers(p, 'cockpit', m.cockpit).catch((e: unknown) => failures.push(e));
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await p.swap('body', 'body-hvac@2.0.0', { isolation: 'shared', group: 'comfort' });
    running = false;
    await loop;
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(3);
    await expectAnswers(p, 'body', m.body2);
    expect(healthOf(p, 'body')).toMatchObject({ model: 'body-hvac@2.0.0', isolation: 'shared' });
    expect(healthOf(p, 'cockpit').pid).not.toBe(oldPid);
    await until('the old process to be reaped', () => oldPid === undefined || !existsSync(`/proc/${oldPid}`));
  });

  it('closes one member while the others keep answering', async () => {
    const p = await openAll();
    await p.closeDomain('powertrain');
    await expect(p.run('powertrain', { x: Float32Array.from(rows.powertrain) })).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await expectAnswers(p, 'body', m.body);
    await expectAnswers(p, 'cockpit', m.cockpit);
    expect(p.health().map((h) => h.domain).sort()).toEqual(['adas', 'body', 'cockpit']);
  });

  it('keeps the group serving in its process when a model fails to join it', async () => {
    const p = await openAll();
    const pid = healthOf(p, 'body').pid;
    await expect(p.open('chassis', 'adas-ttc', { isolation: 'shared', group: 'comfort' })).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
    expect(healthOf(p, 'body').pid).toBe(pid);
    await expectAnswers(p, 'body', m.body);
    expect(p.health().map((h) => h.domain).sort()).toEqual(['adas', 'body', 'cockpit', 'powertrain']);
  });

  it('opens a whole group in one process start, or none of it when a member is refused', async () => {
    const p = await InferencePool.create({ registry, workerEntry: entry });
    pool = p;
    await expect(
      p.openGroup('safety', [
        { domain: 'adas', model: 'adas-ttc' },
        { domain: 'chassis', model: 'adas-ttc' },
      ]),
    ).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
    expect(p.health()).toEqual([]);
    await p.openGroup('safety', [
      { domain: 'adas', model: 'adas-ttc' },
      { domain: 'powertrain', model: 'pt-misfire' },
    ]);
    expect(healthOf(p, 'adas')).toMatchObject({ isolation: 'shared', restarts: 0, state: 'ready' });
    expect(healthOf(p, 'powertrain').pid).toBe(healthOf(p, 'adas').pid);
    await expectAnswers(p, 'adas', m.adas);
    await expectAnswers(p, 'powertrain', m.powertrain);
  });

  it('refuses a swap that would move a domain out of its shared process', async () => {
    const p = await openAll();
    await expect(p.swap('body', 'body-hvac@2.0.0', { isolation: 'process' })).rejects.toMatchObject({ code: 'MODEL_LOAD', message: expect.stringMatching(/close and open it/) as unknown });
    await expectAnswers(p, 'body', m.body);
  });
});
