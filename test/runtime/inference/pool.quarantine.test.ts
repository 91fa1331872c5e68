/**
 * A shared process whose member's call crashes or hangs it: the member is moved out to a process of
 * its own and the others restart together without it, so that it cannot take them down again. Calls
 * fail fast meanwhile (the services answer with their fallbacks), a domain outside the group keeps its
 * deadlines throughout, and a fault that cannot be traced to one call restarts the group as one.
 */
import { until } from '../../helpers/wait.js';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InferencePool, ModelRegistry, type FaultKind } from '../../../runtime/inference/index.js';
import { keepCalling, mlpForward, writeModel, type FixtureModel, healthOf } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-quarantine-'));
let entry: string;
let registry: ModelRegistry;
let m: Record<Domain, FixtureModel> & { adas2: FixtureModel };
let pool: InferencePool | undefined;

const rows = { adas: [1, 2, 3, 4, 5, 6], chassis: [0.5, -1, 2, 0], powertrain: [0.1, 0.2, 0.3, -0.4, 5], body: [0.2, -1, 3] } as const;
type Domain = keyof typeof rows;
const GROUP = ['adas', 'chassis', 'powertrain'] as const;
/** Generous for a shared 2-core machine, yet far below a restart (hundreds of ms). */
const ON_TIME_MS = 150;

beforeAll(async () => {
  entry = compiledWorkerEntry();
  m = {
    adas: writeModel(root, { name: 'adas-ttc', domain: 'adas', sizes: [6, 8, 3], seed: 21 }),
    adas2: writeModel(root, { name: 'adas-ttc', version: '2.0.0', domain: 'adas', sizes: [6, 8, 3], seed: 22 }),
    chassis: writeModel(root, { name: 'chassis-mu', domain: 'chassis', sizes: [4, 8, 1], seed: 23 }),
    powertrain: writeModel(root, { name: 'pt-cells', domain: 'powertrain', sizes: [5, 8, 2], seed: 24 }),
    body: writeModel(root, { name: 'body-hvac', domain: 'body', sizes: [3, 4, 1], seed: 25 }),
  };
  registry = await ModelRegistry.create({ roots: [root] });
});
afterEach(async () => pool?.close());
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Three domains in one `safety` process, body in a process of its own. */
async function openGroup(opts: { watchdogMs?: number; maxRssMb?: number } = {}): Promise<InferencePool> {
  const p = await InferencePool.create({ registry, workerEntry: entry, faultInjection: true, backoff: { initialMs: 50, maxMs: 500, factor: 2 } });
  pool = p;
  await p.open('body', 'body-hvac');
  for (const [d, name] of [['adas', 'adas-ttc@1.0.0'], ['chassis', 'chassis-mu'], ['powertrain', 'pt-cells']] as const) {
    await p.open(d, name, { isolation: 'shared', group: 'safety', rssPollMs: 25, ...opts });
  }
  return p;
}

const feeds = (d: Domain): { x: Float32Array } => ({ x: Float32Array.from(rows[d]) });

async function expectAnswers(p: InferencePool, d: Domain, model: FixtureModel = m[d]): Promise<void> {
  const out = await p.run(d, feeds(d));
  const want = mlpForward(model.layers, [...rows[d]]);
  Array.from(out['y']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 4));
}

const allReady = (p: InferencePool): boolean => GROUP.every((d) => healthOf(p, d).state === 'ready');

/** Arms a fault on adas's next run, makes that run, and checks the split that follows. */
async function faultInAdasCall(p: InferencePool, kind: FaultKind, timeoutMs?: number): Promise<{ code: string; message: string }> {
  const groupPid = healthOf(p, 'chassis').pid;
  const body = keepCalling(p, 'body', rows.body);
  p.inject('adas', kind, { onRun: true });
  const failed = (await p.run('adas', feeds('adas'), timeoutMs === undefined ? {} : { timeoutMs }).catch((e: unknown) => e)) as { code: string };
  expect(failed).toMatchObject({ domain: 'adas' });
  // Until the watchdog fires a hung process still looks ready, so wait for the split itself.
  await until('the group to go down', () => healthOf(p, 'chassis').state !== 'ready' || healthOf(p, 'chassis').pid !== groupPid);
  if (healthOf(p, 'chassis').state !== 'ready') {
    // Innocent members fail fast while they restart, so their services answer with their fallbacks.
    const t0 = performance.now();
    await expect(p.run('chassis', feeds('chassis'))).rejects.toMatchObject({ code: 'WORKER_CRASHED', domain: 'chassis' });
    expect(performance.now() - t0).toBeLessThan(20);
  }
  await until('every member to be back', () => allReady(p));
  for (const d of GROUP) await expectAnswers(p, d);
  const { latencies, errors } = await body.stop();
  expect(errors).toEqual([]);
  expect(Math.max(...latencies)).toBeLessThan(ON_TIME_MS);
  expect(healthOf(p, 'body').restarts).toBe(0);
  const adas = healthOf(p, 'adas');
  expect(adas).toMatchObject({ isolation: 'process', restarts: 1 });
  expect(healthOf(p, 'chassis').pid).toBe(healthOf(p, 'powertrain').pid);
  expect([groupPid, healthOf(p, 'chassis').pid]).not.toContain(adas.pid);
  expect(healthOf(p, 'chassis').pid).not.toBe(groupPid);
  for (const d of ['chassis', 'powertrain'] as const) expect(healthOf(p, d)).toMatchObject({ isolation: 'shared', restarts: 1 });
  return adas.lastError as { code: string; message: string };
}

