/**
 * Real-time replay accuracy: a generated 10 s trace at about 2000 frames/s (24 ids, 5 to 100 ms
 * periods with jitter) replayed at speed 1 onto a virtual bus, against python-can's player
 * (`can.MessageSync` over the same frames as a candump .log, sending onto its `virtual` bus) in the
 * same run. Then the same trace at max speed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bytesToHex, makeFrame, type CanFrame } from '../bus/frame.js';
import { replay, type ReplayStats } from '../bus/replay.js';
import { VirtualNetwork } from '../bus/transport/virtual.js';
import { RealClock } from '../runtime/clock.js';

const SYSTEM_PYTHON = '/usr/bin/python3';
const TRACE_SECONDS = 10;
const START = 1_700_000_000;

/** Deterministic trace: ids with fixed periods, random phases and up to 10% period jitter. */
function generateTrace(): CanFrame[] {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const periods = [...Array<number>(8).fill(0.005), ...Array<number>(8).fill(0.02), ...Array<number>(8).fill(0.1)];
  const frames: CanFrame[] = [];
  periods.forEach((period, k) => {
    const id = k % 3 === 0 ? 0x18da0000 + k : 0x100 + k * 0x21;
    for (let t = rand() * period; t < TRACE_SECONDS; t += period * (0.95 + rand() * 0.1)) {
      const data = Array.from({ length: 8 }, () => Math.floor(rand() * 256));
      frames.push(makeFrame({ id, extended: id > 0x7ff, data, timestamp: START + Math.round(t * 1e6) / 1e6 }));
    }
  });
  return frames.sort((a, b) => a.timestamp - b.timestamp);
}

function writeCandump(frames: readonly CanFrame[], file: string): void {
  const lines = frames.map((f) => {
    const id = f.extended ? f.id.toString(16).toUpperCase().padStart(8, '0') : f.id.toString(16).toUpperCase().padStart(3, '0');
    return `(${f.timestamp.toFixed(6)}) can0 ${id}#${bytesToHex(f.data).toUpperCase()}`;
  });
  writeFileSync(file, lines.join('\n') + '\n');
}

async function oursRealtime(frames: readonly CanFrame[]): Promise<ReplayStats & { wallS: number }> {
  const network = new VirtualNetwork();
  const tx = network.open('can0');
  const rx = network.open('can0');
  const ac = new AbortController();
  let received = 0;
  const draining = (async () => {
    for await (const _ of rx.frames(ac.signal)) received++;
  })();
  const clock = new RealClock();
  const t0 = performance.now();
  const stats = await replay(frames, tx, { clock, speed: 1 });
  const wallS = (performance.now() - t0) / 1000;
  await new Promise((r) => setImmediate(r));
  ac.abort();
  await draining;
  if (received !== frames.length) throw new Error(`reader saw ${received} of ${frames.length} frames`);
  await tx.close();
  await rx.close();
  return { ...stats, wallS };
}

async function oursMax(frames: readonly CanFrame[]): Promise<number> {
  const network = new VirtualNetwork();
  const tx = network.open('can0');
  const rx = network.open('can0', { queueLimit: frames.length });
  rx.frames();
  const t0 = performance.now();
  const stats = await replay(frames, tx, { clock: new RealClock(), speed: 'max' });
  const s = (performance.now() - t0) / 1000;
  await tx.close();
  await rx.close();
  return stats.frames / s;
}

interface PythonResult {
  frames: number;
  duration: number;
  p50: number;
  p99: number;
  max: number;
  max_fps: number;
}

const PYTHON_PLAYER = `
import sys, json, time, can
path = sys.argv[1]
tx = can.Bus(interface='virtual', channel='bench')
rx = can.Bus(interface='virtual', channel='bench')
late = []
first = None
start = time.perf_counter()
for msg in can.MessageSync(can.LogReader(path)):
    now = time.perf_counter()
    if first is None:
        first = msg.timestamp
    late.append(now - (start + msg.timestamp - first))
    tx.send(msg)
duration = time.perf_counter() - start
late.sort()
pick = lambda q: late[min(len(late) - 1, int(q * len(late)))]
# Max speed: the same reader and sends without MessageSync's waiting.
rx.shutdown(); rx = can.Bus(interface='virtual', channel='bench')
t0 = time.perf_counter(); n = 0
for msg in can.LogReader(path):
    tx.send(msg); n += 1
max_fps = n / (time.perf_counter() - t0)
print(json.dumps({'frames': len(late), 'duration': duration, 'p50': max(0.0, pick(0.5)), 'p99': max(0.0, pick(0.99)),
                  'max': max(0.0, late[-1]), 'max_fps': max_fps}))
`;

function pythonPlayer(logFile: string): PythonResult | string {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', PYTHON_PLAYER, logFile], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return `python-can player failed (${r.status ?? r.signal}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as PythonResult;
}

const ms = (s: number): string => (s * 1000).toFixed(3);

