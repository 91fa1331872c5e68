import { describe, expect, it } from 'vitest';
import { buildMlp } from '../../../models/build/onnx/index.js';
import { ModelLoadError } from '../../../runtime/errors.js';
import type { TensorSpec } from '../../../runtime/inference/manifest.js';
import { OnnxSession } from '../../../runtime/inference/session.js';
import { mlpForward } from './fixtures.js';

const built = buildMlp({ sizes: [3, 5, 2], seed: 12 });
const inputs: TensorSpec[] = [{ name: 'x', dtype: 'float32', shape: [-1, 3] }];
const outputs: TensorSpec[] = [{ name: 'y', dtype: 'float32', shape: [-1, 2] }];

describe('OnnxSession', () => {
  it('loads, warms up and answers like the hand computation', async () => {
    const s = await OnnxSession.create(built.bytes, { domain: 'body', label: 'm@1.0.0#fp32', inputs, outputs, warmupRuns: 2 });
    try {
      expect(s.inputNames).toEqual(['x']);
      const out = await s.run({ x: Float32Array.from([1, -2, 0.5]) });
      const want = mlpForward(built.layers, [1, -2, 0.5]);
      Array.from(out['y']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 5));
    } finally {
      await s.release();
    }
  });

  it("refuses a manifest whose outputs differ from the session's with MODEL_MISMATCH", async () => {
    const wrong: TensorSpec[] = [{ name: 'logits', dtype: 'float32', shape: [-1, 2] }];
    const err = await OnnxSession.create(built.bytes, { domain: 'body', label: 'm@1.0.0#fp32', inputs, outputs: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).message).toMatch(/m@1\.0\.0#fp32: outputs\[0\]\.name: "logits" is not among the model's outputs \(y\)/);
  });

  it('rejects an infinite feed with INFERENCE_INPUT naming the index', async () => {
    const s = await OnnxSession.create(built.bytes, { domain: 'body', label: 'm', inputs, outputs });
    try {
      await expect(s.run({ x: Float32Array.from([1, Infinity, 0]) })).rejects.toMatchObject({ code: 'INFERENCE_INPUT', message: 'body: input "x" has Infinity at index 1' });
    } finally {
      await s.release();
    }
  });
});
