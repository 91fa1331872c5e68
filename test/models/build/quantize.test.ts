import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activationQuant, quantizeWeights } from '../../../models/build/quantize.js';

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
              expect(Math.abs(q.q[k] as number)).toBeLessThanOrEqual(127);
              expect(Math.abs((q.q[k] as number) * s - (w[k] as number))).toBeLessThanOrEqual(s / 2 + 1e-6 * Math.abs(w[k] as number));
            }
          }
        },
      ),
    );
  });

  it('uses the largest magnitude of each channel for its scale (symmetric, 127 steps)', () => {
    const q = quantizeWeights(Float32Array.of(0.5, -1.27, 0.1, 0, 0, 0), 2, 3);
    expect(q.scale[0]).toBeCloseTo(0.01, 7);
    expect(Array.from(q.q.subarray(0, 3))).toEqual([50, -127, 10]);
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
