import { describe, expect, it } from 'vitest';
import { predictMlp, trainMlp, type TrainData } from '../../../models/build/mlp-trainer.js';
import { Prng } from '../../../models/build/prng.js';

/** Two classes split by the circle x² + y² = 1 (not linearly separable), plus a useless feature. */
function circles(rows: number, seed: number): TrainData {
  const rng = new Prng(seed);
  const x = new Float32Array(rows * 3);
  const y = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const a = rng.next() * 4 - 2;
    const b = rng.next() * 4 - 2;
    x.set([a, b, rng.next()], r * 3);
    y[r * 2 + (a * a + b * b < 1 ? 1 : 0)] = 1;
  }
  return { x, y, rows };
}

describe('MLP trainer', () => {
  it('gives bit-identical weights for the same seed and different ones for another seed', () => {
    const data = circles(300, 1);
    const spec = { sizes: [3, 8, 2], loss: 'softmax' as const, epochs: 3, seed: 42 };
    const a = trainMlp(data, spec);
    const b = trainMlp(data, spec);
    const c = trainMlp(data, { ...spec, seed: 43 });
    a.layers.forEach((L, i) => {
      expect(Buffer.from(L.weight.buffer).equals(Buffer.from((b.layers[i]?.weight as Float32Array).buffer))).toBe(true);
      expect(Buffer.from(L.bias.buffer).equals(Buffer.from((b.layers[i]?.bias as Float32Array).buffer))).toBe(true);
    });
    expect(Buffer.from(a.layers[0]?.weight.buffer as ArrayBuffer).equals(Buffer.from(c.layers[0]?.weight.buffer as ArrayBuffer))).toBe(false);
  });

  it('learns a non-linear two-class problem to high held-out accuracy with softmax', () => {
    const model = trainMlp(circles(2000, 2), { sizes: [3, 16, 8, 2], loss: 'softmax', epochs: 60, seed: 1, learningRate: 0.01 });
    const test = circles(500, 99);
    let hits = 0;
    for (let r = 0; r < test.rows; r++) {
      const p = predictMlp(model, test.x.subarray(r * 3, r * 3 + 3));
      const predicted = (p[1] as number) > (p[0] as number) ? 1 : 0;
      if (test.y[r * 2 + predicted] === 1) hits++;
    }
    expect(hits / test.rows).toBeGreaterThan(0.93);
  });

  it('fits a linear target with MSE and a binary one with sigmoid', () => {
    const rng = new Prng(5);
    const rows = 800;
    const x = new Float32Array(rows * 2);
    const y = new Float32Array(rows);
    const yb = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const a = rng.next() * 10;
      const b = rng.next();
      x.set([a, b], r * 2);
      y[r] = 0.3 * a - 2 * b + 1;
      yb[r] = a > 5 ? 1 : 0;
    }
    const reg = trainMlp({ x, y, rows }, { sizes: [2, 8, 1], loss: 'mse', epochs: 80, seed: 3, learningRate: 0.01 });
    const bin = trainMlp({ x, y: yb, rows }, { sizes: [2, 8, 1], loss: 'sigmoid', epochs: 40, seed: 3, learningRate: 0.01 });
    const probe = Float32Array.of(4, 0.5);
    expect(predictMlp(reg, probe)[0]).toBeCloseTo(0.3 * 4 - 1 + 1, 0);
    expect(predictMlp(bin, Float32Array.of(8, 0.5))[0]).toBeGreaterThan(0.9);
    expect(predictMlp(bin, Float32Array.of(2, 0.5))[0]).toBeLessThan(0.1);
  });

  it('weights samples: a heavily weighted minority class wins its overlap', () => {
    // Identical inputs with both labels; the weight decides which the model predicts.
    const rows = 200;
    const x = new Float32Array(rows).fill(1);
    const y = new Float32Array(rows * 2);
    const weight = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const minority = r % 4 === 0;
      y[r * 2 + (minority ? 1 : 0)] = 1;
      weight[r] = minority ? 10 : 1;
    }
    const m = trainMlp({ x, y, rows, weight }, { sizes: [1, 4, 2], loss: 'softmax', epochs: 50, seed: 1, learningRate: 0.02 });
    const p = predictMlp(m, Float32Array.of(1));
    expect(p[1]).toBeGreaterThan(p[0] as number);
  });

  it('rejects data that does not fit the sizes', () => {
    expect(() => trainMlp({ x: new Float32Array(5), y: new Float32Array(2), rows: 2 }, { sizes: [3, 2], loss: 'mse', epochs: 1, seed: 1 })).toThrow(RangeError);
    expect(() => trainMlp({ x: new Float32Array(0), y: new Float32Array(0), rows: 0 }, { sizes: [3, 2], loss: 'mse', epochs: 1, seed: 1 })).toThrow(/no training rows/);
  });
});