describe('a shared process whose member faults in its own call', () => {
  it('moves the member out after a crash; a second crash restarts that member alone', async () => {
    const p = await openGroup();
    expect(new Set(GROUP.map((d) => healthOf(p, d).pid)).size).toBe(1);
    expect((await faultInAdasCall(p, 'crash')).message).toMatch(/safety: worker exited \(code 70\)/);
    const groupPid = healthOf(p, 'chassis').pid;
    p.inject('adas', 'crash', { onRun: true });
    await expect(p.run('adas', feeds('adas'))).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await until('adas to be back', () => healthOf(p, 'adas').state === 'ready');
    expect(healthOf(p, 'adas').restarts).toBe(2);
    expect(healthOf(p, 'chassis')).toMatchObject({ pid: groupPid, restarts: 1, state: 'ready' });
    await expectAnswers(p, 'chassis');
  });

  it('blames the call the process died in, not one that arrived just before it', async () => {
    const p = await openGroup();
    p.inject('adas', 'crash', { onRun: true });
    // Both calls reach the worker together; chassis's runs and answers first, then adas's crashes.
    const answered = p.run('chassis', feeds('chassis'));
    const died = p.run('adas', feeds('adas')).catch((e: unknown) => e);
    expect((await answered)['y']?.dims).toEqual([1, 1]);
    expect(await died).toMatchObject({ code: 'WORKER_CRASHED', domain: 'adas' });
    await until('every member to be back', () => allReady(p));
    expect(healthOf(p, 'adas').isolation).toBe('process');
    expect(healthOf(p, 'chassis')).toMatchObject({ isolation: 'shared', pid: healthOf(p, 'powertrain').pid });
  });

  it('moves the member out after a native abort (SIGABRT)', async () => {
    const p = await openGroup();
    expect((await faultInAdasCall(p, 'abort')).message).toMatch(/signal SIGABRT/);
  });

  it('moves the member out after a hang, seen by the watchdog although every caller gave up sooner', async () => {
    const p = await openGroup({ watchdogMs: 250 });
    const lastError = await faultInAdasCall(p, 'hang', 30);
    expect(lastError).toMatchObject({ code: 'INFERENCE_TIMEOUT', message: expect.stringMatching(/over 250 ms \(watchdog\)/) as unknown });
  });

  it('restarts the group as one when its RSS passes the limit, which no single call explains', async () => {
    const p = await openGroup({ maxRssMb: 150 });
    const before = healthOf(p, 'adas').pid;
    p.inject('adas', 'leak');
    await until('the group to go down', () => healthOf(p, 'adas').state !== 'ready');
    await until('the group to be back', () => allReady(p));
    expect(new Set(GROUP.map((d) => healthOf(p, d).pid)).size).toBe(1);
    expect(healthOf(p, 'adas').pid).not.toBe(before);
    for (const d of GROUP) expect(healthOf(p, d)).toMatchObject({ isolation: 'shared', restarts: 1 });
    expect(healthOf(p, 'adas').lastError?.message).toMatch(/RSS \d+ MB over the limit of 450 MB/);
  });

  it('keeps a moved-out member in a process of its own across a swap', async () => {
    const p = await openGroup();
    await faultInAdasCall(p, 'crash');
    await p.swap('adas', 'adas-ttc@2.0.0');
    await expectAnswers(p, 'adas', m.adas2);
    expect(healthOf(p, 'adas')).toMatchObject({ isolation: 'process', model: 'adas-ttc@2.0.0' });
    expect(healthOf(p, 'adas').pid).not.toBe(healthOf(p, 'chassis').pid);
  });
});

describe('a shared process that cannot be split', () => {
  it('restarts whole, with backoff, when the others cannot be started apart', async () => {
    // A copy of the compiled worker that can be taken away: while it is gone no worker can start.
    const built = path.resolve(path.dirname(entry), '..', '..');
    const copy = `${built}.split-${process.pid}`;
    cpSync(built, copy, { recursive: true });
    try {
      const p = await InferencePool.create({ registry, workerEntry: path.join(copy, 'runtime', 'inference', 'worker-main.js'), faultInjection: true, backoff: { initialMs: 100, maxMs: 200, factor: 2 } });
      pool = p;
      await p.openGroup('safety', GROUP.map((d) => ({ domain: d, model: { adas: 'adas-ttc@1.0.0', chassis: 'chassis-mu', powertrain: 'pt-cells' }[d] })));
      p.inject('adas', 'crash', { onRun: true });
      renameSync(copy, `${copy}.gone`);
      await expect(p.run('adas', feeds('adas'))).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
      await until('the split to fail', () => healthOf(p, 'chassis').restarts >= 2, 10_000);
      renameSync(`${copy}.gone`, copy);
      await until('the group to be back', () => allReady(p), 10_000);
      expect(new Set(GROUP.map((d) => healthOf(p, d).pid)).size).toBe(1);
      for (const d of GROUP) expect(healthOf(p, d).isolation).toBe('shared');
      for (const d of GROUP) await expectAnswers(p, d);
    } finally {
      if (existsSync(`${copy}.gone`)) renameSync(`${copy}.gone`, copy);
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('closing a pool while a shared process splits', () => {
  it('leaves no worker process behind', async () => {
    const p = await openGroup();
    const pids = new Set(GROUP.map((d) => healthOf(p, d).pid));
    p.inject('adas', 'crash', { onRun: true });
    await p.run('adas', feeds('adas')).catch(() => undefined);
    await until('the split to begin', () => healthOf(p, 'chassis').state !== 'ready');
    await p.close();
    expect(p.health()).toEqual([]);
    // Every worker the pool started, before and during the split, has exited.
    const children = (): number[] =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(process.pid) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('worker-main');
          } catch {
            return false;
          }
        })
        .map(Number);
    await until('the workers to exit', () => children().length === 0);
    for (const pid of pids) expect(pid === undefined || !existsSync(`/proc/${pid}`)).toBe(true);
  });
});
