import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldStandardisation, runGraphJs, type GraphSpec } from '../../../models/build/export.js';
import { trainMlp } from '../../../models/build/mlp-trainer.js';
import { openVectorSession } from '../../../models/build/ort.js';
import { Prng } from '../../../models/build/prng.js';
import { activationQuant, calibrate, exportInt8, quantizeWeights, WEIGHT_QMAX } from '../../../models/build/quantize.js';

describe('int8 quantiser', () => {
  it('dequantises every weight to within half a step of its fp32 value, per output channel', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.float({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true }), { minLength: 54, maxLength: 54 }),
        (outSize, inSize, pool) => {
          const w = Float32Array.from({ length: outSize * inSize }, (_, i) => pool[i % pool.length] as number);
          const q = quantizeWeights(w, outSize, inSize);
          for (let o = 0; o < outSize; o++) {
            const s = q.scale[o] as number;
            expect(s).toBeGreaterThan(0);
            for (let i = 0; i < inSize; i++) {
              const k = o * inSize + i;
              expect(Math.abs(q.q[k] as number)).toBeLessThanOrEqual(WEIGHT_QMAX);
              expect(Math.abs((q.q[k] as number) * s - (w[k] as number))).toBeLessThanOrEqual(s / 2 + 1e-6 * Math.abs(w[k] as number));
            }
          }
        },
      ),
    );
  });

  it('uses the largest magnitude of each channel for its scale (symmetric, 63 steps: 7 bits, so u8 x s8 pairs fit an int16)', () => {
    expect(WEIGHT_QMAX).toBe(63);
    const q = quantizeWeights(Float32Array.of(0.5, -0.63, 0.1, 0, 0, 0), 2, 3);
    expect(q.scale[0]).toBeCloseTo(0.01, 7);
    expect(Array.from(q.q.subarray(0, 3))).toEqual([50, -63, 10]);
    // An all-zero channel still gets a usable scale and zeros.
    expect(q.scale[1]).toBeGreaterThan(0);
    expect(Array.from(q.q.subarray(3))).toEqual([0, 0, 0]);
  });

  it('calibrates activations so that zero is exactly representable and the range is covered', () => {
    fc.assert(
      fc.property(fc.float({ min: -100, max: 100, noNaN: true }), fc.float({ min: -100, max: 100, noNaN: true }), (a, b) => {
        const lo = Math.min(a, b);
        const hi = Math.max(a, b);
        const q = activationQuant(lo, hi);
        expect(q.zeroPoint).toBeGreaterThanOrEqual(0);
        expect(q.zeroPoint).toBeLessThanOrEqual(255);
        // Dequantised zero point is 0; the ends of [min(lo,0), max(hi,0)] are within one step.
        expect((0 - q.zeroPoint) * q.scale + q.zeroPoint * q.scale).toBe(0);
        expect((0 - q.zeroPoint) * q.scale).toBeLessThanOrEqual(Math.min(lo, 0) + q.scale);
        expect((255 - q.zeroPoint) * q.scale).toBeGreaterThanOrEqual(Math.max(hi, 0) - q.scale);
      }),
    );
    expect(activationQuant(0, 2.55)).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
  });
});

describe('int8 export options', () => {
  const spec: GraphSpec = { graphName: 'q', inputName: 'features', outputName: 'output', featureSize: 4 };
  const mlp = (() => {
    const rng = new Prng(3);
    const rows = 200;
    const x = new Float32Array(rows * 4).map(() => rng.next() * 10 - 5);
    const y = new Float32Array(rows).map((_, r) => ((x[r * 4] as number) > 0 ? 1 : 0));
    return trainMlp({ x, y, rows }, { sizes: [4, 8, 6, 1], loss: 'sigmoid', epochs: 3, seed: 5 });
  })();
  const rows = Array.from({ length: 60 }, (_, i) => Float32Array.from({ length: 4 }, (_, j) => Math.sin(i * 1.3 + j) * 5));
  const cal = calibrate(spec, mlp, rows);
  const nodes = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
  const count = (text: string, word: string): number => text.split(word).length - 1;

  it('keeps the listed layers as float Gemms and quantises the activations of the others', () => {
    const all = nodes(exportInt8(spec, mlp, cal));
    const lastFloat = nodes(exportInt8(spec, mlp, cal, { floatLayers: [2] }));
    // Each quantised layer quantises its input and its output: the float last layer drops both.
    expect(count(lastFloat, 'QuantizeLinear') - count(lastFloat, 'DequantizeLinear')).toBeLessThan(0);
    expect(count(all, 'W2_q')).toBeGreaterThan(0);
    expect(count(lastFloat, 'W2_q')).toBe(0);
    expect(count(lastFloat, 'W1_q')).toBeGreaterThan(0);
  });

  it('writes weight-only int8 that tracks the float network to within the weight rounding', async () => {
    const layers = foldStandardisation(mlp);
    const wo = await openVectorSession(exportInt8(spec, mlp, cal, { weightOnly: true }), 4);
    const full = await openVectorSession(exportInt8(spec, mlp, cal), 4);
    let errWo = 0;
    let errFull = 0;
    for (const x of rows) {
      const want = runGraphJs(spec, mlp, layers, x)[0] as number;
      errWo = Math.max(errWo, Math.abs(((await wo.run(x))[0] as number) - want));
      errFull = Math.max(errFull, Math.abs(((await full.run(x))[0] as number) - want));
    }
    await wo.release();
    await full.release();
    expect(errWo).toBeLessThan(0.02);
    // Without activation rounding it is at least as close as the full QDQ graph.
    expect(errWo).toBeLessThanOrEqual(errFull + 1e-6);
    // No activation quantiser in the graph: only the weights are dequantised.
    const text = nodes(exportInt8(spec, mlp, cal, { weightOnly: true }));
    expect(count(text, 'x0_scale')).toBe(0);
    expect(count(text, 'W0_q')).toBeGreaterThan(0);
  });

  it('refuses a float layer the network does not have', () => {
    expect(() => exportInt8(spec, mlp, cal, { floatLayers: [3] })).toThrow(RangeError);
  });
});
