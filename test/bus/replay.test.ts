import { describe, expect, it } from 'vitest';
import { BusClosedError } from '../../bus/errors.js';
import { makeFrame, type CanFrame } from '../../bus/frame.js';
import { replay } from '../../bus/replay.js';
import { VirtualNetwork } from '../../bus/transport/virtual.js';
import { RealClock, VirtualClock } from '../../runtime/clock.js';

/** A trace with mixed ids and irregular gaps, starting at an absolute epoch time. */
function trace(n: number, start = 1_700_000_000): CanFrame[] {
  const out: CanFrame[] = [];
  let t = start;
  for (let i = 0; i < n; i++) {
    t += 0.001 + ((i * 7919) % 13) / 1000;
    out.push(makeFrame({ id: [0x100, 0x1a0, 0x2f0, 0x18daf110][i % 4] as number, data: [i & 0xff, i >> 8], timestamp: t, channel: i % 5 === 0 ? 'can1' : 'can0' }));
  }
  return out;
}

async function* asAsync(frames: readonly CanFrame[]): AsyncGenerator<CanFrame> {
  for (const f of frames) yield f;
}

/** Replays onto a fresh virtual network and records what a listener sees, with the clock at each arrival. */
async function recordVirtualReplay(frames: readonly CanFrame[], options: Omit<Parameters<typeof replay>[2], 'clock'> = {}) {
  const network = new VirtualNetwork();
  const clock = new VirtualClock(100);
  const tx = network.open('can0');
  const rx = network.open('can0');
  const seen: string[] = [];
  const ac = new AbortController();
  const listening = (async () => {
    for await (const f of rx.frames(ac.signal)) seen.push(`${clock.now().toFixed(9)} ${f.timestamp.toFixed(9)} ${f.channel} ${f.id} ${f.data.join(',')}`);
  })();
  const stats = await replay(asAsync(frames), tx, { clock, ...options });
  await new Promise((r) => setImmediate(r));
  ac.abort();
  await listening;
  return { seen, stats, clock };
}

describe('replay in virtual time', () => {
  it('gives identical sends with identical virtual timestamps on every run', async () => {
    const frames = trace(500);
    const first = await recordVirtualReplay(frames);
    const second = await recordVirtualReplay(frames);
    expect(first.seen).toHaveLength(500);
    expect(second.seen).toEqual(first.seen);
    expect(first.stats).toEqual(second.stats);
  });

  it('advances the clock exactly to each frame time relative to the first frame', async () => {
    const frames = trace(50);
    const { seen, stats, clock } = await recordVirtualReplay(frames);
    const first = frames[0]!.timestamp;
    const expected = frames.map((f) => 100 + (f.timestamp - first));
    expect(seen.map((s) => Number(s.split(' ')[1]))).toEqual(expected.map((t) => Number(t.toFixed(9))));
    expect(clock.now()).toBe(expected.at(-1));
    expect(stats.durationS).toBeCloseTo(frames.at(-1)!.timestamp - first, 9);
    expect(stats.lateness).toEqual({ p50: 0, p99: 0, max: 0 });
  });

  it('wakes other sleepers on the virtual clock between the right frames', async () => {
    const frames = [0, 0.1, 0.2, 0.3, 0.4].map((t, i) => makeFrame({ id: i, timestamp: t }));
    const clock = new VirtualClock();
    const sent: number[] = [];
    let sentAtWake = -1;
    const sleeper = clock.sleepUntil(0.25).then(() => {
      sentAtWake = sent.length;
    });
    await replay(frames, { send: async (f) => void sent.push(f.id) }, { clock });
    await sleeper;
    expect(sentAtWake).toBe(3);
  });

  it('scales time by the speed factor', async () => {
    const frames = [0, 1, 3].map((t, i) => makeFrame({ id: i, timestamp: 10 + t }));
    const clock = new VirtualClock();
    const stamps: number[] = [];
    const stats = await replay(frames, { send: async (f) => void stamps.push(f.timestamp) }, { clock, speed: 4 });
    expect(stamps).toEqual([0, 0.25, 0.75]);
    expect(stats.durationS).toBe(0.75);
  });

  it('starts at an offset into the trace and times from there', async () => {
    const frames = [0, 1, 2, 3].map((t, i) => makeFrame({ id: i, timestamp: t }));
    const clock = new VirtualClock();
    const got: [number, number][] = [];
    await replay(frames, { send: async (f) => void got.push([f.id, f.timestamp]) }, { clock, startOffset: 1.5 });
    expect(got).toEqual([
      [2, 0.5],
      [3, 1.5],
    ]);
  });

  it('maps channels, drops frames mapped to nothing, and keeps trace stamps when asked', async () => {
    const frames = trace(10);
    const got: CanFrame[] = [];
    await replay(frames, { send: async (f) => void got.push(f) }, { clock: new VirtualClock(), channels: (c) => (c === 'can1' ? undefined : 'vcan0'), restamp: false });
    expect(got.map((f) => f.channel)).toEqual(frames.filter((f) => f.channel !== 'can1').map(() => 'vcan0'));
    expect(got.map((f) => f.timestamp)).toEqual(frames.filter((f) => f.channel !== 'can1').map((f) => f.timestamp));
  });

  it('loops a re-iterable source with time running on across passes', async () => {
    const frames = [0, 1, 2].map((t, i) => makeFrame({ id: i, timestamp: 5 + t }));
    const clock = new VirtualClock();
    const stamps: number[] = [];
    const stats = await replay(frames, { send: async (f) => void stamps.push(f.timestamp) }, { clock, loop: 3 });
    // Each pass follows the previous one after one mean frame period (1 s here).
    expect(stamps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stats.frames).toBe(9);
  });

  it('stops looping a one-shot source once it is exhausted', async () => {
    const stats = await replay(asAsync(trace(5)), { send: async () => undefined }, { clock: new VirtualClock(), loop: true });
    expect(stats.frames).toBe(5);
  });

  it('rejects a speed that is not max or a positive number', async () => {
    for (const speed of [0, -1, Number.NaN, Infinity]) {
      await expect(replay([], { send: async () => undefined }, { clock: new VirtualClock(), speed })).rejects.toThrow(RangeError);
    }
  });

  it('passes on a send failure after the frames before it were sent', async () => {
    const network = new VirtualNetwork();
    const tx = network.open('c');
    const rx = network.open('c');
    const reader = rx.frames()[Symbol.asyncIterator]();
    let n = 0;
    const source = (function* () {
      for (const f of trace(10)) {
        if (++n === 4) void tx.close();
        yield f;
      }
    })();
    await expect(replay(source, tx, { clock: new VirtualClock() })).rejects.toBeInstanceOf(BusClosedError);
    expect(tx.stats.sent).toBe(3);
    expect((await reader.next()).done).toBe(false);
  });
});

