import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../runtime/config.js';
import { loadLabels } from '../../../runtime/engine/labels.js';
import { runReplaySession } from '../../../runtime/compose/replay-session.js';
import { withoutWall } from '../../../runtime/engine/summary.js';
import type { CanFrame } from '../../../bus/frame.js';
import { InferencePool, inProcessInference } from '../../../runtime/inference/index.js';
import { compiledWorkerEntry } from '../inference/worker-build.js';
import { testDomain, writeEngineFixture, type EngineFixture, TEST_VEHICLE_SIGNALS } from '../engine/fixture.js';
import { DOMAIN_LIST } from '../../../domains/index.js';

describe('replay through the engine with a real ONNX model', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await writeEngineFixture(mkdtempSync(path.join(tmpdir(), 'ecu-ai-engine-')), 10);
  });

  const run = async (extra: Partial<Parameters<typeof runReplaySession>[0]> = {}) =>
    runReplaySession({
      config: parseConfig({ platform: { sensors: 'model' } }, DOMAIN_LIST),
      domains: [testDomain],
      tracePath: fx.tracePath,
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: fx.modelsDir,
      labels: await loadLabels(fx.labelsPath),
      // The engine's behaviour, not the workers': the model runs in this thread.
      inference: inProcessInference,
      ...extra,
    });

  it('runs the service at its rate, serves it with the model and encodes its result onto the bus', async () => {
    const outputs: CanFrame[] = [];
    const s = await run({ onOutput: (f) => outputs.push(f) });
    const adas = s.domains['adas']!;
    // 20 Hz over a 9.99 s trace: releases at 0, 0.05, ..., 9.95.
    expect(adas.inferences).toBe(200);
    expect(adas.deadline_misses).toBe(0);
    expect(adas.variants.fp32).toBe(200);
    expect(adas.faults).toBe(0);
    expect(outputs).toHaveLength(200);
    expect(outputs.every((f) => f.id === 512)).toBe(true);
    expect(s.outputs).toEqual({ TestResult: 200 });
    expect(s.trace.frames).toBe(1000);
    expect(adas.metrics?.['samples']).toBe(200);
    expect(s.signals.routed).toBe(1000);
  });

  it("passes results through the domain's stabilizer in release order before they are scored and sent", async () => {
    const seen: number[] = [];
    const stabilized = {
      ...testDomain,
      createStabilizer: () => ({
        next(t: number, r: { score: number; served: 'model' | 'fallback' }) {
          seen.push(t);
          // Marks every result so the encoded frame shows the filter's answer, not the raw one.
          return { ...r, served: 'fallback' as const };
        },
      }),
    };
    const outputs: CanFrame[] = [];
    const s = await run({ domains: [stabilized], onOutput: (f) => outputs.push(f) });
    expect(seen).toHaveLength(200);
    expect(seen.every((t, k) => k === 0 || t > (seen[k - 1] as number))).toBe(true);
    // The model served every call, but the frames carry the filter's answer: Served (byte 2) = 2.
    expect(s.domains['adas']?.variants.fp32).toBe(200);
    expect(outputs).toHaveLength(200);
    expect(outputs.every((f) => f.data[2] === 2)).toBe(true);
  });

  it('gives byte-identical summaries on two replays of the same trace', async () => {
    const a = await run();
    const b = await run();
    expect(JSON.stringify(withoutWall(a))).toBe(JSON.stringify(withoutWall(b)));
    expect(a.wall.elapsed_s).toBeGreaterThan(0);
  });

  it('gives the same summary and output frames in process as on the worker pool', async () => {
    const frames = { inProcess: [] as string[], pool: [] as string[] };
    const inProcess = await run({ onOutput: (f) => frames.inProcess.push(Buffer.from(f.data).toString('hex')) });
    const pool = await run({
      inference: (registry) => InferencePool.create({ registry, workerEntry: compiledWorkerEntry() }),
      onOutput: (f) => frames.pool.push(Buffer.from(f.data).toString('hex')),
    });
    expect(pool.domains['adas']?.variants.fp32).toBe(200);
    expect(JSON.stringify(withoutWall(inProcess))).toBe(JSON.stringify(withoutWall(pool)));
    expect(frames.inProcess).toEqual(frames.pool);
  });

  it('answers with the rule-based fallback while the domain worker is down', async () => {
    let injected = false;
    let pool: InferencePool | undefined;
    const s = await run({
      // A crashed worker needs real workers.
      inference: async (registry) => (pool = await InferencePool.create({ registry, workerEntry: compiledWorkerEntry(), faultInjection: true })),
      onPoolReady: () => {
        pool?.inject('adas', 'crash');
        injected = true;
      },
    });
    expect(injected).toBe(true);
    const adas = s.domains['adas']!;
    expect(adas.inferences).toBe(200);
    expect(adas.variants.fallback).toBeGreaterThan(0);
    expect(adas.faults).toBe(adas.variants.fallback);
  });
});

describe('model boundary checks at start', () => {
  it('refuses a model whose input width is not the domain feature size, naming both', async () => {
    const { modelInfo } = await import('../../../runtime/engine/domain-models.js');
    const manifest = {
      name: 'm',
      version: '1.0.0',
      domain: 'adas',
      inputs: [{ name: 'features', dtype: 'float32' as const, shape: [1, 12] }],
      outputs: [{ name: 'y', dtype: 'float32' as const, shape: [1, 2] }],
      variants: { fp32: { file: 'a.onnx', sha256: 'a'.repeat(64), cost_ms: { p50: 0.1, p99: 0.2 } } },
    };
    expect(() => modelInfo(manifest, 8)).toThrow(/takes 12 features, the domain adas builds 8/);
    expect(modelInfo(manifest, 12).costMs).toEqual({ fp32: 0.2 });
  });
});
