/**
 * Simulator speed: `mixed-drive` for 600 s of simulated time (seed 1), as simulated seconds per
 * wall second and frames per second: the simulator alone (frames and labels generated, nothing
 * written) and the whole `ecu-ai sim` path writing a candump `.log` and the labels.
 * Peer, same run: python-can (Debian python3-can) writing the same frames with its candump-format
 * logger (`can.io.CanutilsLogWriter`), timed over the write alone, against our trace writer writing
 * the same frames (held in memory) to the same format.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTraceWriter } from '../bus/trace/index.js';
import type { CanFrame } from '../bus/frame.js';
import { simulate } from '../sim/simulate.js';
import { writeSimulation } from '../sim/write.js';

const SCENARIO = 'mixed-drive';
const DURATION_S = Number(process.argv[2] ?? 600);
const SEED = 1;
const RUNS = 3;
/** "A ten-minute drive in a few seconds": at least 100x real time for the whole path. */
const TARGET_SPEEDUP = 100;
const PYTHON = '/usr/bin/python3';

function medianT(xs: Timing[]): Timing {
  return [...xs].sort((a, b) => a.wallS - b.wallS)[Math.floor(xs.length / 2)] as Timing;
}

interface Timing {
  wallS: number;
  cpuS: number;
}

function timed<T>(f: () => T): [T, Timing] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const c = process.cpuUsage(c0);
  return [out, { wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 }];
}

async function timedAsync<T>(f: () => Promise<T>): Promise<[T, Timing]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await f();
  const c = process.cpuUsage(c0);
  return [out, { wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 }];
}

function generatorOnly(keep: CanFrame[] | undefined): { frames: number; labels: number } {
  const it = simulate({ scenario: SCENARIO, durationS: DURATION_S, seed: SEED });
  let r = it.next();
  while (!r.done) {
    if (keep && r.value.kind === 'frame') keep.push(r.value.frame);
    r = it.next();
  }
  return { frames: r.value.frames, labels: r.value.labels };
}

const PEER = `
import sys, time, can
from can.io import CanutilsLogReader, CanutilsLogWriter
msgs = list(CanutilsLogReader(sys.argv[1]))
t0 = time.perf_counter()
w = CanutilsLogWriter(sys.argv[2], channel="can0")
for m in msgs:
    w.on_message_received(m)
w.stop()
print(len(msgs), time.perf_counter() - t0)
`;
import { median } from './median.js';

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-bench-sim-'));
  try {
    const gen: Timing[] = [];
    const full: Timing[] = [];
    let frames = 0;
    let labels = 0;
    for (let i = 0; i < RUNS; i++) {
      const [g, tg] = timed(() => generatorOnly(undefined));
      gen.push(tg);
      frames = g.frames;
      labels = g.labels;
      console.log(`generator run ${i + 1}: ${tg.wallS.toFixed(2)} s wall, ${tg.cpuS.toFixed(2)} s CPU for ${DURATION_S} s (${g.frames} frames, ${g.labels} labels)`);
      const [, tw] = await timedAsync(() =>
        writeSimulation({ scenario: SCENARIO, durationS: DURATION_S, seed: SEED, out: path.join(dir, 'drive.log'), labels: path.join(dir, 'labels.jsonl') }),
      );
      full.push(tw);
      console.log(`write run ${i + 1}: ${tw.wallS.toFixed(2)} s wall, ${tw.cpuS.toFixed(2)} s CPU`);
    }
    const held: CanFrame[] = [];
    generatorOnly(held);
    const writes: Timing[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [, tw] = await timedAsync(async () => {
        const w = await openTraceWriter(path.join(dir, 'ours.log'));
        for (const f of held) await w.write(f);
        await w.close();
      });
      writes.push(tw);
      console.log(`our writer, write only: ${tw.wallS.toFixed(2)} s`);
    }
    const genT = medianT(gen);
    const fullT = medianT(full);
    const oursWrite = medianT(writes);
    const traceBytes = statSync(path.join(dir, 'drive.log')).size;
    let peerLine = '| python-can `CanutilsLogWriter`, write only | not measured (python3-can missing) | | | |';
    let ratioLine = '';
    const peerTimes: number[] = [];
    let peerN = 0;
    for (let i = 0; i < RUNS; i++) {
      const peer = spawnSync(PYTHON, ['-c', PEER, path.join(dir, 'drive.log'), path.join(dir, 'peer.log')], { encoding: 'utf8' });
      if (peer.status !== 0) {
        console.log(`python-can peer failed: ${peer.stderr}`);
        break;
      }
      const [n, secs] = peer.stdout.trim().split(/\s+/).map(Number) as [number, number];
      peerN = n;
      peerTimes.push(secs);
      console.log(`python-can wrote ${n} frames in ${secs.toFixed(2)} s`);
    }
    if (peerTimes.length === RUNS) {
      const secs = median(peerTimes);
      peerLine = `| python-can \`CanutilsLogWriter\`, write only (same frames) | ${secs.toFixed(2)} | | | ${(peerN / secs).toFixed(0)} |`;
      ratioLine = `Trace writing alone, ours vs python-can on the same frames: ${(peerN / oursWrite.wallS / (peerN / secs)).toFixed(2)}x the frames per second.`;
    }
    const speedGen = DURATION_S / genT.wallS;
    const speedFull = DURATION_S / fullT.wallS;
    const speedFullCpu = DURATION_S / fullT.cpuS;
    const load = os.loadavg()[0]!.toFixed(1);
    const lines = [
      '## Simulator (`ecu-ai sim`)',
      '',
      `\`${SCENARIO}\`, ${DURATION_S} s simulated, seed ${SEED}: ${frames} frames, ${labels} labels, ${(traceBytes / 2 ** 20).toFixed(1)} MiB candump trace. Median of ${RUNS} runs.`,
      '',
      '| what | wall s | CPU s | simulated s per wall s (x real time) | frames/s (wall) |',
      '|---|---|---|---|---|',
      `| simulator alone (frames + labels generated, not written) | ${genT.wallS.toFixed(2)} | ${genT.cpuS.toFixed(2)} | ${speedGen.toFixed(0)} | ${(frames / genT.wallS).toFixed(0)} |`,
      `| whole path: trace \`.log\` + labels \`.jsonl\` written | ${fullT.wallS.toFixed(2)} | ${fullT.cpuS.toFixed(2)} | ${speedFull.toFixed(0)} | ${(frames / fullT.wallS).toFixed(0)} |`,
      `| our trace writer, write only (same frames, held in memory) | ${oursWrite.wallS.toFixed(2)} | ${oursWrite.cpuS.toFixed(2)} | | ${(frames / oursWrite.wallS).toFixed(0)} |`,
      peerLine,
      '',
      `Target: a 10-minute drive in a few seconds, i.e. at least ${TARGET_SPEEDUP}x real time for the whole path: ${speedFull >= TARGET_SPEEDUP ? 'met' : 'NOT met'} ` +
        `(${speedFull.toFixed(0)}x by wall time; ${speedFullCpu.toFixed(0)}x by CPU time, what an idle machine would approach). Baseline peer for speed: real time, 1x.`,
      ratioLine,
      '',
      `How: \`performance.now()\` and \`process.cpuUsage()\` around each run in one Node process; the python peer reads our trace with python-can and times only its writer. ` +
        `The machine is shared: 1-minute load average ${load} at the end of the run on ${os.cpus().length} cores, so figures are pessimistic.`,
      '',
    ];
    console.log('--- results');
    console.log(lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
