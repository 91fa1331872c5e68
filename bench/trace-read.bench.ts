/**
 * Trace reading speed: ecu-ai readers against python-can 4.1's `can.LogReader` on the same files.
 * python-can generates ~1M frames (classic and FD, 11- and 29-bit ids, 16 ids) and writes them as
 * .log, .asc, .blf and .trc into bench/out/trace-read/ (cached between runs); then both tools read
 * every file in the same run and the ratios are printed. ecu-ai is measured through both public ways
 * of reading: frame by frame (`for await (const f of reader)`) and in batches (`reader.batches()`,
 * the bulk-reading API, on which the targets are judged).
 *
 * MODE=process measures whole processes instead, node and python start-up included: `ecu-ai trace stats`
 * through the built CLI (dist/cli/main.js, `npm run build` first) against a python process iterating
 * `can.LogReader`, timed both from outside and by python itself around its loop. FRAMES overrides the
 * frame count (default 1M in-process, 1.7M for MODE=process; each count has its own cached files);
 * FORMATS=.log,.blf measures only the formats named.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTraceReader } from '../bus/trace/index.js';
import { projectRoot } from '../cli/paths.js';

const PROCESS_MODE = process.env.MODE === 'process';
const FRAMES = Number(process.env.FRAMES ?? (PROCESS_MODE ? 1_700_000 : 1_000_000));
const OUT = path.resolve('bench', 'out', 'trace-read', String(FRAMES));
const ALL_FORMATS = ['.log', '.asc', '.blf', '.trc'] as const;
// FORMATS=.log,.blf measures only those (the files are still generated for all four).
const FORMATS = process.env.FORMATS === undefined ? ALL_FORMATS : ALL_FORMATS.filter((ext) => (process.env.FORMATS as string).split(',').includes(ext));
const TARGET: Record<string, number> = { '.log': 10, '.asc': 10, '.blf': 3 };
const PYTHON = '/usr/bin/python3';

const GENERATE = String.raw`
import sys, random, can
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
ids = [(0x100 + 0x40 * k, False) for k in range(8)] + [(0x18DA0000 + 0x111 * k, True) for k in range(8)]
writers = [can.Logger(out + '/frames' + ext) for ext in ('.log', '.asc', '.blf', '.trc')]
t = 1700000000.0
for i in range(n):
    t += 0.0001 + rnd.random() * 0.0004
    arb, ext = ids[i % len(ids)]
    fd = i % 5 == 0
    length = rnd.choice([12, 16, 32, 64]) if fd else rnd.randint(0, 8)
    msg = can.Message(timestamp=round(t, 6), arbitration_id=arb, is_extended_id=ext, is_fd=fd, bitrate_switch=fd and i % 2 == 0,
                      data=bytes(rnd.getrandbits(8) for _ in range(length)), channel=i % 2)
    for w in writers:
        w.on_message_received(msg)
for w in writers:
    w.stop()
`;

const PY_READ = String.raw`
import sys, time, can
path = sys.argv[1]
t0 = time.perf_counter()
n = 0
for m in can.LogReader(path):
    n += 1
print(n, time.perf_counter() - t0)
`;

function ensureFiles(): void {
  mkdirSync(OUT, { recursive: true });
  if (ALL_FORMATS.every((ext) => existsSync(path.join(OUT, `frames${ext}`)))) {
    console.log(`using cached traces in ${OUT}`);
    return;
  }
  console.log(`generating ${FRAMES} frames with python-can into ${OUT} ...`);
  const r = spawnSync(PYTHON, ['-c', GENERATE, OUT, String(FRAMES)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`python-can could not generate the traces (status ${r.status})`);
}

type Way = 'frames' | 'batches';
const RUNS = 3;
const PY_RUNS = 2;

/** Best of RUNS wall-clock times reading every frame of `file` the given way; each frame is touched. */
async function ours(file: string, way: Way): Promise<{ frames: number; seconds: number }> {
  let best = Number.POSITIVE_INFINITY;
  let frames = 0;
  for (let run = 0; run < RUNS; run++) {
    const t0 = process.hrtime.bigint();
    let n = 0;
    if (way === 'frames') {
      for await (const f of openTraceReader(file)) if (f.dlc >= 0) n++;
    } else {
      for await (const batch of openTraceReader(file).batches()) for (const f of batch) if (f.dlc >= 0) n++;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    frames = n;
  }
  return { frames, seconds: best };
}

/** Best of PY_RUNS times python-can takes to iterate `file`, timed inside python (start-up excluded). */
function theirs(file: string): { frames: number; seconds: number } {
  let best = Number.POSITIVE_INFINITY;
  let frames = 0;
  for (let run = 0; run < PY_RUNS; run++) {
    const r = spawnSync(PYTHON, ['-c', PY_READ, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python-can failed on ${file}: ${r.stderr}`);
    const [n, s] = r.stdout.trim().split(/\s+/).map(Number);
    frames = n ?? 0;
    best = Math.min(best, s ?? Number.NaN);
  }
  return { frames, seconds: best };
}

/** Wall-clock seconds of a whole process, best of `runs`; throws when it fails. */
function wholeProcess(command: string, args: readonly string[], runs: number): { seconds: number; stdout: string } {
  let best = Number.POSITIVE_INFINITY;
  let stdout = '';
  for (let run = 0; run < runs; run++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    // The output of the best run, so what the process reports of itself (python's loop time) matches it.
    if (seconds < best) stdout = r.stdout;
    best = Math.min(best, seconds);
  }
  return { seconds: best, stdout };
}

/** `ecu-ai trace stats FILE` against python-can's loop, both as whole processes. */
function processMode(loadBefore: string): void {
  const cliEntry = path.join(projectRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run npm run build first`);
  const rows: string[] = [];
  for (const ext of FORMATS) {
    const file = path.join(OUT, `frames${ext}`);
    const ours = wholeProcess(process.execPath, [cliEntry, 'trace', 'stats', file, '--json'], RUNS);
    const frames = (JSON.parse(ours.stdout) as { frames: number }).frames;
    const py = wholeProcess(PYTHON, ['-c', PY_READ, file], PY_RUNS);
    const [pyFrames, pyLoop] = py.stdout.trim().split(/\s+/).map(Number);
    const vsWhole = (pyFrames ?? 0) / py.seconds / (frames / ours.seconds);
    const ratio = 1 / vsWhole;
    const vsLoop = ((frames / ours.seconds) / ((pyFrames ?? 0) / (pyLoop ?? Number.NaN)));
    const target = TARGET[ext];
    console.log(`${ext}: ecu-ai trace stats ${frames} frames in ${ours.seconds.toFixed(3)} s; python ${pyFrames} frames in ${py.seconds.toFixed(3)} s (loop ${pyLoop?.toFixed(3)} s)`);
    rows.push(
      `| ${ext} | ${frames} | ${ours.seconds.toFixed(2)} | ${pyFrames} | ${py.seconds.toFixed(2)} | ${(pyLoop ?? Number.NaN).toFixed(2)} | ` +
        `${ratio.toFixed(1)}x | ${vsLoop.toFixed(1)}x | ${target === undefined ? '-' : `>= ${target}x: ${ratio >= target ? 'met' : 'NOT met'}`} |`,
    );
  }
  const md = [
    '## Trace reading, whole processes (trace-read, MODE=process)',
    '',
    '| format | ecu-ai frames | `ecu-ai trace stats` s | python-can frames | python process s | python loop s | ratio (whole processes) | ratio (ecu-ai process vs python loop) | target |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `How: ${FRAMES.toLocaleString('en-US')} frames generated by python-can 4.1 as above. ecu-ai: \`node dist/cli/main.js trace stats FILE --json\` as a child process, wall clock from spawn to exit (node start included), best of ${RUNS}. python-can: \`python3 -c "for m in can.LogReader(path): n += 1"\` as a child process, wall clock from spawn to exit (interpreter start and \`import can\` included), best of ${PY_RUNS}; its own loop time (perf_counter around the loop) in its own column. Ratios compare frames per second.`,
    `Machine load average (1/5/15 min) on ${os.cpus().length} shared cores: ${loadBefore} at the start, ${load()} at the end.`,
    '',
  ];
  console.log('--- results');
  console.log(md.join('\n'));
}

const rate = (x: number): string => Math.round(x).toLocaleString('en-US');
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' / ');

async function main(): Promise<void> {
  ensureFiles();
  const loadBefore = load();
  console.log(`load average (1/5/15 min) at start: ${loadBefore} on ${os.cpus().length} cores`);
  if (PROCESS_MODE) {
    processMode(loadBefore);
    return;
  }
  const rows: string[] = [];
  for (const ext of FORMATS) {
    const file = path.join(OUT, `frames${ext}`);
    const mb = statSync(file).size / 2 ** 20;
    const one = await ours(file, 'frames');
    console.log(`${ext}: ecu-ai frame by frame: ${one.frames} frames in ${one.seconds.toFixed(3)} s`);
    const bulk = await ours(file, 'batches');
    console.log(`${ext}: ecu-ai batches(): ${bulk.frames} frames in ${bulk.seconds.toFixed(3)} s`);
    if (bulk.frames !== one.frames) throw new Error(`${ext}: batches() gave ${bulk.frames} frames, the iterator ${one.frames}`);
    const py = theirs(file);
    console.log(`${ext}: python-can ${py.frames} frames in ${py.seconds.toFixed(3)} s`);
    const fOne = one.frames / one.seconds;
    const fBulk = bulk.frames / bulk.seconds;
    const fPy = py.frames / py.seconds;
    const target = TARGET[ext];
    const ratio = fBulk / fPy;
    rows.push(
      `| ${ext} | ${mb.toFixed(1)} | ${one.frames} | ${rate(fOne)} | ${rate(fBulk)} | ${py.frames} | ${rate(fPy)} | ` +
        `${(fOne / fPy).toFixed(1)}x | ${ratio.toFixed(1)}x | ${target === undefined ? '-' : `>= ${target}x: ${ratio >= target ? 'met' : 'NOT met'}`} |`,
    );
  }
  const loadAfter = load();
  const md = [
    '## Trace reading (trace-read)',
    '',
    '| format | file MiB | ecu-ai frames | ecu-ai frame by frame, frames/s | ecu-ai `batches()`, frames/s | python-can frames | python-can frames/s | ratio frame by frame | ratio `batches()` | target (on `batches()`) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `How: python-can 4.1 (Debian) generated ${FRAMES.toLocaleString('en-US')} frames (every 5th CAN FD of 12 to 64 bytes, the rest classic 0 to 8 bytes; 8 standard and 8 extended ids; 2 channels) and wrote them with its own writers into each format.`,
    `ecu-ai: \`openTraceReader(file)\` read to the end in this process, best of ${RUNS} runs each way: frame by frame with \`for await (const f of reader)\` (one promise per frame), and with \`for await (const batch of reader.batches())\` looping over each batch (one promise per batch of about a thousand frames; the bulk-reading API, on which the targets are judged). Every frame is touched (its DLC read) both ways.`,
    `python-can: \`for m in can.LogReader(path)\` iterated to the end, timed inside python (interpreter start excluded), best of ${PY_RUNS} runs.`,
    'Frame counts differ where a reader reads a format differently; the ratio compares frames per second.',
    `Machine load average (1/5/15 min) on ${os.cpus().length} shared cores: ${loadBefore} at the start, ${loadAfter} at the end; both tools ran under the same load, interleaved per format.`,
    '',
  ];
  console.log('--- results');
  console.log(md.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
