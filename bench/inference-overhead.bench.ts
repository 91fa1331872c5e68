/**
 * What isolation costs: the same small MLP (32→64→64→4) run bare with onnxruntime-node's
 * InferenceSession.run in this process, and through InferencePool.run with process and thread
 * isolation, in one run, interleaved in rounds. Then memory with five domains loaded.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMlp } from '../models/build/onnx/mlp.js';
import { InferencePool, ModelRegistry, type Isolation } from '../runtime/inference/index.js';

const DOMAINS = ['adas', 'chassis', 'powertrain', 'cockpit', 'body'] as const;
const SIZES = [32, 64, 64, 4];
const ROUNDS = 5;
const CALLS_PER_ROUND = 2_000;
const WARMUP = 300;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function summary(samplesUs: number[]): { p50: number; p99: number; n: number } {
  const s = [...samplesUs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), n: s.length };
}

function writeModels(root: string): void {
  DOMAINS.forEach((domain, k) => {
    const { bytes } = buildMlp({ sizes: SIZES, seed: k + 1, head: 'Softmax' });
    const dir = path.join(root, domain);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.onnx'), bytes);
    const manifest = {
      name: `${domain}-mlp`,
      version: '1.0.0',
      domain,
      inputs: [{ name: 'x', dtype: 'float32', shape: [-1, SIZES[0]] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [-1, SIZES[SIZES.length - 1]] }],
      variants: { fp32: { file: 'model.onnx', sha256: createHash('sha256').update(bytes).digest('hex'), cost_ms: { p50: 0.05, p99: 0.2 } } },
    };
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  });
}

const mb = (b: number): number => b / 2 ** 20;

/** Proportional set size in MB: shared pages (node, libonnxruntime) divided among the processes mapping them. */
function pssMb(pid: number): number {
  try {
    const kb = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

async function fiveDomainMemory(registry: ModelRegistry, isolation: Isolation): Promise<{ parent: number; workers: number; total: number; pss: number }> {
  const pool = await InferencePool.create({ registry });
  try {
    for (const d of DOMAINS) await pool.open(d, `${d}-mlp`, { isolation });
    const x = new Float32Array(32).fill(0.5);
    for (let k = 0; k < 200; k++) for (const d of DOMAINS) await pool.run(d, { x });
    await new Promise((r) => setTimeout(r, 200));
    const rss = await pool.workerRss();
    const workers = Object.values(rss).reduce<number>((a, b) => a + (b ?? 0), 0);
    const parent = process.memoryUsage().rss;
    const pids = new Set([process.pid, ...pool.health().flatMap((h) => (h.pid === undefined ? [] : [h.pid]))]);
    const pss = [...pids].reduce((a, pid) => a + pssMb(pid), 0);
    return { parent: mb(parent), workers: mb(workers), total: mb(parent + workers), pss };
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-bench-inf-'));
  try {
    writeModels(root);
    const registry = await ModelRegistry.create({ roots: [root] });

    // Memory first, while onnxruntime is not yet loaded into this process.
    console.log('memory: five domains, process isolation ...');
    const memProcess = await fiveDomainMemory(registry, 'process');
    console.log(`  parent ${memProcess.parent.toFixed(1)} MB + workers ${memProcess.workers.toFixed(1)} MB = ${memProcess.total.toFixed(1)} MB RSS, ${memProcess.pss.toFixed(1)} MB PSS`);

    console.log('latency: bare session vs pool (process, thread) ...');
    const ort = await import('onnxruntime-node');
    const bytes = buildMlp({ sizes: SIZES, seed: 1, head: 'Softmax' }).bytes;
    const bare = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      executionMode: 'sequential',
    });
    const pools: Record<Isolation, InferencePool> = {
      process: await InferencePool.create({ registry }),
      thread: await InferencePool.create({ registry }),
    };
    await pools.process.open('adas', 'adas-mlp', { isolation: 'process' });
    await pools.thread.open('adas', 'adas-mlp', { isolation: 'thread' });
    const x = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i));
    const runners: Record<'bare' | Isolation, () => Promise<unknown>> = {
      bare: () => bare.run({ x: new ort.Tensor('float32', x, [1, 32]) }),
      process: () => pools.process.run('adas', { x }),
      thread: () => pools.thread.run('adas', { x }),
    };
    const samples: Record<'bare' | Isolation, number[]> = { bare: [], process: [], thread: [] };
    for (const k of Object.keys(runners) as ('bare' | Isolation)[]) for (let i = 0; i < WARMUP; i++) await runners[k]();
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of Object.keys(runners) as ('bare' | Isolation)[]) {
        const run = runners[k];
        for (let i = 0; i < CALLS_PER_ROUND; i++) {
          const t0 = process.hrtime.bigint();
          await run();
          samples[k].push(Number(process.hrtime.bigint() - t0) / 1e3);
        }
      }
      console.log(`  round ${r + 1}/${ROUNDS} done`);
    }
    await pools.process.close();
    await pools.thread.close();
    await bare.release();
    const s = { bare: summary(samples.bare), process: summary(samples.process), thread: summary(samples.thread) };

    console.log('memory: five domains, thread isolation ...');
    const memThread = await fiveDomainMemory(registry, 'thread');
    console.log(`  process total ${memThread.total.toFixed(1)} MB (parent includes onnxruntime loaded for the bare baseline)`);

    const added = (k: Isolation): number => s[k].p50 - s.bare.p50;
    const row = (name: string, v: { p50: number; p99: number; n: number }, extra: string): string =>
      `| ${name} | ${v.p50.toFixed(1)} | ${v.p99.toFixed(1)} | ${v.n} | ${extra} |`;
    const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    const out = [
      '## Inference overhead of isolation',
      '',
      `One MLP ${SIZES.join('→')} (Gemm+ReLU, softmax head, fp32, batch 1), onnxruntime-node ${ort.env.versions.node ?? ''}, 1 intra-op thread.`,
      `Bare \`InferenceSession.run\` in the calling process against \`InferencePool.run\` (feed checks + IPC + worker session run), ` +
        `${ROUNDS} interleaved rounds of ${CALLS_PER_ROUND} sequential calls each after ${WARMUP} warm-up calls; wall time per call in µs.`,
      '',
      '| path | median µs | p99 µs | calls | added median vs bare |',
      '|---|---:|---:|---:|---:|',
      row('bare InferenceSession.run (peer)', s.bare, '—'),
      row('pool, process isolation (default)', s.process, `${added('process').toFixed(1)} µs (${(s.process.p50 / s.bare.p50).toFixed(2)}×)`),
      row('pool, thread isolation', s.thread, `${added('thread').toFixed(1)} µs (${(s.thread.p50 / s.bare.p50).toFixed(2)}×)`),
      '',
      '| memory, five domains loaded | MB |',
      '|---|---:|',
      `| process isolation: parent RSS | ${memProcess.parent.toFixed(1)} |`,
      `| process isolation: five workers' RSS (sum) | ${memProcess.workers.toFixed(1)} |`,
      `| process isolation: total RSS (shared pages counted in every process) | ${memProcess.total.toFixed(1)} |`,
      `| process isolation: total PSS (shared pages divided among processes) | ${memProcess.pss.toFixed(1)} |`,
      `| thread isolation: process RSS (includes the bare baseline's onnxruntime) | ${memThread.total.toFixed(1)} |`,
      '',
      '| target | measured | verdict |',
      '|---|---|---|',
      `| added median ≤ 50 µs (process) | ${added('process').toFixed(1)} µs | ${met(added('process') <= 50)} |`,
      `| added median ≤ 50 µs (thread) | ${added('thread').toFixed(1)} µs | ${met(added('thread') <= 50)} |`,
      `| five domains ≤ 150 MB total (process, RSS sum) | ${memProcess.total.toFixed(1)} MB | ${met(memProcess.total <= 150)} |`,
      `| five domains ≤ 150 MB total (process, PSS sum) | ${memProcess.pss.toFixed(1)} MB | ${met(memProcess.pss <= 150)} |`,
      `| five domains ≤ 150 MB total (thread) | ${memThread.total.toFixed(1)} MB | ${met(memThread.total <= 150)} |`,
      '',
      'Measured with `process.hrtime` around each awaited call; RSS from /proc (VmRSS) for the workers and `process.memoryUsage()` for the parent, ' +
        'after 200 calls per domain; PSS from /proc/PID/smaps_rollup. Summed RSS counts the shared node binary and libonnxruntime once per worker, ' +
        'so it overstates what five domains really occupy; PSS counts each shared page once in total. The p99 includes scheduling noise of a shared 2-core machine.',
    ];
    console.log('--- results');
    console.log(out.join('\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
