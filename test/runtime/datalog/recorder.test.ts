import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../bus/frame.js';
import { VirtualClock } from '../../../runtime/clock.js';
import { frameCost } from '../../../runtime/datalog/frame-ring.js';
import { SNIPPET_PRIORITY, SnippetRecorder, type SnippetCapture, type SnippetRecorderOptions } from '../../../runtime/datalog/recorder.js';
import { builtinTriggers } from '../../../runtime/datalog/triggers.js';
import type { ServiceResult } from '../../../runtime/service/runner.js';
import { DOMAIN_LIST } from '../../../domains/index.js';
import { parseConfig } from '../../../runtime/config.js';
import { resolveDomains } from '../../../runtime/service/resolved.js';

const SERVED = resolveDomains(DOMAIN_LIST, parseConfig({}, DOMAIN_LIST));

const adas = (t: number, level: 0 | 1 | 2): ServiceResult => ({ domain: 'adas', t, result: { level, probability: level / 2, ttcS: 2.5, targetId: 7, source: 'model' }, variant: 'fp32', inputsValid: true });
const body = (t: number, variant: ServiceResult['variant']): ServiceResult => ({ domain: 'body', t, result: { setpointC: 21, occupancy: 1, source: 'model' }, variant, inputsValid: true });

function recorder(over: Partial<SnippetRecorderOptions> = {}): { rec: SnippetRecorder; out: SnippetCapture[] } {
  const out: SnippetCapture[] = [];
  const rec = new SnippetRecorder({ preS: 10, postS: 5, maxBytes: 1 << 20, cooldownS: 30, triggers: builtinTriggers(SERVED), sink: (c) => void out.push(c), ...over });
  return { rec, out };
}

/** Frames at 100 Hz on the virtual clock from `from` to `to` s, with a result callback per 50 ms. */
async function drive(rec: SnippetRecorder, clock: VirtualClock, to: number, onTick?: (t: number) => void): Promise<void> {
  for (let k = Math.round(clock.now() * 100); k <= Math.round(to * 100); k++) {
    const t = k / 100;
    await clock.advanceTo(t);
    rec.onFrame(makeFrame({ timestamp: t, id: 0x100 + (k % 3), data: [k & 0xff, (k >> 8) & 0xff] }), clock.now());
    if (k % 5 === 0) onTick?.(t);
  }
}