async function main(): Promise<void> {
  const frames = generateTrace();
  const traceS = frames.at(-1)!.timestamp - frames[0]!.timestamp;
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  console.log(`load average before: ${load} on ${os.cpus().length} cores`);
  console.log(`trace: ${frames.length} frames over ${traceS.toFixed(3)} s (${(frames.length / traceS).toFixed(0)} frames/s)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-replay-bench-'));
  const logFile = path.join(dir, 'trace.log');
  writeCandump(frames, logFile);

  console.log('ecu-ai: real-time replay onto a virtual bus ...');
  const ours = await oursRealtime(frames);
  console.log(`  took ${ours.wallS.toFixed(3)} s, lateness p50 ${ms(ours.lateness.p50)} ms p99 ${ms(ours.lateness.p99)} ms max ${ms(ours.lateness.max)} ms`);
  console.log('ecu-ai: max-speed replay ...');
  const oursFps = await oursMax(frames);
  console.log(`  ${oursFps.toFixed(0)} frames/s`);
  console.log('python-can: MessageSync(LogReader) onto its virtual bus ...');
  const py = pythonPlayer(logFile);
  rmSync(dir, { recursive: true, force: true });
  if (typeof py === 'string') console.log(`  ${py}`);
  else console.log(`  took ${py.duration.toFixed(3)} s, lateness p50 ${ms(py.p50)} ms p99 ${ms(py.p99)} ms max ${ms(py.max)} ms; max speed ${py.max_fps.toFixed(0)} frames/s`);

  const oursSlow = ours.wallS / traceS;
  const rows = [
    '| measure | ecu-ai | python-can 4.1 | ratio (python-can / ecu-ai) |',
    '|---|---|---|---|',
  ];
  if (typeof py === 'string') {
    rows.push(`| slowdown (achieved / trace duration) | ${oursSlow.toFixed(4)} | n/a | n/a |`);
    rows.push(`| lateness p50 / p99 / max (ms) | ${ms(ours.lateness.p50)} / ${ms(ours.lateness.p99)} / ${ms(ours.lateness.max)} | n/a | n/a |`);
    rows.push(`| max-speed replay (frames/s) | ${oursFps.toFixed(0)} | n/a | n/a |`);
  } else {
    const pySlow = py.duration / traceS;
    rows.push(`| slowdown (achieved / trace duration) | ${oursSlow.toFixed(4)} | ${pySlow.toFixed(4)} | ${(pySlow / oursSlow).toFixed(3)} |`);
    rows.push(`| lateness p50 (ms) | ${ms(ours.lateness.p50)} | ${ms(py.p50)} | ${(py.p50 / Math.max(ours.lateness.p50, 1e-9)).toFixed(2)} |`);
    rows.push(`| lateness p99 (ms) | ${ms(ours.lateness.p99)} | ${ms(py.p99)} | ${(py.p99 / Math.max(ours.lateness.p99, 1e-9)).toFixed(2)} |`);
    rows.push(`| lateness max (ms) | ${ms(ours.lateness.max)} | ${ms(py.max)} | ${(py.max / Math.max(ours.lateness.max, 1e-9)).toFixed(2)} |`);
    rows.push(`| max-speed replay (frames/s, higher is better) | ${oursFps.toFixed(0)} | ${py.max_fps.toFixed(0)} | ${(py.max_fps / oursFps).toFixed(3)} |`);
  }
  const targets = [
    ['slowdown <= 1.01 (real time kept)', oursSlow <= 1.01],
    ['lateness p99 <= 1 ms', ours.lateness.p99 <= 0.001],
    ['max-speed replay >= 100 000 frames/s', oursFps >= 100_000],
  ] as const;
  console.log('--- results');
  console.log(
    [
      '## Real-time replay (bench/replay-realtime.bench.ts)',
      '',
      `A generated trace of ${frames.length} frames over ${traceS.toFixed(2)} s (${(frames.length / traceS).toFixed(0)} frames/s, 24 ids, 5 to 100 ms periods with jitter), ` +
        'replayed at speed 1 onto a virtual bus with a reader draining it, against python-can\'s player ' +
        '(`can.MessageSync(can.LogReader(trace.log))` sending onto its `virtual` bus, the same frames as a candump .log) in the same run, ' +
        'then at max speed (ecu-ai: `replay(..., { speed: "max" })` from memory; python-can: `LogReader` straight into `send`).',
      '',
      ...rows,
      '',
      'Lateness is how long after its scheduled time (start + trace offset) each frame was handed to the bus. ' +
        'Slowdown is wall time of the whole replay over the trace duration (1.0 = real time). ' +
        `Load average (1/5/15 min) when the run started: ${load} on ${os.cpus().length} cores; lateness tails grow with load on both sides.`,
      '',
      '| target | met |',
      '|---|---|',
      ...targets.map(([t, ok]) => `| ${t} | ${ok ? 'yes' : 'no'} |`),
      '',
    ].join('\n'),
  );
}

await main();
