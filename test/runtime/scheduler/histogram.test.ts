import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatencyHistogram } from '../../../runtime/scheduler/histogram.js';

describe('LatencyHistogram', () => {
  it('gives quantiles within about 1 % of the exact order statistic', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 5000, noNaN: true }), { minLength: 1, maxLength: 500 }), fc.constantFrom(0.5, 0.9, 0.99), (xs, q) => {
        const h = new LatencyHistogram();
        for (const x of xs) h.record(x);
        const sorted = [...xs].sort((a, b) => a - b);
        const exact = sorted[Math.max(0, Math.ceil(q * xs.length) - 1)]!;
        expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.0101);
        expect(h.summary().max).toBe(sorted.at(-1));
        expect(h.count).toBe(xs.length);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps summaries of an empty histogram at zero and resets', () => {
    const h = new LatencyHistogram();
    expect(h.summary()).toEqual({ count: 0, p50: 0, p99: 0, max: 0, mean: 0 });
    h.record(3);
    h.record(0);
    expect(h.summary().mean).toBe(1.5);
    h.reset();
    expect(h.count).toBe(0);
  });

  it('rejects negative or non-finite samples and quantiles outside [0, 1]', () => {
    const h = new LatencyHistogram();
    expect(() => h.record(-1)).toThrow(RangeError);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
    expect(() => h.quantile(1.5)).toThrow(RangeError);
  });
});
