/**
 * Freedom from interference, by fault injection: a crash, an abort, a hang and a memory blow-up in
 * one domain's worker are detected and restarted with backoff, calls fail fast meanwhile, and a second
 * domain keeps answering on time throughout.
 */
import { until } from '../../helpers/wait.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InferenceError } from '../../../runtime/errors.js';
import { InferencePool, ModelRegistry, type FaultKind, type Isolation } from '../../../runtime/inference/index.js';
import { keepCalling, writeModel, healthOf } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-sup-'));
let entry: string;
let registry: ModelRegistry;
let pool: InferencePool | undefined;

beforeAll(async () => {
  entry = compiledWorkerEntry();
  writeModel(root, { name: 'adas-ttc', domain: 'adas', sizes: [6, 16, 3] });
  writeModel(root, { name: 'body-hvac', domain: 'body', sizes: [3, 4, 1] });
  registry = await ModelRegistry.create({ roots: [root] });
});
afterEach(async () => pool?.close());
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BACKOFF = { initialMs: 50, maxMs: 1_000, factor: 2 };
/** Generous for a shared 2-core machine, yet far below a restart (hundreds of ms). */
const ON_TIME_MS = 150;

async function openTwo(isolation: Isolation, opts: { watchdogMs?: number; maxRssMb?: number } = {}): Promise<InferencePool> {
  const p = await InferencePool.create({ registry, workerEntry: entry, faultInjection: true, backoff: BACKOFF });
  await p.open('adas', 'adas-ttc', { isolation, rssPollMs: 25, ...opts });
  await p.open('body', 'body-hvac', { isolation });
  pool = p;
  return p;
}



const x = { x: Float32Array.from([1, 2, 3, 4, 5, 6]) };

async function faultAndRecover(p: InferencePool, kind: FaultKind, expectCode: string, expectMessage: RegExp): Promise<void> {
  const body = keepCalling(p, 'body', [1, 2, 3]);
  await p.run('adas', x);
  p.inject('adas', kind);
  // A hang is only noticed through a call outstanding past the watchdog.
  const inFlight = p.run('adas', x).catch((e: unknown) => e);
  await until('adas to leave ready', () => healthOf(p, 'adas').state !== 'ready');
  const failed = await inFlight;
  // A leaking worker still answers until it is killed; the others cannot.
  if (kind !== 'leak') expect(failed).toBeInstanceOf(InferenceError);
  // While the domain restarts, calls fail at once so the service answers with its fallback.
  if (healthOf(p, 'adas').state === 'restarting') {
    const t0 = performance.now();
    await expect(p.run('adas', x)).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    expect(performance.now() - t0).toBeLessThan(20);
  }
  await until('adas to be ready again', () => healthOf(p, 'adas').state === 'ready');
  const h = healthOf(p, 'adas');
  expect(h.restarts).toBe(1);
  expect(h.lastError?.code).toBe(expectCode);
  expect(h.lastError?.message).toMatch(expectMessage);
  expect((await p.run('adas', x))['y']?.dims).toEqual([1, 3]);
  const { latencies, errors } = await body.stop();
  expect(errors).toEqual([]);
  expect(latencies.length).toBeGreaterThan(5);
  expect(Math.max(...latencies)).toBeLessThan(ON_TIME_MS);
  expect(healthOf(p, 'body')).toMatchObject({ state: 'ready', restarts: 0 });
}

describe('the supervisor with process isolation', () => {
  it('restarts a crashed worker while another domain keeps answering on time', async () => {
    await faultAndRecover(await openTwo('process'), 'crash', 'WORKER_CRASHED', /worker exited \(code 70\)/);
  });

  it('restarts a worker killed by a native abort (SIGABRT) while another domain keeps answering', async () => {
    await faultAndRecover(await openTwo('process'), 'abort', 'WORKER_CRASHED', /signal SIGABRT/);
  });

  it('kills and restarts a hung worker when a call outlives the watchdog', async () => {
    const p = await openTwo('process', { watchdogMs: 200 });
    await faultAndRecover(p, 'hang', 'INFERENCE_TIMEOUT', /over 200 ms \(watchdog\)/);
  });

  it('sees a hang past the watchdog although every caller gives up sooner', async () => {
    const p = await openTwo('process', { watchdogMs: 200 });
    p.inject('adas', 'hang');
    // Callers with deadlines far below the watchdog, as the services make them: none waits 200 ms.
    for (let k = 0; k < 3; k++) await expect(p.run('adas', x, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'INFERENCE_TIMEOUT' });
    await until('the watchdog to restart adas', () => healthOf(p, 'adas').restarts === 1);
    expect(healthOf(p, 'adas').lastError?.message).toMatch(/over 200 ms \(watchdog\)/);
    await until('adas to be ready again', () => healthOf(p, 'adas').state === 'ready');
    expect((await p.run('adas', x))['y']?.dims).toEqual([1, 3]);
  });

  it('kills and restarts a worker whose RSS grows past its limit', async () => {
    const p = await openTwo('process', { maxRssMb: 300 });
    await faultAndRecover(p, 'leak', 'WORKER_CRASHED', /RSS \d+ MB over the limit of 300 MB/);
  });

  it('kills and restarts a worker that sends a malformed frame', async () => {
    await faultAndRecover(await openTwo('process'), 'garble', 'WORKER_CRASHED', /^adas: malformed frame at byte 8: tensor 0 header runs past the end/);
  });

  it('backs off exponentially when a worker keeps crashing', async () => {
    const p = await openTwo('process');
    const waits: (number | undefined)[] = [];
    for (let k = 0; k < 3; k++) {
      p.inject('adas', 'crash');
      await until('crash seen', () => healthOf(p, 'adas').state !== 'ready');
      waits.push(healthOf(p, 'adas').lastBackoffMs);
      await until('ready again', () => healthOf(p, 'adas').state === 'ready');
    }
    expect(healthOf(p, 'adas').restarts).toBe(3);
    // Each crash before the worker counts as stable doubles the wait (the wall time of a restart
    // is start-up noise on a loaded machine; the supervisor's own record is what can be asserted).
    const first = waits[0]!;
    expect(first).toBeGreaterThan(0);
    expect(waits).toEqual([first, first * 2, first * 4]);
  });


  it('ignores fault injection unless the pool allows it', async () => {
    const p = await InferencePool.create({ registry, workerEntry: entry });
    pool = p;
    await p.open('adas', 'adas-ttc');
    expect(() => p.inject('adas', 'crash')).toThrow(/fault injection is disabled/);
  });
});

describe('the supervisor with thread isolation', () => {
  it('restarts a crashed worker thread while another domain keeps answering on time', async () => {
    await faultAndRecover(await openTwo('thread'), 'crash', 'WORKER_CRASHED', /worker exited \(code 70\)/);
  });

  it('terminates and restarts a hung worker thread', async () => {
    await faultAndRecover(await openTwo('thread', { watchdogMs: 200 }), 'hang', 'INFERENCE_TIMEOUT', /watchdog/);
  });
});
