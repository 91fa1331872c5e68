/**
 * The main job's speed: the bundled ten-minute demo drive replayed through all five domains with
 * the shipped models in their isolated workers (virtual time), in multiples of real time. Beside it,
 * in the same run: reading the same trace alone (the floor any replay pays), so the ratio shows what
 * decoding, scheduling and five models add.
 */
import os from 'node:os';
import { Writable } from 'node:stream';
import { openTraceReader } from '../bus/trace/index.js';
import { replayAndReport } from '../cli/replay.js';
import { bundledDbc, bundledDemoConfig, bundledDemoLabels, bundledDemoTrace, bundledModels, projectRoot } from '../cli/paths.js';
import type { ReplaySummary } from '../runtime/engine/summary.js';

const RUNS = 2;

const sink = new Writable({ write: (_c, _e, cb) => cb() });

async function readOnly(): Promise<{ frames: number; seconds: number }> {
  const start = performance.now();
  let frames = 0;
  for await (const _f of openTraceReader(bundledDemoTrace)) frames++;
  return { frames, seconds: (performance.now() - start) / 1000 };
}

async function replayOnce(localOnly: boolean): Promise<ReplaySummary> {
  return replayAndReport(
    { trace: bundledDemoTrace, labels: bundledDemoLabels, config: bundledDemoConfig, dbc: bundledDbc, models: bundledModels, pace: undefined, localOnly },
    { stdout: sink, stderr: sink, cwd: projectRoot },
    { quiet: true },
  );
}

async function main(): Promise<void> {
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const read = await readOnly();
  console.log(`trace read alone: ${read.frames} frames in ${read.seconds.toFixed(2)} s`);
  const runs: ReplaySummary[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await replayOnce(false);
    runs.push(s);
    console.log(`replay ${i + 1}: ${s.duration_s.toFixed(0)} s of driving in ${s.wall.elapsed_s} s = ${s.wall.speed_x}x real time`);
  }
  const local = await replayOnce(true);
  console.log(`replay without cloud: ${local.wall.speed_x}x`);
  const best = runs.reduce((a, b) => (b.wall.speed_x > a.wall.speed_x ? b : a));
  const inferences = Object.values(best.domains).reduce((a, d) => a + d.inferences, 0);
  const rows = Object.entries(best.domains).map(([name, d]) => {
    const w = best.wall.latency_ms[name];
    return `| ${name} | ${d.inferences} | ${d.latency_ms.p50} / ${d.latency_ms.p99} | ${w ? `${w.p50} / ${w.p99}` : '-'} |`;
  });
  console.log('--- results');
  console.log(
    [
      '## Demo drive replay (`bench/demo-replay.bench.ts`)',
      '',
      `The bundled demo drive (${best.trace.frames} frames, ${best.duration_s.toFixed(0)} s) through all five domains with the shipped models,`,
      `the default isolation (one worker process shared by the safety domains, one by cockpit and body), virtual time, embedded MQTT broker with one cloud worker. Load average at start: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| replay speed, best of ${RUNS} | ${best.wall.speed_x}x real time (${best.wall.elapsed_s} s wall) |`,
      `| replay speed, every run | ${runs.map((r) => `${r.wall.speed_x}x`).join(', ')} |`,
      `| replay speed without cloud (--local-only) | ${local.wall.speed_x}x |`,
      `| inferences served | ${inferences} (${(inferences / best.wall.elapsed_s).toFixed(0)}/s of wall time) |`,
      `| reading the trace alone (floor) | ${(read.frames / read.seconds / 1000).toFixed(0)}k frames/s, ${(best.duration_s / read.seconds).toFixed(0)}x real time |`,
      `| target: replay ≥ 100x real time | ${best.wall.speed_x >= 100 ? 'met' : 'not met'} |`,
      '',
      '| domain | inferences | modelled latency p50 / p99 ms | wall latency per call p50 / p99 ms |',
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

await main();
