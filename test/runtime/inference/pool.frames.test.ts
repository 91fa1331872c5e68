/**
 * A worker's channel (the frame pipe of a process, the message port of a thread) under real traffic: feeds far larger than one socket read, and
 * many calls in flight at once, each answered with its own result; with both sides sleeping between
 * frames, and with both sides polling the pipe for a while (spinUs), where bytes are read behind
 * libuv's back and must still arrive whole and in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferencePool, ModelRegistry } from '../../../runtime/inference/index.js';
import { mlpForward, writeModel, type FixtureModel } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-frames-'));
const WIDE = 16_384;
let wide: FixtureModel;
let small: FixtureModel;
let registry: ModelRegistry;

beforeAll(async () => {
  wide = writeModel(root, { name: 'cockpit-wide', domain: 'cockpit', sizes: [WIDE, 2, 2], seed: 21 });
  small = writeModel(root, { name: 'body-small', domain: 'body', sizes: [3, 5, 2], seed: 22 });
  registry = await ModelRegistry.create({ roots: [root] });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function close(got: ArrayLike<number>, want: readonly number[], digits: number): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
}

describe.each([
  ['process', 0],
  ['process', 300],
  ['thread', 300],
] as const)('the channel of a %s worker, spinning %i µs', (isolation, spinUs) => {
  let pool: InferencePool;
  beforeAll(async () => {
    pool = await InferencePool.create({ registry, workerEntry: compiledWorkerEntry(), spinUs });
    await pool.open('cockpit', 'cockpit-wide', { isolation });
    await pool.open('body', 'body-small', { isolation });
  });
  afterAll(() => pool.close());

  it('carries a 256 KB batch, split over many socket reads, intact', async () => {
    const rowsN = 4;
    const data = Float32Array.from({ length: rowsN * WIDE }, (_, i) => Math.sin(i * 0.37) * 0.01);
    const out = await pool.run('cockpit', { x: { data, dims: [rowsN, WIDE] } });
    expect(out['y']?.dims).toEqual([rowsN, 2]);
    const want = Array.from({ length: rowsN }, (_, r) => mlpForward(wide.layers, Array.from(data.subarray(r * WIDE, (r + 1) * WIDE)))).flat();
    close(out['y']?.data as Float32Array, want, 3);
  });

  it('answers two hundred concurrent calls, each with the result of its own input', async () => {
    const inputs = Array.from({ length: 200 }, (_, k) => [k / 50, -k / 80, Math.cos(k)]);
    const outs = await Promise.all(inputs.map((x) => pool.run('body', { x: Float32Array.from(x) })));
    outs.forEach((o, k) => close(o['y']?.data as Float32Array, mlpForward(small.layers, inputs[k] ?? []), 4));
  });

  it('answers three hundred calls made one after another, each with its own result', async () => {
    for (let k = 0; k < 300; k++) {
      const x = [Math.sin(k), k / 300, -1];
      const o = await pool.run('body', { x: Float32Array.from(x) });
      close(o['y']?.data as Float32Array, mlpForward(small.layers, x), 4);
    }
  });

  it('gives each caller an array that owns its bytes', async () => {
    const a = await pool.run('body', { x: Float32Array.from([1, 2, 3]) });
    const y = a['y']?.data as Float32Array;
    expect(y.byteOffset).toBe(0);
    expect(y.buffer.byteLength).toBe(y.byteLength);
  });
});
