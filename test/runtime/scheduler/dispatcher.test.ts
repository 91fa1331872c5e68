import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RealClock, VirtualClock } from '../../../runtime/clock.js';
import { Dispatcher } from '../../../runtime/scheduler/dispatcher.js';
import type { Job, ServiceSpec } from '../../../runtime/scheduler/types.js';
import { fiveServices } from './fixtures.js';

function svc(domain: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { domain, criticality: 'safety', periodMs: 10, deadlineMs: 10, primary: 'fp32', costMs: { fp32: 1 }, ...over };
}

describe('Dispatcher in virtual time', () => {
  it('starts ready jobs in earliest-deadline order, safety before comfort', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    const d = new Dispatcher({
      clock,
      cores: 1,
      services: [
        svc('late', { deadlineMs: 40, periodMs: 100 }),
        svc('early', { deadlineMs: 15, periodMs: 100 }),
        svc('comfy', { criticality: 'comfort', deadlineMs: 5, periodMs: 100, costMs: { fp32: 0.5 } }),
        svc('mid', { deadlineMs: 25, periodMs: 100 }),
      ],
      onMessage: ['late', 'early', 'comfy', 'mid'],
      execute: async (job) => {
        order.push(job.domain);
      },
    });
    for (const name of ['late', 'comfy', 'mid', 'early']) d.release(name);
    await d.advanceTo(0.1);
    expect(order).toEqual(['early', 'mid', 'late', 'comfy']);
  });

  it('drops a job that cannot start by deadline minus cost and counts the met ones', async () => {
    const clock = new VirtualClock();
    // Both want 8 ms of the single core every 10 ms: whichever goes second can only start at
    // 8 ms, after its latest start of 10 - 8 = 2 ms.
    const d = new Dispatcher({
      clock,
      cores: 1,
      services: [svc('a', { costMs: { fp32: 8 } }), svc('b', { costMs: { fp32: 8 }, deadlineMs: 10.5 })],
      execute: async () => undefined,
    });
    const horizon = 1;
    await d.advanceTo(horizon);
    const a = d.stats('a');
    const b = d.stats('b');
    const periods = Math.floor(horizon / 0.01) + 1;
    expect(a.released).toBe(periods);
    expect(b.released).toBe(periods);
    expect(a.missed + b.missed).toBe(0);
    expect(b.dropped).toBeGreaterThanOrEqual(periods - 2);
    expect(a.met).toBeGreaterThanOrEqual(periods - 1);
    expect(a.latency.summary().p50).toBeCloseTo(8, 0);
  });

  it('counts a miss when execute reports a slower variant than the one released', async () => {
    const clock = new VirtualClock();
    const d = new Dispatcher({
      clock,
      cores: 1,
      services: [svc('x', { costMs: { fp32: 9, int8: 5 }, deadlineMs: 6 })],
      modeOf: () => ({ variant: 'int8', rateDivisor: 1, shed: false }),
      onMessage: ['x'],
      execute: async () => ({ variant: 'fp32' }),
    });
    d.release('x');
    await d.advanceTo(0.05);
    const s = d.stats('x');
    expect(s.missed).toBe(1);
    expect(s.met).toBe(0);
    expect(s.variants.fp32).toBe(1);
    expect(s.latency.summary().max).toBeCloseTo(9, 6);
  });

  it('counts a rejected execute as a failed miss and keeps dispatching', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const d = new Dispatcher({
      clock,
      cores: 1,
      services: [svc('x')],
      execute: async () => {
        if (n++ === 0) throw new Error('worker crashed');
      },
    });
    await d.advanceTo(0.035);
    expect(d.stats('x').failed).toBe(1);
    expect(d.stats('x').met).toBe(3);
  });

  it('thins releases by the rate divisor and releases nothing while shed', async () => {
    const clock = new VirtualClock();
    let mode = { variant: 'fp32' as const, rateDivisor: 2, shed: false };
    const d = new Dispatcher({ clock, cores: 1, services: [svc('x')], modeOf: () => mode, execute: async () => undefined });
    await d.advanceTo(0.095);
    expect(d.stats('x').released).toBe(5);
    mode = { ...mode, shed: true };
    await d.advanceTo(0.195);
    expect(d.stats('x').released).toBe(5);
  });

  it('lets execute see the job start on the virtual clock and never exceeds the core count', async () => {
    const task = fc.record({ cost: fc.double({ min: 0.1, max: 20, noNaN: true }), period: fc.integer({ min: 5, max: 60 }), safety: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(task, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), async (tasks, cores) => {
        const clock = new VirtualClock();
        const intervals: { start: number; end: number }[] = [];
        const services = tasks.map((t, i) =>
          svc(`s${i}`, { costMs: { fp32: t.cost }, periodMs: t.period, deadlineMs: t.period, criticality: t.safety ? 'safety' : 'comfort' }),
        );
        const d = new Dispatcher({
          clock,
          cores,
          services,
          execute: async (job: Job) => {
            intervals.push({ start: clock.now(), end: clock.now() + job.costS });
          },
        });
        await d.advanceTo(0.3);
        // Independent sweep over the recorded intervals.
        const points = intervals.flatMap((iv) => [
          { t: iv.start, d: 1 },
          { t: iv.end, d: -1 },
        ]);
        points.sort((a, b) => a.t - b.t || a.d - b.d);
        let live = 0;
        let peak = 0;
        for (const p of points) peak = Math.max(peak, (live += p.d));
        expect(peak).toBeLessThanOrEqual(cores);
        for (const s of services) {
          const st = d.stats(s.domain);
          // Every released job is accounted for, or still queued/running at the horizon.
          expect(st.met + st.missed + st.dropped).toBeLessThanOrEqual(st.released);
          expect(st.released - (st.met + st.missed + st.dropped)).toBeLessThanOrEqual(2);
          expect(st.missed).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('leaves a core free of comfort work for safety releases on a multi-core SoC', async () => {
    const clock = new VirtualClock();
    const starts: { domain: string; t: number }[] = [];
    const d = new Dispatcher({
      clock,
      cores: 2,
      services: [
        svc('c1', { criticality: 'comfort', periodMs: 1000, deadlineMs: 500, costMs: { fp32: 100 } }),
        svc('c2', { criticality: 'comfort', periodMs: 1000, deadlineMs: 500, costMs: { fp32: 100 } }),
        svc('s', { periodMs: 1000, deadlineMs: 5, costMs: { fp32: 2 } }),
      ],
      onMessage: ['s'],
      execute: async (job) => void starts.push({ domain: job.domain, t: clock.now() }),
    });
    await d.advanceTo(0.01);
    d.release('s');
    await d.advanceTo(0.3);
    expect(starts.find((x) => x.domain === 's')?.t).toBe(0.01);
    expect(d.stats('s').met).toBe(1);
    // The second comfort job waited for the first rather than taking the last core.
    expect(starts.find((x) => x.domain === 'c2')?.t).toBeCloseTo(0.1, 9);
  });

  it('accepts on-message releases in the future and refuses ones in the past', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const d = new Dispatcher({ clock, cores: 1, services: [svc('m')], onMessage: ['m'], execute: async (j) => void seen.push(j.release) });
    d.release('m', 0.02);
    await d.advanceTo(0.05);
    expect(seen).toEqual([0.02]);
    expect(() => d.release('m', 0.01)).toThrow(RangeError);
    expect(() => d.release('nobody')).toThrow(/unknown service/);
  });

  it('produces the same summary on two runs of the five services', async () => {
    const run = async (): Promise<string> => {
      const d = new Dispatcher({ clock: new VirtualClock(), cores: 1, services: fiveServices(), execute: async () => undefined });
      await d.advanceTo(5);
      return JSON.stringify(d.summary());
    };
    const first = await run();
    expect(await run()).toBe(first);
    expect(JSON.parse(first).adas.inferences).toBeGreaterThan(0);
  });
});

describe('Dispatcher in real time', () => {
  it('releases periodic jobs on a RealClock and measures their lateness', async () => {
    const clock = new RealClock();
    const d = new Dispatcher({ clock, cores: 2, services: [svc('a'), svc('b', { periodMs: 20 })], execute: async () => undefined });
    expect(d.timing).toBe('real');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await d.run(ac.signal);
    const elapsed = clock.now();
    const a = d.stats('a');
    // One release per 10 ms of elapsed time (the machine may be busy, so bound by what elapsed).
    expect(a.released).toBeGreaterThanOrEqual(Math.floor(elapsed / 0.01) - 1);
    expect(a.released).toBeLessThanOrEqual(Math.floor(elapsed / 0.01) + 2);
    // Every job finished or was dropped by the time run() returned: nothing in flight is lost.
    expect(a.met + a.missed + a.dropped).toBe(a.released);
    expect(a.met).toBeGreaterThan(0);
    expect(d.releaseLateness.count).toBe(a.released + d.stats('b').released);
    await expect(d.advanceTo(1)).rejects.toThrow(/virtual timing/);
  });
});

describe('Dispatcher in real time, queued work', () => {
  it('starts a queued job as soon as a core frees, not at the next release', async () => {
    const clock = new RealClock();
    const starts: { domain: string; t: number }[] = [];
    const d = new Dispatcher({
      clock,
      cores: 1,
      services: [svc('a', { periodMs: 1000, deadlineMs: 500, costMs: { fp32: 1 } }), svc('b', { periodMs: 1000, deadlineMs: 500, costMs: { fp32: 1 } })],
      execute: async (job) => {
        starts.push({ domain: job.domain, t: clock.now() });
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await d.run(ac.signal);
    expect(starts.map((s) => s.domain)).toEqual(['a', 'b']);
    // b waited for a (~20 ms, more on a busy machine), not for the next release 1 s later.
    expect(starts[1]!.t - starts[0]!.t).toBeLessThan(0.5);
    expect(d.stats('b').met + d.stats('b').missed).toBe(1);
  });
});
