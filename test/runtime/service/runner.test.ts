import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFrame } from '../../../bus/frame.js';
import { compileDatabase, parseDbc } from '../../../bus/dbc/index.js';
import { RealClock } from '../../../runtime/clock.js';
import { InferencePool, ModelRegistry } from '../../../runtime/inference/index.js';
import type { Job } from '../../../runtime/scheduler/index.js';
import { DomainServiceRunner, type ServiceResult } from '../../../runtime/service/runner.js';
import { FeatureWindow, SignalCatalog, SignalRouter, SignalStore } from '../../../runtime/signals/index.js';
import { TEST_DBC, TEST_VEHICLE_SIGNALS, testDomain, writeEngineFixture, type TestResult } from '../engine/fixture.js';
import { catalogEntryOf } from '../../../runtime/engine/domain-inputs.js';
import { compiledWorkerEntry } from '../inference/worker-build.js';
import { parseConfig } from '../../../runtime/config.js';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import { resolveDomains, type ResolvedDomain } from '../../../runtime/service/resolved.js';

/** The test domain with no config of its own: its definition's timing. */
const spec = resolveDomains([testDomain as DomainDefinition], parseConfig({}, []))[0] as ResolvedDomain<TestResult>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the domain service runner', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-runner-'));
  const clock = new RealClock();
  let pool: InferencePool;
  let router: SignalRouter;
  let window: FeatureWindow;
  const results: ServiceResult<TestResult>[] = [];
  let runner: DomainServiceRunner<TestResult>;

  beforeAll(async () => {
    const fx = await writeEngineFixture(dir, 1);
    const registry = await ModelRegistry.create({ roots: [fx.modelsDir] });
    pool = await InferencePool.create({ registry, workerEntry: compiledWorkerEntry(), faultInjection: true });
    await pool.open('adas', 'test-adas');
    const catalog = new SignalCatalog([...TEST_VEHICLE_SIGNALS.values()].map(catalogEntryOf), 'test');
    const store = new SignalStore(catalog);
    router = new SignalRouter(compileDatabase(parseDbc(TEST_DBC).database), store);
    window = new FeatureWindow(store, testDomain.window);
    router.attach(window);
    runner = new DomainServiceRunner({ spec, window, inputName: 'x', outputName: 'y', model: 'test-adas', local: pool, clock, onResult: (r) => results.push(r) });
  });

  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const job = (release: number, deadlineMs: number): Job => ({ id: results.length + 1, domain: 'adas', variant: 'fp32', release, deadline: release + deadlineMs / 1000, costS: 0, onCore: true });

  it('does not ask the model on stale inputs: the fallback answers, the inputs are named invalid', async () => {
    const outcome = await runner.execute(job(clock.now(), 1000));
    expect(outcome.variant).toBe('fallback');
    const r = results.at(-1)!;
    expect(r).toMatchObject({ inputsValid: false, invalidSignals: ['Vehicle.Speed', 'Vehicle.Accel'], variant: 'fallback', result: { served: 'fallback' } });
    expect(runner.invalidInputs).toBe(1);
  });

  it('asks the model once every signal is alive at the tick', async () => {
    // The window ticks at 20 Hz: the next job must be about a tick not sampled yet.
    await sleep(60);
    const now = clock.now();
    for (let i = 10; i >= 0; i--) router.ingest(makeFrame({ timestamp: now - i * 0.01, id: 256, data: [0xe8, 0x03, 0, 0, 0, 0, 0, 0] }), now - i * 0.01);
    const outcome = await runner.execute(job(now, 1000));
    expect(outcome.variant).toBe('fp32');
    expect(results.at(-1)).toMatchObject({ inputsValid: true, variant: 'fp32' });
    expect(results.at(-1)?.invalidSignals).toBeUndefined();
    expect(runner.invalidInputs).toBe(1);
  });

  it("gives a cloud call the job's own deadline, not the domain's default one", async () => {
    const asked: number[] = [];
    const cloudRunner = new DomainServiceRunner({
      spec,
      window,
      inputName: 'x',
      outputName: 'y',
      model: 'test-adas',
      clock,
      onResult: () => undefined,
      cloud: {
        healthy: () => true,
        infer: async (_d, _m, feeds, deadlineMs) => {
          asked.push(deadlineMs);
          return { y: { data: new Float32Array(4), dims: [1, 4] } };
        },
      },
    });
    await sleep(60);
    const now = clock.now();
    for (let i = 5; i >= 0; i--) router.ingest(makeFrame({ timestamp: now - i * 0.01, id: 256, data: [0xe8, 0x03, 0, 0, 0, 0, 0, 0] }), now - i * 0.01);
    const configuredMs = testDomain.deadlineMs * 3 + 100;
    await cloudRunner.execute({ ...job(clock.now(), configuredMs), variant: 'cloud' });
    expect(asked).toHaveLength(1);
    // What is left of the configured deadline, less the fallback's reserve: near it, far from the default.
    expect(asked[0]).toBeLessThanOrEqual(configuredMs - 2);
    expect(asked[0]).toBeGreaterThan(configuredMs - 50);
  });

  it('gives up on a hung model early enough for the fallback to answer before the deadline', async () => {
    await sleep(60);
    const now = clock.now();
    for (let i = 5; i >= 0; i--) router.ingest(makeFrame({ timestamp: now - i * 0.01, id: 256, data: [0xe8, 0x03, 0, 0, 0, 0, 0, 0] }), now - i * 0.01);
    pool.inject('adas', 'hang', { onRun: true });
    // Released 15 ms ago with a 20 ms deadline: 5 ms are left, of which the fallback keeps 2.
    const started = clock.now();
    const outcome = await runner.execute(job(started - 0.015, 20));
    const tookMs = (clock.now() - started) * 1000;
    expect(outcome.variant).toBe('fallback');
    // A limit of the whole deadline (20 ms from the call) would land past it; 3 ms plus timer slack does not.
    expect(tookMs).toBeLessThan(12);
  });
});