describe('SnippetRecorder', () => {
  it('takes the 10 s before and the 5 s after an ADAS warning, and the warning itself', async () => {
    const clock = new VirtualClock(0);
    const { rec, out } = recorder({ signals: (t) => [{ name: 'Vehicle.Speed', value: 27.5, t: t - 0.01 }] });
    await drive(rec, clock, 30, (t) => rec.onResult(adas(t, t >= 15 && t < 16 ? 2 : 0)));
    expect(out).toHaveLength(1);
    const s = out[0]!;
    expect(s.trigger).toBe('adas-warning');
    expect(s.domain).toBe('adas');
    expect(s.t).toBe(15);
    expect(s.tUnixMs).toBe(15_000);
    expect(s.preS).toBe(10);
    expect(s.postS).toBe(5);
    const times = s.frames.map((f) => f.t);
    expect(Math.min(...times)).toBeCloseTo(5, 9);
    expect(Math.max(...times)).toBeCloseTo(20, 9);
    // 100 Hz over [5, 20]: every frame of the window, in order, none outside.
    expect(s.frames).toHaveLength(1501);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(s.safety).toBe(true);
    expect(s.priority).toBe(SNIPPET_PRIORITY.safety);
    expect(s.result).toMatchObject({ domain: 'adas', t: 15, variant: 'fp32', value: { level: 2 } });
    expect(s.signals).toContainEqual({ name: 'Vehicle.Speed', value: 27.5, t: 14.99 });
    expect(s.signals).toContainEqual({ name: 'adas.result.level', value: 2, t: 15 });
    expect(s.truncated).toBe(false);
  });

  it('emits only once the post window is over, at the first frame after it', async () => {
    const clock = new VirtualClock(0);
    const { rec, out } = recorder();
    await drive(rec, clock, 12, (t) => rec.onResult(adas(t, t >= 12 ? 1 : 0)));
    await drive(rec, clock, 17);
    expect(out).toHaveLength(0);
    expect(rec.active).toBe(1);
    await drive(rec, clock, 17.01);
    expect(out).toHaveLength(1);
    expect(rec.active).toBe(0);
  });

  it('ends a capture on a quiet bus when told the time, and finish() emits what is open', async () => {
    const clock = new VirtualClock(0);
    const { rec, out } = recorder();
    await drive(rec, clock, 3);
    rec.onResult(adas(3, 1));
    rec.advance(7.9);
    expect(out).toHaveLength(0);
    rec.advance(8.5);
    expect(out).toHaveLength(1);
    expect(out[0]!.frames.every((f) => f.t <= 3)).toBe(true);
    rec.onResult(adas(9, 0));
    rec.onResult(adas(50, 2));
    await rec.finish();
    expect(out).toHaveLength(2);
    expect(out[1]!.postS).toBe(0);
  });

  it('rate-limits each trigger and keeps the cooldown per domain for the fallback trigger', async () => {
    const clock = new VirtualClock(0);
    const { rec, out } = recorder({ cooldownS: 30 });
    await drive(rec, clock, 60, (t) => {
      // A warning that flickers every second: one snippet per 30 s, not one per edge.
      rec.onResult(adas(t, Math.floor(t) % 2 === 1 ? 1 : 0));
      rec.onResult(body(t, t >= 20 && t < 21 ? 'fallback' : 'fp32'));
    });
    await rec.finish();
    const adasSnips = out.filter((s) => s.trigger === 'adas-warning');
    expect(adasSnips.map((s) => s.t)).toEqual([1, 31]);
    expect(rec.stats.rateLimited).toBeGreaterThan(20);
    const fallback = out.filter((s) => s.trigger === 'fallback');
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatchObject({ domain: 'body', safety: false, priority: SNIPPET_PRIORITY.other });
  });

  it('gives the same snippets on a second identical run', async () => {
    const run = async (): Promise<string> => {
      const clock = new VirtualClock(100);
      const { rec, out } = recorder({ cooldownS: 5 });
      await drive(rec, clock, 140, (t) => rec.onResult(adas(t, Math.floor(t / 3) % 4 === 0 ? 2 : 0)));
      await rec.finish();
      return JSON.stringify(out.map((s) => ({ ...s, frames: s.frames.map((f) => [f.t, f.id, Buffer.from(f.data).toString('hex')]) })));
    };
    const a = await run();
    expect(a.length).toBeGreaterThan(1000);
    expect(await run()).toBe(a);
  });

  it('takes late results (real-time latency) with the frames that arrived after their time', () => {
    const { rec, out } = recorder({ preS: 1, postS: 1 });
    for (let k = 0; k <= 300; k++) {
      const t = k / 100;
      rec.onFrame(makeFrame({ timestamp: t, id: 1, data: [k & 0xff] }), t);
      // The result about t = 1.5 arrives with the frame of 1.7.
      if (k === 170) rec.onResult(adas(1.5, 2));
    }
    expect(out).toHaveLength(1);
    expect(out[0]!.frames).toHaveLength(201);
    expect(out[0]!.frames[0]!.t).toBeCloseTo(0.5, 9);
  });

  it('keeps each snippet within its byte bound under a flood, newest pre frames first', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.double({ min: 0, max: 0.01, noNaN: true }), len: fc.constantFrom(0, 8, 64) }), { minLength: 50, maxLength: 1500 }),
        fc.integer({ min: 4096, max: 20_000 }),
        fc.integer({ min: 0, max: 1499 }),
        (steps, maxBytes, at) => {
          const { rec, out } = recorder({ preS: 2, postS: 1, maxBytes, cooldownS: 0 });
          let t = 0;
          steps.forEach((s, i) => {
            t += s.dt;
            rec.onFrame(makeFrame({ timestamp: t, id: 5, fd: s.len > 8, data: new Uint8Array(s.len) }), t);
            if (i === Math.min(at, steps.length - 1)) rec.onResult(adas(t, 2));
          });
          void rec.finish();
          expect(out).toHaveLength(1);
          const s = out[0]!;
          const bytes = s.frames.reduce((a, f) => a + frameCost(makeFrame({ id: f.id, fd: f.fd, data: f.data, channel: f.channel })), 0);
          expect(bytes).toBeLessThanOrEqual(maxBytes);
          for (const f of s.frames) {
            expect(f.t).toBeGreaterThanOrEqual(s.t - 2);
            expect(f.t).toBeLessThanOrEqual(s.t + 1);
          }
          expect(s.truncated).toBe(rec.stats.truncated === 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('counts snippets the sink refused and skips hits beyond the open-capture limit', async () => {
    const errors: string[] = [];
    const { rec } = recorder({
      maxActive: 1,
      sink: () => Promise.reject(new Error('outbox full')),
      onSinkError: (err) => errors.push((err as Error).message),
    });
    rec.onResult(adas(1, 2));
    rec.onResult(body(1, 'fallback'));
    expect(rec.stats.skippedBusy).toBe(1);
    await rec.finish();
    expect(rec.stats.sinkErrors).toBe(1);
    expect(errors).toEqual(['outbox full']);
  });
});
