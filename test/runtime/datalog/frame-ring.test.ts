import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeFrame, type CanFrame } from '../../../bus/frame.js';
import { FrameRing, frameCost } from '../../../runtime/datalog/frame-ring.js';

const frameArb = fc.record({
  dt: fc.double({ min: 0, max: 0.5, noNaN: true }),
  len: fc.constantFrom(0, 1, 8, 12, 32, 64),
  fd: fc.boolean(),
  id: fc.integer({ min: 0, max: 0x7ff }),
});

function build(steps: readonly { dt: number; len: number; fd: boolean; id: number }[]): { frame: CanFrame; t: number }[] {
  let t = 0;
  return steps.map((s) => {
    t += s.dt;
    const len = s.fd ? s.len : Math.min(8, s.len);
    return { t, frame: makeFrame({ id: s.id, fd: s.fd && len > 8, data: new Uint8Array(len).fill(s.id & 0xff) }) };
  });
}

describe('FrameRing', () => {
  it('never holds more bytes than its bound nor frames older than its window, under any flood', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 400 }), fc.integer({ min: 100, max: 5000 }), fc.double({ min: 0, max: 5, noNaN: true }), (steps, maxBytes, windowS) => {
        const ring = new FrameRing({ windowS, maxBytes });
        for (const { frame, t } of build(steps)) {
          ring.push(frame, t);
          expect(ring.bytes).toBeLessThanOrEqual(maxBytes);
          const kept = ring.between(-Infinity, Infinity);
          expect(kept.reduce((a, e) => a + e.cost, 0)).toBe(ring.bytes);
          for (const e of kept) expect(e.t).toBeGreaterThanOrEqual(t - windowS);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps exactly the newest frames that fit both bounds, in arrival order', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 300 }), fc.integer({ min: 100, max: 3000 }), fc.double({ min: 0.1, max: 3, noNaN: true }), (steps, maxBytes, windowS) => {
        const frames = build(steps);
        const ring = new FrameRing({ windowS, maxBytes });
        for (const { frame, t } of frames) ring.push(frame, t);
        // Reference: walk back from the newest while within the window and the byte bound.
        const newest = frames[frames.length - 1]!.t;
        const expected: CanFrame[] = [];
        let bytes = 0;
        for (let i = frames.length - 1; i >= 0; i--) {
          const f = frames[i]!;
          if (f.t < newest - windowS || bytes + frameCost(f.frame) > maxBytes) break;
          bytes += frameCost(f.frame);
          expected.unshift(f.frame);
        }
        expect(ring.between(-Infinity, Infinity).map((e) => e.frame)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('counts what it evicted for bytes and for age separately', () => {
    const ring = new FrameRing({ windowS: 1, maxBytes: 3 * frameCost(makeFrame({ id: 1, data: new Uint8Array(8) })) });
    for (let i = 0; i < 5; i++) ring.push(makeFrame({ id: 1, data: new Uint8Array(8) }), i * 0.01);
    expect(ring.size).toBe(3);
    expect(ring.stats.evicted).toBe(2);
    ring.push(makeFrame({ id: 2, data: new Uint8Array(8) }), 10);
    expect(ring.size).toBe(1);
    expect(ring.stats.expired).toBe(3);
    expect(ring.stats.pushed).toBe(6);
  });

  it('refuses a frame larger than the whole bound and keeps the others', () => {
    const small = makeFrame({ id: 1, data: new Uint8Array(8) });
    const ring = new FrameRing({ windowS: 10, maxBytes: frameCost(small) + 10 });
    ring.push(small, 0);
    expect(ring.push(makeFrame({ id: 2, fd: true, data: new Uint8Array(64) }), 0.1)).toBeUndefined();
    expect(ring.stats.oversized).toBe(1);
    expect(ring.between(0, 1).map((e) => e.frame.id)).toEqual([1]);
  });

  it('rejects a negative window and a non-positive byte bound', () => {
    expect(() => new FrameRing({ windowS: -1, maxBytes: 10 })).toThrow(RangeError);
    expect(() => new FrameRing({ windowS: Number.NaN, maxBytes: 10 })).toThrow(/window/);
    expect(() => new FrameRing({ windowS: 1, maxBytes: 0 })).toThrow(/max bytes/);
  });
});
