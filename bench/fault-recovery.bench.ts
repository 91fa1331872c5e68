/**
 * What a model fault costs the other safety domains in each layout, with the shipped models: ADAS's
 * call crashes its worker (a native abort in onnxruntime looks the same to the supervisor), and the
 * time each domain spends failing fast (answering with its rule-based fallback) is measured by
 * calling it every millisecond. In the default layout the safety domains share a process, so the
 * first fault takes chassis and powertrain down until their new process is warm; ADAS is then moved
 * out, so a second fault does not. A fault no call explains (RSS) restarts the whole group.
 * Then a worker stopped from outside (SIGSTOP for 3 s): each safety domain is called at its rate with
 * its deadline less the fallback's reserve, as the services call, and its calls answered after the
 * deadline (misses), held to the deadline and failed fast are counted, with the time from the stop to
 * the kill and to every domain answering from its model again.
 */
import { ModelRegistry } from '../runtime/inference/registry.js';
import { InferencePool, type OpenOptions } from '../runtime/inference/pool.js';
import type { FaultKind } from '../runtime/inference/protocol.js';
import { bundledModels } from '../cli/paths.js';
import os from 'node:os';
import { median } from './median.js';

const SAFETY = { adas: 'adas-fcw', chassis: 'chassis-friction', powertrain: 'powertrain-cell-anomaly' } as const;
type Safety = keyof typeof SAFETY;
const WIDTH: Record<Safety, number> = { adas: 23, chassis: 16, powertrain: 864 };
const ROUNDS = 5;
/** The safety domains' rates and deadlines (runtime/scheduler/domain-timing.ts). */
const TIMING: Record<Safety, { readonly periodMs: number; readonly deadlineMs: number }> = {
  adas: { periodMs: 50, deadlineMs: 20 },
  chassis: { periodMs: 20, deadlineMs: 10 },
  powertrain: { periodMs: 100, deadlineMs: 50 },
};
/** FALLBACK_RESERVE_MS of runtime/service/runner.ts. */
const RESERVE_MS = 2;
const STOP_MS = 3_000;
const BACKOFF = { initialMs: 100, maxMs: 5_000, factor: 2 };

/** Calls a domain every millisecond; the outage is from its first failed call to its next answer. */
class Outage {
  #down: number | undefined;
  readonly spans: number[] = [];
  #running = true;
  readonly #loop: Promise<void>;

