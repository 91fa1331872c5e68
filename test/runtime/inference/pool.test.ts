import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceError, ModelLoadError } from '../../../runtime/errors.js';
import { InferencePool, ModelRegistry } from '../../../runtime/inference/index.js';
import { mlpForward, writeModel, type FixtureModel } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-pool-'));
let entry: string;
let adas: FixtureModel;
let adas2: FixtureModel;
let registry: ModelRegistry;

beforeAll(async () => {
  entry = compiledWorkerEntry();
  adas = writeModel(root, { name: 'adas-ttc', domain: 'adas', sizes: [6, 16, 3], seed: 5, int8: true });
  adas2 = writeModel(root, { name: 'adas-ttc', version: '1.1.0', domain: 'adas', sizes: [6, 16, 3], seed: 6 });
  writeModel(root, { name: 'body-hvac', domain: 'body', sizes: [3, 4, 1], seed: 8 });
  registry = await ModelRegistry.create({ roots: [root] });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const row = [0.5, -1, 2, 0.25, -0.75, 1.5];

for (const isolation of ['process', 'thread'] as const) {
  describe(`InferencePool with ${isolation} isolation`, () => {
    let pool: InferencePool;
    beforeAll(async () => {
      pool = await InferencePool.create({ registry, workerEntry: entry });
      await pool.open('adas', 'adas-ttc@1.0.0', { isolation });
    });
    afterAll(async () => pool.close());

    it('answers like a hand computation of the model, for a batch of two', async () => {
      const out = await pool.run('adas', { x: { data: Float32Array.from([...row, ...row.map((v) => -v)]), dims: [2, 6] } });
      expect(out['y']?.dims).toEqual([2, 3]);
      const want = [...mlpForward(adas.layers, row), ...mlpForward(adas.layers, row.map((v) => -v))];
      Array.from(out['y']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 4));
    });

    it('infers the batch dimension of a bare array from the manifest', async () => {
      const out = await pool.run('adas', { x: Float32Array.from(row) });
      expect(out['y']?.dims).toEqual([1, 3]);
    });

    it('runs the int8 variant when asked, which answers differently', async () => {
      const a = await pool.run('adas', { x: Float32Array.from(row) }, { variant: 'fp32' });
      const b = await pool.run('adas', { x: Float32Array.from(row) }, { variant: 'int8' });
      expect(Array.from(b['y']?.data as Float32Array)).not.toEqual(Array.from(a['y']?.data as Float32Array));
    });

    it('rejects a feed of the wrong shape with INFERENCE_INPUT naming input and shapes', async () => {
      const err = await pool.run('adas', { x: { data: new Float32Array(3), dims: [1, 3] } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InferenceError);
      expect((err as InferenceError).code).toBe('INFERENCE_INPUT');
      expect((err as InferenceError).message).toBe('adas: input "x" shape [1,3] expected [-1,6]');
    });

    it('rejects NaN, the wrong dtype and a missing input before they reach the worker', async () => {
      const nan = Float32Array.from(row);
      nan[4] = NaN;
      await expect(pool.run('adas', { x: nan })).rejects.toThrow('adas: input "x" has NaN at index 4');
      await expect(pool.run('adas', { x: new Int8Array(6) })).rejects.toThrow('input "x" dtype int8 expected float32');
      await expect(pool.run('adas', {})).rejects.toThrow('input "x" is missing');
      await expect(pool.run('adas', { x: Float32Array.from(row), z: new Float32Array(1) })).rejects.toThrow('input "z" is not an input');
    });

    it('reports the domain ready with its model and no restarts', () => {
      expect(pool.health()).toEqual([
        expect.objectContaining({ domain: 'adas', state: 'ready', isolation, model: 'adas-ttc@1.0.0', restarts: 0, inFlight: 0, lastError: undefined }),
      ]);
    });
  });
}

describe('InferencePool.open', () => {
  it('refuses a model whose manifest names another domain', async () => {
    const pool = await InferencePool.create({ registry, workerEntry: entry });
    try {
      const err = await pool.open('chassis', 'body-hvac').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelLoadError);
      expect((err as ModelLoadError).code).toBe('MODEL_MISMATCH');
      expect(pool.health()).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('fails fast for a domain that was never opened', async () => {
    const pool = await InferencePool.create({ registry, workerEntry: entry });
    await expect(pool.run('cockpit', { x: new Float32Array(1) })).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await pool.close();
  });

  it('refuses to start without a built worker entry', async () => {
    await expect(InferencePool.create({ registry, workerEntry: path.join(root, 'nope.js') })).rejects.toThrow(/does not exist; run `npm run build`/);
  });
});

describe('InferencePool.swap', () => {
  it('switches to the new model while the old one keeps answering', async () => {
    const pool = await InferencePool.create({ registry, workerEntry: entry });
    try {
      await pool.open('adas', 'adas-ttc@1.0.0');
      const before = await pool.run('adas', { x: Float32Array.from(row) });
      await pool.swap('adas', 'adas-ttc@1.1.0');
      const after = await pool.run('adas', { x: Float32Array.from(row) });
      const want = mlpForward(adas2.layers, row);
      Array.from(after['y']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 4));
      expect(Array.from(after['y']?.data as Float32Array)).not.toEqual(Array.from(before['y']?.data as Float32Array));
      expect(pool.health()[0]).toMatchObject({ model: 'adas-ttc@1.1.0', state: 'ready' });
    } finally {
      await pool.close();
    }
  });
});