describe('replay in real time', () => {
  it('keeps real time by absolute targets: a 0.3 s trace takes 0.3 s with small lateness', async () => {
    const frames = Array.from({ length: 150 }, (_, i) => makeFrame({ id: i % 0x7ff, timestamp: i * 0.002 }));
    const clock = new RealClock();
    const stats = await replay(frames, { send: async () => undefined }, { clock, speed: 1 });
    expect(stats.frames).toBe(150);
    expect(stats.durationS).toBeGreaterThanOrEqual(0.298);
    // Bounds leave room for a loaded 2-core CI machine; the benchmark measures the real figures.
    expect(stats.durationS).toBeLessThan(0.45);
    expect(stats.lateness.p50).toBeLessThan(0.02);
    expect(stats.lateness.max).toBeGreaterThanOrEqual(stats.lateness.p99);
  });

  it('runs twice as fast at speed 2', async () => {
    const frames = Array.from({ length: 21 }, (_, i) => makeFrame({ id: 1, timestamp: i * 0.02 }));
    const stats = await replay(frames, { send: async () => undefined }, { clock: new RealClock(), speed: 2 });
    expect(stats.durationS).toBeGreaterThanOrEqual(0.199);
    expect(stats.durationS).toBeLessThan(0.35);
  });

  it('does not wait at all at max speed', async () => {
    const frames = Array.from({ length: 1000 }, (_, i) => makeFrame({ id: 1, timestamp: i }));
    const stats = await replay(frames, { send: async () => undefined }, { clock: new RealClock(), speed: 'max' });
    expect(stats.frames).toBe(1000);
    expect(stats.durationS).toBeLessThan(0.5);
  });

  it('stops promptly on abort and reports what it sent', async () => {
    const frames = Array.from({ length: 100 }, (_, i) => makeFrame({ id: 1, timestamp: i * 0.1 }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 120);
    const clock = new RealClock();
    const stats = await replay(frames, { send: async () => undefined }, { clock, signal: ac.signal });
    expect(stats.aborted).toBe(true);
    expect(stats.frames).toBeGreaterThanOrEqual(1);
    expect(stats.frames).toBeLessThanOrEqual(3);
    expect(clock.now()).toBeLessThan(0.5);
  });
});