  constructor(pool: InferencePool, domain: Safety) {
    const feeds = { features: new Float32Array(WIDTH[domain]) };
    this.#loop = (async () => {
      while (this.#running) {
        const ok = await pool.run(domain, feeds).then(
          () => true,
          () => false,
        );
        const now = performance.now();
        if (!ok && this.#down === undefined) this.#down = now;
        if (ok && this.#down !== undefined) {
          this.spans.push(now - this.#down);
          this.#down = undefined;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
  }

  /** Total ms down so far (an outage still open counts up to now). */
  downMs(): number {
    return this.spans.reduce((a, s) => a + s, 0) + (this.#down === undefined ? 0 : performance.now() - this.#down);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

interface Scenario {
  readonly name: string;
  readonly layout: 'shared' | 'process';
  /** Faults in a row, each after every domain is back. */
  readonly faults: readonly { readonly kind: FaultKind; readonly onRun: boolean }[];
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'default (shared safety process): first crash in an ADAS call', layout: 'shared', faults: [{ kind: 'crash', onRun: true }] },
  { name: 'default: second crash in an ADAS call (ADAS already moved out)', layout: 'shared', faults: [{ kind: 'crash', onRun: true }, { kind: 'crash', onRun: true }] },
  { name: 'default: RSS over the limit (no call to blame: the group restarts)', layout: 'shared', faults: [{ kind: 'leak', onRun: false }] },
  { name: 'a process per safety domain: crash in an ADAS call', layout: 'process', faults: [{ kind: 'crash', onRun: true }] },
];

async function openPool(registry: ModelRegistry, layout: Scenario['layout'], leak: boolean): Promise<InferencePool> {
  const pool = await InferencePool.create({ registry, faultInjection: true, backoff: BACKOFF });
  const opts: OpenOptions = { watchdogMs: 500, maxRssMb: leak ? 100 : 256, rssPollMs: 50 };
  const entries = Object.entries(SAFETY).map(([domain, model]) => ({ domain, model, opts }));
  if (layout === 'shared') await pool.openGroup('safety', entries);
  else for (const e of entries) await pool.open(e.domain, e.model, { ...opts, isolation: 'process' });
  return pool;
}

const allReady = (pool: InferencePool): boolean => pool.health().every((h) => h.state === 'ready');

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Runs one scenario once; returns each domain's ms down during its last fault. */
async function runOnce(registry: ModelRegistry, s: Scenario): Promise<Record<Safety, number>> {
  const leak = s.faults.some((f) => f.kind === 'leak');
  const pool = await openPool(registry, s.layout, leak);
  try {
    let down: Record<Safety, number> = { adas: 0, chassis: 0, powertrain: 0 };
    for (const fault of s.faults) {
      const restarts = pool.health().reduce((a, h) => a + h.restarts, 0);
      const watch = (Object.keys(SAFETY) as Safety[]).map((d) => [d, new Outage(pool, d)] as const);
      await new Promise((r) => setTimeout(r, 20));
      pool.inject('adas', fault.kind, { onRun: fault.onRun });
      await until(() => pool.health().reduce((a, h) => a + h.restarts, 0) > restarts, 'the fault to be seen');
      await until(() => allReady(pool), 'every domain to be back');
      // Give each domain's loop time to make its next call and close its outage.
      await new Promise((r) => setTimeout(r, 30));
      for (const [, o] of watch) await o.stop();
      down = Object.fromEntries(watch.map(([d, o]) => [d, o.downMs()])) as Record<Safety, number>;
    }
    return down;
  } finally {
    await pool.close();
  }
}

const ms = (x: number): string => (x < 0.5 ? '0' : x.toFixed(0));

/** Calls a domain at its rate with its deadline; counts how its calls after `from` settled. */
class Paced {
  readonly calls: { readonly start: number; readonly tookMs: number; readonly ok: boolean }[] = [];
  #running = true;
  readonly #loop: Promise<void>;

  constructor(pool: InferencePool, domain: Safety) {
    const feeds = { features: new Float32Array(WIDTH[domain]) };
    const { periodMs, deadlineMs } = TIMING[domain];
    this.#loop = (async () => {
      while (this.#running) {
        const start = performance.now();
        const ok = await pool.run(domain, feeds, { timeoutMs: deadlineMs - RESERVE_MS }).then(
          () => true,
          () => false,
        );
        this.calls.push({ start, tookMs: performance.now() - start, ok });
        await new Promise((r) => setTimeout(r, Math.max(0, periodMs - (performance.now() - start))));
      }
    })();
  }

  /** Calls started at or after `from`: answered after the deadline, failed at (or past) their time limit, failed sooner. */
  counts(from: number, deadlineMs: number): { misses: number; held: number; fast: number } {
    const after = this.calls.filter((c) => c.start >= from);
    return {
      misses: after.filter((c) => c.tookMs > deadlineMs).length,
      held: after.filter((c) => !c.ok && c.tookMs >= deadlineMs - RESERVE_MS).length,
      fast: after.filter((c) => !c.ok && c.tookMs < deadlineMs - RESERVE_MS).length,
    };
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

interface StopRun {
  readonly perDomain: Record<Safety, { misses: number; held: number; fast: number }>;
  /** Stop to the stopped process's end (kill); undefined when it was not killed while stopped. */
  readonly killMs: number | undefined;
  /** Stop to every domain answering from its model again. */
  readonly recoverMs: number;
  /** Processes serving the three domains afterwards. */
  readonly processes: number;
}

/** SIGSTOPs the process serving chassis for {@link STOP_MS}, with every safety domain called at its rate. */
async function stopOnce(registry: ModelRegistry, layout: Scenario['layout']): Promise<StopRun> {
  const pool = await openPool(registry, layout, false);
  try {
    const domains = Object.keys(SAFETY) as Safety[];
    const pid = pool.health().find((h) => h.domain === 'chassis')?.pid as number;
    const paced = domains.map((d) => [d, new Paced(pool, d)] as const);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    process.kill(pid, 'SIGSTOP');
    let killMs: number | undefined;
    const watchKill = (async () => {
      while (performance.now() - t0 < STOP_MS && killMs === undefined) {
        if (pool.health().find((h) => h.domain === 'chassis')?.pid !== pid) killMs = performance.now() - t0;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await new Promise((r) => setTimeout(r, STOP_MS));
    await watchKill;
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already killed.
    }
    await until(() => allReady(pool), 'every domain to be back');
    const back = performance.now();
    await until(() => paced.every(([, p]) => p.calls.some((c) => c.ok && c.start >= back)), 'every domain to answer from its model');
    // A domain that never failed was never down; one that did is back at its first model answer after that.
    const backAt = paced.map(([, p]) => {
      const firstFail = p.calls.find((c) => c.start >= t0 && !c.ok);
      return firstFail === undefined ? t0 : (p.calls.find((c) => c.ok && c.start > firstFail.start)?.start ?? back);
    });
    const recoverMs = Math.max(...backAt) - t0;
    for (const [, p] of paced) await p.stop();
    const perDomain = Object.fromEntries(paced.map(([d, p]) => [d, p.counts(t0, TIMING[d].deadlineMs)])) as StopRun['perDomain'];
    return { perDomain, killMs, recoverMs, processes: new Set(pool.health().map((h) => h.pid)).size };
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const registry = await ModelRegistry.create({ roots: [bundledModels] });
  const rows: string[] = [];
  for (const s of SCENARIOS) {
    const runs: Record<Safety, number>[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await runOnce(registry, s));
    const cell = (d: Safety): string => {
      const xs = runs.map((r) => r[d]);
      return `${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`;
    };
    console.log(`${s.name}: adas ${cell('adas')}, chassis ${cell('chassis')}, powertrain ${cell('powertrain')} ms`);
    rows.push(`| ${s.name} | ${cell('adas')} | ${cell('chassis')} | ${cell('powertrain')} |`);
  }
  const stopRows: string[] = [];
  for (const layout of ['shared', 'process'] as const) {
    const runs: StopRun[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await stopOnce(registry, layout));
    const med = (f: (r: StopRun) => number): string => ms(median(runs.map(f)));
    const cell = (d: Safety): string => `${med((r) => r.perDomain[d].misses)} / ${med((r) => r.perDomain[d].held)} / ${med((r) => r.perDomain[d].fast)}`;
    const kills = runs.flatMap((r) => (r.killMs === undefined ? [] : [r.killMs]));
    const kill = kills.length === 0 ? 'not killed' : `${ms(median(kills))} (${ms(Math.min(...kills))}–${ms(Math.max(...kills))})`;
    const name = layout === 'shared' ? 'default: the shared safety process stopped' : "a process per safety domain: chassis's process stopped";
    console.log(`${name}: adas ${cell('adas')}, chassis ${cell('chassis')}, powertrain ${cell('powertrain')}; killed after ${kill} ms; models back after ${med((r) => r.recoverMs)} ms`);
    stopRows.push(`| ${name} | ${cell('adas')} | ${cell('chassis')} | ${cell('powertrain')} | ${kill} | ${med((r) => r.recoverMs)} | ${med((r) => r.processes)} |`);
  }
  console.log('--- results');
  console.log(
    [
      '## Fault recovery (`bench/fault-recovery.bench.ts`)',
      '',
      `The three safety domains with their shipped models, each called every millisecond; ADAS's worker is crashed in one of its`,
      `calls (or its RSS passes the limit). Time each domain fails fast, so its service answers with its rule-based fallback, in ms:`,
      `median of ${ROUNDS} rounds (range). Restart backoff starts at ${BACKOFF.initialMs} ms, as the daemon's does.`,
      '',
      '| fault | adas down | chassis down | powertrain down |',
      '|---|---:|---:|---:|',
      ...rows,
      '',
      'In the shared process the innocent members restart at once, without backoff, and the culprit starts in a process of its own right after them.',
      '',
      `### A worker stopped from outside (SIGSTOP for ${STOP_MS / 1000} s)`,
      '',
      `Each safety domain called at its rate, each call limited to its deadline less ${RESERVE_MS} ms as the services call (adas 20 ms, chassis 10 ms,`,
      `powertrain 50 ms); the process serving chassis is stopped. Per domain, calls from the stop on (median of ${ROUNDS} rounds): answered after`,
      'the deadline (misses) / failed at their time limit (the fallback answers at the deadline) / failed fast (the fallback answers at once).',
      `Load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores at the end.`,
      '',
      '| layout | adas | chassis | powertrain | stop to kill, ms | stop to models answering again, ms | processes after |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...stopRows,
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
