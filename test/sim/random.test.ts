import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/random.js';

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 20 }, () => a.nextU32());
    expect(Array.from({ length: 20 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('keeps uniform draws inside [lo, hi) and integers inside [lo, hi]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (seed, lo, span) => {
        const r = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const u = r.uniform(lo, lo + span);
          expect(u).toBeGreaterThanOrEqual(lo);
          expect(u).toBeLessThan(lo + span);
          const k = r.int(-3, 3);
          expect(Number.isInteger(k) && k >= -3 && k <= 3).toBe(true);
        }
      }),
    );
  });

  it('draws Gaussians with the asked mean and spread', () => {
    const r = new Rng(7);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = r.gaussian(3, 2);
      sum += x;
      sq += x * x;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sq / n - mean * mean);
    expect(mean).toBeCloseTo(3, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('forks streams that depend on the seed and the label but not on draws already made', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    b.next();
    b.next();
    expect(a.fork('radar').next()).toBe(b.fork('radar').next());
    expect(a.fork('radar').next()).not.toBe(a.fork('battery').next());
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });
});
