/**
 * The shared safety process stopped from outside (SIGSTOP) while its members are called in real time
 * at their rates, each call limited to its deadline less the fallback's reserve as the services do:
 * the stall is seen at the first caller's deadline, every later call fails fast (its fallback answers
 * at once), the stopped process is killed and the group restarted whole (no member is to blame, so
 * none is moved out), and every member answers from its model again. A hang in one member's call
 * stalls the process the same way, but it is no stop: the members fail fast until the watchdog ends
 * it and moves that member out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InferencePool, ModelRegistry } from '../../../runtime/inference/index.js';
import { until } from '../../helpers/wait.js';
import { healthOf, writeModel } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-stopped-'));
let entry: string;
let registry: ModelRegistry;
let pool: InferencePool | undefined;

/** The safety domains' rates and deadlines (runtime/scheduler/domain-timing.ts) and a feed for each fixture model. */
const MEMBERS = {
  adas: { periodMs: 50, deadlineMs: 20, row: [1, 2, 3, 4, 5, 6] },
  chassis: { periodMs: 20, deadlineMs: 10, row: [0.5, -1, 2, 0] },
  powertrain: { periodMs: 100, deadlineMs: 50, row: [0.1, 0.2, 0.3, -0.4, 5] },
} as const;
type Member = keyof typeof MEMBERS;
/** As FALLBACK_RESERVE_MS in runtime/service/runner.ts: the time a call leaves its fallback. */
const RESERVE_MS = 2;
/** The pool's watchdog, as the daemon's default `watchdog_ms`. */
const WATCHDOG_MS = 500;

interface Call {
  readonly start: number;
  readonly tookMs: number;
  readonly ok: boolean;
}

/** Calls a member at its period until stopped, recording when each call settled and how. */
function callAtRate(p: InferencePool, d: Member): { readonly calls: Call[]; stop(): Promise<void> } {
  const { periodMs, deadlineMs, row } = MEMBERS[d];
  const calls: Call[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      const ok = await p.run(d, { x: Float32Array.from(row) }, { timeoutMs: deadlineMs - RESERVE_MS }).then(
        () => true,
        () => false,
      );
      calls.push({ start, tookMs: performance.now() - start, ok });
      await new Promise((r) => setTimeout(r, Math.max(0, periodMs - (performance.now() - start))));
    }
  })();
  return {
    calls,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The three safety members in one shared process, as the daemon opens them by default. */
async function openSafety(faultInjection = false): Promise<InferencePool> {
  const p = await InferencePool.create({ registry, workerEntry: entry, faultInjection, backoff: { initialMs: 100, maxMs: 5_000, factor: 2 } });
  pool = p;
  const opts = { watchdogMs: WATCHDOG_MS };
  await p.openGroup('safety', [
    { domain: 'adas', model: 'adas-ttc', opts },
    { domain: 'chassis', model: 'chassis-mu', opts },
    { domain: 'powertrain', model: 'pt-cells', opts },
  ]);
  return p;
}

/** Calls of a member from `from` on that failed at (or past) their time limit rather than at once. */
function heldToDeadline(calls: readonly Call[], d: Member, from: number): number {
  return calls.filter((c) => c.start >= from && !c.ok && c.tookMs >= MEMBERS[d].deadlineMs - RESERVE_MS).length;
}

beforeAll(async () => {
  entry = compiledWorkerEntry();
  writeModel(root, { name: 'adas-ttc', domain: 'adas', sizes: [6, 8, 3], seed: 31 });
  writeModel(root, { name: 'chassis-mu', domain: 'chassis', sizes: [4, 8, 1], seed: 32 });
  writeModel(root, { name: 'pt-cells', domain: 'powertrain', sizes: [5, 8, 2], seed: 33 });
  registry = await ModelRegistry.create({ roots: [root] });
});
afterEach(async () => pool?.close());
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a shared process stopped from outside (SIGSTOP)', () => {
  it('answers every member by its deadline, kills the stopped process at once and restarts the group whole', async () => {
    const p = await openSafety();
    const stoppedPid = healthOf(p, 'chassis').pid as number;
    const members = Object.keys(MEMBERS) as Member[];
    const loops = members.map((d) => [d, callAtRate(p, d)] as const);
    await until('every member answered by its model', () => loops.every(([, l]) => l.calls.some((c) => c.ok)));
    const stoppedAt = performance.now();
    process.kill(stoppedPid, 'SIGSTOP');
    try {
      // Killed well before the watchdog would have (it would also have moved one member out).
      await until('the stopped process to be killed', () => healthOf(p, 'chassis').pid !== stoppedPid, WATCHDOG_MS - 100, 2);
      await until('the group to answer again', () => members.every((d) => healthOf(p, d).state === 'ready'), 10_000);
      const backAt = performance.now();
      await until('every member to answer from its model again', () => loops.every(([, l]) => l.calls.some((c) => c.ok && c.start > backAt)), 5_000);
    } finally {
      try {
        process.kill(stoppedPid, 'SIGCONT');
      } catch {
        // Killed, as it should be.
      }
      await Promise.all(loops.map(([, l]) => l.stop()));
    }
    for (const [d, l] of loops) {
      const during = l.calls.filter((c) => c.start >= stoppedAt);
      // A call settled (by the model or by a failure its fallback answers) after the deadline is a miss.
      expect(during.filter((c) => c.tookMs > MEMBERS[d].deadlineMs), `${d} misses`).toEqual([]);
      // Only a call already out when the worker stalled waits until its own deadline; the rest fail fast.
      expect(heldToDeadline(l.calls, d, stoppedAt), `${d} calls held to their deadline`).toBeLessThanOrEqual(1);
    }
    // Nobody's call was to blame: the three still share one process.
    const pids = new Set(members.map((d) => healthOf(p, d).pid));
    expect(pids.size).toBe(1);
    expect(members.map((d) => healthOf(p, d).isolation)).toEqual(['shared', 'shared', 'shared']);
    expect(healthOf(p, 'adas').restarts).toBe(1);
  }, 30_000);

  it("is no stop when one member's call hangs: the others fail fast until the watchdog moves that member out", async () => {
    const p = await openSafety(true);
    const pid = healthOf(p, 'chassis').pid as number;
    const members = Object.keys(MEMBERS) as Member[];
    const loops = members.map((d) => [d, callAtRate(p, d)] as const);
    try {
      await until('every member answered by its model', () => loops.every(([, l]) => l.calls.some((c) => c.ok)));
      const hungAt = performance.now();
      p.inject('adas', 'hang', { onRun: true });
      await until('adas to be moved out', () => healthOf(p, 'adas').isolation === 'process', 10_000);
      // Ended by the watchdog, not sooner: a busy process is not a stopped one.
      expect(performance.now() - hungAt).toBeGreaterThanOrEqual(WATCHDOG_MS - 50);
      expect(healthOf(p, 'chassis').pid).not.toBe(pid);
      for (const [d, l] of loops) expect(heldToDeadline(l.calls, d, hungAt), `${d} calls held to their deadline`).toBeLessThanOrEqual(1);
      await until('every member to answer from its model again', () => members.every((d) => healthOf(p, d).state === 'ready'), 10_000);
    } finally {
      await Promise.all(loops.map(([, l]) => l.stop()));
    }
  }, 30_000);
});
