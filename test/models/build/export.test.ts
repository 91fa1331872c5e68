import { describe, expect, it } from 'vitest';
import { exportFp32, foldStandardisation, runGraphJs, type GraphSpec } from '../../../models/build/export.js';
import { trainMlp, type Loss } from '../../../models/build/mlp-trainer.js';
import { openVectorSession } from '../../../models/build/ort.js';
import { Prng } from '../../../models/build/prng.js';
import { calibrate, exportInt8 } from '../../../models/build/quantize.js';
import { readFp32Mlp } from '../../../models/build/read-fp32.js';

function randomRows(n: number, width: number, seed: number): Float32Array[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: width }, () => rng.next() * 6 - 3));
}

/** A quickly trained network on a synthetic target, with non-trivial standardisation (offset and scaled inputs). */
function model(inputs: number, outputs: number, loss: Loss) {
  const rows = 200;
  const rng = new Prng(9);
  const x = new Float32Array(rows * inputs).map(() => rng.next() * 20 + 5);
  const y = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) y[r * outputs + (r % outputs)] = 1;
  return trainMlp({ x, y, rows }, { sizes: [inputs, 8, 6, outputs], loss, epochs: 3, seed: 4 });
}

const cases: { name: string; spec: GraphSpec; inputs: number; outputs: number; loss: Loss }[] = [
  { name: 'a softmax classifier', spec: { graphName: 'c', inputName: 'features', outputName: 'output', featureSize: 5 }, inputs: 5, outputs: 3, loss: 'softmax' },
  { name: 'a sigmoid head with pass-through features', spec: { graphName: 'a', inputName: 'features', outputName: 'output', featureSize: 6, modelFeatures: 4, auxFeatures: 2 }, inputs: 4, outputs: 1, loss: 'sigmoid' },
  { name: 'a shared per-row network', spec: { graphName: 'p', inputName: 'features', outputName: 'output', featureSize: 12, perRow: { rows: 4, width: 3 } }, inputs: 3, outputs: 1, loss: 'sigmoid' },
  { name: 'a regression', spec: { graphName: 'r', inputName: 'features', outputName: 'output', featureSize: 4 }, inputs: 4, outputs: 2, loss: 'mse' },
  {
    name: 'a regression with a residual baseline from one feature',
    spec: { graphName: 'b', inputName: 'features', outputName: 'output', featureSize: 4, residual: { output: 1, feature: 2, scale: 2, offset: -1 } },
    inputs: 4,
    outputs: 2,
    loss: 'mse',
  },
];

describe('ONNX export', () => {
  for (const c of cases) {
    it(`runs ${c.name} in onnxruntime as the JS reference computes it, fp32 exactly and int8 closely`, async () => {
      const mlp = model(c.inputs, c.outputs, c.loss);
      const layers = foldStandardisation(mlp);
      const rows = randomRows(50, c.spec.featureSize, 1).map((r) => r.map((v) => v * 3 + 15));
      const fp32 = await openVectorSession(exportFp32(c.spec, mlp), c.spec.featureSize);
      const int8 = await openVectorSession(exportInt8(c.spec, mlp, calibrate(c.spec, mlp, rows)), c.spec.featureSize);
      let maxInt8 = 0;
      let scale = 0;
      for (const x of rows) {
        const want = runGraphJs(c.spec, mlp, layers, x);
        const got = await fp32.run(x);
        const q = await int8.run(x);
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          expect(got[i]).toBeCloseTo(want[i] as number, 4);
          maxInt8 = Math.max(maxInt8, Math.abs((q[i] as number) - (want[i] as number)));
          scale = Math.max(scale, Math.abs(want[i] as number));
        }
        if (c.spec.auxFeatures) expect(Array.from(got.slice(-2))).toEqual(Array.from(x.slice(4, 6)));
      }
      // Int8 error stays a small share of the outputs' range (probabilities: a few points).
      expect(maxInt8).toBeLessThan(0.08 * Math.max(1, scale));
      await fp32.release();
      await int8.release();
    });
  }

  it('reads back the folded layers of an exported fp32 model', () => {
    const mlp = model(5, 3, 'softmax');
    const back = readFp32Mlp(exportFp32(cases[0]!.spec, mlp), 'test.onnx');
    const folded = foldStandardisation(mlp);
    expect(back.sizes).toEqual(mlp.sizes);
    expect(back.loss).toBe('softmax');
    back.layers.forEach((L, i) => expect(Array.from(L.weight)).toEqual(Array.from(folded[i]!.weight)));
  });
});
