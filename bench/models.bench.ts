/**
 * Domain models: latency of the fp32 and int8 variants of every shipped model, through the
 * project's session (manifest-checked OnnxSession, feeds checked per call) and on a bare
 * onnxruntime-node session in the same process and run, plus size and held-out accuracy per
 * variant (from each model's eval.json, written by `ecu-ai models build`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelRegistry } from '../runtime/inference/registry.js';
import { OnnxSession } from '../runtime/inference/session.js';
import { DOMAINS } from '../domains/index.js';
import { openVectorSession, percentile } from '../models/build/ort.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const modelsDir = path.resolve(here, '..', '..', 'models');
const RUNS = 3000;
const WARMUP = 300;

interface Stat {
  p50: number;
  p99: number;
}

async function time(run: () => Promise<unknown>): Promise<Stat> {
  for (let i = 0; i < WARMUP; i++) await run();
  const t = new Float64Array(RUNS);
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    t[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  t.sort();
  return { p50: percentile(t, 0.5), p99: percentile(t, 0.99) };
}

const f3 = (x: number): string => x.toFixed(3);

async function main(): Promise<void> {
  const registry = await ModelRegistry.create({ roots: [modelsDir] });
  const rows: string[] = [];
  const acc: string[] = [];
  for (const def of Object.values(DOMAINS)) {
    const x = new Float32Array(def.featureSize).map((_, i) => ((i * 37) % 11) / 11);
    const evalJson = JSON.parse(readFileSync(path.join(modelsDir, def.model, 'eval.json'), 'utf8')) as { eval: Record<string, Record<string, number> | number> };
    const stats: Record<string, Stat> = {};
    const sizes: Record<string, number> = {};
    for (const variant of ['fp32', 'int8'] as const) {
      const loaded = await registry.loadVariant({ name: def.model }, variant);
      sizes[variant] = loaded.bytes.length;
      // Interleave bare and wrapped in one run so both see the same machine load.
      const bare = await openVectorSession(loaded.bytes, def.featureSize);
      const session = await OnnxSession.create(loaded.bytes, { domain: def.domain, label: `${def.model}#${variant}`, inputs: loaded.manifest.inputs, outputs: loaded.manifest.outputs, threads: 1 });
      const feeds = { [loaded.manifest.inputs[0]?.name ?? 'features']: { data: x, dims: [1, def.featureSize] } };
      stats[`bare-${variant}`] = await time(() => bare.run(x));
      stats[variant] = await time(() => session.run(feeds));
      console.log(`${def.model} ${variant}: session p50 ${f3(stats[variant].p50)} ms, bare p50 ${f3(stats[`bare-${variant}`]!.p50)} ms`);
      await bare.release();
      await session.release();
    }
    const s = (k: string): Stat => stats[k] as Stat;
    rows.push(
      `| ${def.model} | ${sizes.fp32} | ${sizes.int8} | ${f3(s('fp32').p50)} / ${f3(s('fp32').p99)} | ${f3(s('int8').p50)} / ${f3(s('int8').p99)} | ${f3(s('bare-fp32').p50)} / ${f3(s('bare-fp32').p99)} | ${f3(s('bare-int8').p50)} / ${f3(s('bare-int8').p99)} | ${(s('int8').p50 / s('fp32').p50).toFixed(2)} | ${(s('fp32').p50 / s('bare-fp32').p50).toFixed(2)} | ${def.deadlineMs} | ${s('fp32').p99 < def.deadlineMs && s('int8').p99 < def.deadlineMs ? 'yes' : 'NO'} |`,
    );
    const e = evalJson.eval as Record<string, Record<string, number>>;
    const fmt = (m: Record<string, number> | undefined): string => (m ? Object.entries(m).filter(([k]) => k !== 'warnings').map(([k, v]) => `${k} ${Number(v.toFixed(4))}`).join(', ') : '-');
    acc.push(`| ${def.model} | ${fmt(e.fp32)} | ${fmt(e.int8)} | ${fmt(e.fallback)} |`);
  }
  console.log('--- results');
  console.log(
    [
      '## Domain models: latency, size and accuracy per variant',
      '',
      `Latency of one inference ([1, F] float32 in), p50 / p99 in ms over ${RUNS} calls after ${WARMUP} warm-up calls, one intra-op thread, in one process. "session" is the runtime's OnnxSession (manifest-checked, feeds checked per call); "bare" is a plain onnxruntime-node InferenceSession with the same options, measured in the same run. Target: p99 under the domain's deadline (the model is a small share of the budget).`,
      '',
      '| model | fp32 bytes | int8 bytes | fp32 session | int8 session | fp32 bare | int8 bare | int8/fp32 (p50) | session/bare fp32 (p50) | deadline ms | p99 < deadline |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      'Held-out accuracy per variant (from each model\'s eval.json: the simulator scenarios on seeds not used in training):',
      '',
      '| model | fp32 | int8 | rule-based fallback |',
      '|---|---|---|---|',
      ...acc,
      '',
    ].join('\n'),
  );
}

await main();
