/**
 * MF4 reading speed and memory. (1) The largest CANedge sample in ../shared/data/traces/mf4, read
 * REPEAT times over (default 200) through `batches()`, best of 3: frames per second on a real logger
 * file. (2) Synthetic MF4 files of SIZES_MB (default 128 and 1024 MiB) written here with
 * `openMf4Writer` in the CANedge layout (one data group, payloads in a VLSD group; plain DT blocks in a
 * DL list, cached in bench/out/mf4-read/), each read by a fresh process that reports its frames,
 * seconds and peak RSS: the same peak for an eight times larger file is what constant memory means.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CanFrame } from '../bus/frame.js';
import { openMf4Writer, openTraceReader } from '../bus/trace/index.js';
import { projectRoot } from '../cli/paths.js';

const REPEAT = Number(process.env.REPEAT ?? 200);
const SIZES_MB = (process.env.SIZES_MB ?? '128,1024').split(',').map(Number);
const OUT = path.resolve(projectRoot, 'bench', 'out', 'mf4-read');
const SAMPLES = path.resolve(projectRoot, '..', 'shared', 'data', 'traces', 'mf4');

const load = (): string => os.loadavg().map((v) => v.toFixed(2)).join(' / ');

async function countFrames(file: string): Promise<number> {
  let n = 0;
  for await (const batch of openTraceReader(file).batches()) for (const f of batch) if (f.dlc >= 0) n++;
  return n;
}

/** Frames of a busy bus: every 4th CAN FD of 16 to 64 bytes, the rest classic 8 bytes, 32 ids, 2 channels. */
function syntheticFrame(i: number, payloads: readonly Uint8Array[]): CanFrame {
  const fd = i % 4 === 0;
  const data = payloads[fd ? 1 + (i % 3) : 0] as Uint8Array;
  return {
    timestamp: 1_700_000_000 + i * 0.0001, channel: i % 2 === 0 ? 'can0' : 'can1', id: i % 8 === 1 ? 0x18fef100 + (i % 32) : 0x100 + (i % 32),
    extended: i % 8 === 1, fd, brs: fd, esi: false, rtr: false, error: false, dlc: fd ? [10, 13, 15][i % 3]! : 8, data,
  };
}

async function synthetic(mb: number): Promise<string> {
  const file = path.join(OUT, `synthetic-${mb}MiB.mf4`);
  if (existsSync(file)) return file;
  mkdirSync(OUT, { recursive: true });
  console.log(`writing ${file} ...`);
  const payloads = [8, 16, 32, 64].map((n) => Uint8Array.from({ length: n }, (_, k) => (k * 37) & 0xff));
  // The writer fills a temporary file beside `file` and renames it on close: an interrupted run leaves no half file.
  const w = await openMf4Writer(file);
  let bytes = 0;
  for (let i = 0; bytes < mb * 2 ** 20; i++) {
    const f = syntheticFrame(i, payloads);
    await w.write(f);
    bytes += 1 + 24 + 1 + 4 + f.data.length;
  }
  await w.close();
  return file;
}

/** Child mode: read FILE once, print frames, seconds and peak RSS as JSON. */
async function readOnce(file: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const frames = await countFrames(file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ frames, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function main(): Promise<void> {
  const loadBefore = load();
  const rows: string[] = [];
  const sample = readdirSync(SAMPLES).filter((f) => f.endsWith('.MF4')).map((f) => path.join(SAMPLES, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (sample === undefined) throw new Error(`no MF4 sample in ${SAMPLES}`);
  let best = Number.POSITIVE_INFINITY;
  let frames = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    frames = 0;
    for (let r = 0; r < REPEAT; r++) frames += await countFrames(sample);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  rows.push(`| ${path.basename(sample)} x ${REPEAT} (real, unfinalized) | ${(statSync(sample).size / 2 ** 20).toFixed(2)} each | ${frames} | ${(frames / best).toFixed(0)} | - |`);
  for (const mb of SIZES_MB) {
    const file = await synthetic(mb);
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, MF4_READ_ONCE: file }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`reading ${file} failed: ${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { frames: number; seconds: number; peakRssMiB: number };
    console.log(`${file}: ${m.frames} frames in ${m.seconds.toFixed(2)} s, peak RSS ${m.peakRssMiB.toFixed(0)} MiB`);
    rows.push(`| synthetic ${mb} MiB (DT blocks of 4 MiB in a DL list) | ${(statSync(file).size / 2 ** 20).toFixed(0)} | ${m.frames} | ${(m.frames / m.seconds).toFixed(0)} | ${m.peakRssMiB.toFixed(0)} |`);
  }
  const md = [
    '## MF4 reading (mf4-read)',
    '',
    '| file | MiB | frames | frames/s (`batches()`) | peak RSS of the reading process, MiB |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `How: the largest CANedge sample read ${REPEAT} times over in this process, best of 3; each synthetic file (written by \`openMf4Writer\`, the CANedge layout: 1-byte record ids, 24-byte frame records each followed by its payload in a VLSD record) read once by a fresh \`node\` process, whose peak RSS (\`process.resourceUsage().maxRSS\`) includes Node itself. Every frame is touched (its DLC read).`,
    `Machine load average (1/5/15 min) on ${os.cpus().length} shared cores: ${loadBefore} at the start, ${load()} at the end.`,
    '',
  ];
  console.log('--- results');
  console.log(md.join('\n'));
}

const once = process.env.MF4_READ_ONCE;
(once === undefined ? main() : readOnce(once)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
