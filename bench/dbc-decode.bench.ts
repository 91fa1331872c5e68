/**
 * DBC decode throughput against canmatrix (Debian python3-canmatrix, `Frame.decode`), measured in
 * the same run on the same messages and payloads, plus the parse time of the 807 KB Ford DBC.
 *
 * Messages: vehicle.dbc RT_SB_INS_Slip (6 signals, 8 bytes), multiplex.dbc Message1 (multiplexed,
 * 8 bytes), foobar.dbc CanFd (64-byte CAN FD, two 64-bit signals: the BigInt path).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDatabase, decodeDbcBytes, loadDbcFile, parseDbc, type MessageCodec } from '../bus/dbc/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const dataDir = path.resolve(repoRoot, '..', 'shared', 'data', 'dbc');
const PYTHON = '/usr/bin/python3';
const SECONDS = Number(process.argv[2] ?? 1);
const TARGET_8BYTE = 3_000_000;
const TARGET_PARSE_MS = 200;

interface Case {
  label: string;
  file: string;
  message: string;
  payloads: Uint8Array[];
}

/** Deterministic pseudo-random bytes (xorshift), so every run decodes the same payloads. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  };
}

async function payloadsFor(file: string, message: string, count: number): Promise<Uint8Array[]> {
  const { database } = await loadDbcFile(path.join(dataDir, file));
  const codec = compileDatabase(database).byName(message) as MessageCodec;
  const next = prng(count + message.length);
  const out: Uint8Array[] = [];
  for (let tries = 0; out.length < count && tries < count * 1000; tries++) {
    const data = Uint8Array.from({ length: codec.message.length }, next);
    try {
      codec.decode(data); // multiplexed messages: keep only payloads whose switch value selects a branch
      out.push(data);
    } catch {
      /* try another */
    }
  }
  return out;
}

function timeOurs(codec: MessageCodec, payloads: readonly Uint8Array[]): number {
  // Results go into a ring the way a consumer would keep them, so the JIT cannot drop the allocation.
  const keep: unknown[] = new Array(1024);
  let sink = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) keep[i & 1023] = codec.decode(payloads[i % payloads.length] as Uint8Array);
    sink += keep.length;
  };
  run(200_000); // warm up the JIT
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    run(100_000);
    n += 100_000;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  if (sink === 0) throw new Error('nothing decoded');
  return n / elapsed;
}

const PY = `
import json, sys, time
import canmatrix.formats
req = json.load(sys.stdin)
out = {}
for c in req["cases"]:
    db = canmatrix.formats.loadp_flat(c["path"])
    frame = db.frame_by_name(c["message"])
    payloads = [bytes.fromhex(h) for h in c["payloads"]]
    for p in payloads[:50]: frame.decode(p)
    n = 0; t0 = time.perf_counter()
    while time.perf_counter() - t0 < req["seconds"]:
        for p in payloads: frame.decode(p)
        n += len(payloads)
    out[c["label"]] = n / (time.perf_counter() - t0)
t0 = time.perf_counter(); canmatrix.formats.loadp_flat(req["ford"]); out["ford_parse_ms"] = (time.perf_counter() - t0) * 1000
print(json.dumps(out))
`;
import { median } from './median.js';

function timeCanmatrix(cases: readonly Case[], ford: string): Record<string, number> | string {
  const input = JSON.stringify({
    seconds: SECONDS,
    ford,
    cases: cases.map((c) => ({ label: c.label, path: path.join(dataDir, c.file), message: c.message, payloads: c.payloads.slice(0, 256).map((p) => Buffer.from(p).toString('hex')) })),
  });
  const r = spawnSync(PYTHON, ['-c', PY], { input, encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 });
  if (r.status !== 0) return `canmatrix failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number>;
}

async function main(): Promise<void> {
  const cases: Case[] = [
    { label: '8-byte, 6 signals (vehicle.dbc RT_SB_INS_Slip)', file: 'vehicle.dbc', message: 'RT_SB_INS_Slip', payloads: [] },
    { label: 'multiplexed (multiplex.dbc Message1)', file: 'multiplex.dbc', message: 'Message1', payloads: [] },
    { label: '64-byte FD, 2 x 64-bit (foobar.dbc CanFd)', file: 'foobar.dbc', message: 'CanFd', payloads: [] },
  ];
  const loadBefore = os.loadavg()[0] ?? 0;
  const rows: { label: string; ours: number; theirs: number | undefined }[] = [];
  for (const c of cases) {
    c.payloads = await payloadsFor(c.file, c.message, 256);
    const { database } = await loadDbcFile(path.join(dataDir, c.file));
    const codec = compileDatabase(database).byName(c.message) as MessageCodec;
    console.log(`ecu-ai: ${c.label} ...`);
    rows.push({ label: c.label, ours: timeOurs(codec, c.payloads), theirs: undefined });
  }

  const fordPath = path.join(dataDir, 'opendbc', 'ford_lincoln_base_pt.dbc');
  const fordText = decodeDbcBytes(readFileSync(fordPath));
  const parseTimes: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    parseDbc(fordText);
    parseTimes.push(performance.now() - t0);
  }
  const firstParse = parseTimes[0] as number;
  const parseMs = median(parseTimes.slice(2));

  console.log('canmatrix: same messages and payloads ...');
  const cm = timeCanmatrix(cases, fordPath);
  if (typeof cm !== 'string') for (let i = 0; i < rows.length; i++) (rows[i] as (typeof rows)[number]).theirs = cm[(cases[i] as Case).label];

  const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`);
  const lines = [
    '## DBC decode',
    '',
    '| message | ecu-ai decodes/s | canmatrix decodes/s | ratio |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.label} | ${fmt(r.ours)} | ${r.theirs === undefined ? 'n/a' : fmt(r.theirs)} | ${r.theirs === undefined ? 'n/a' : `${(r.ours / r.theirs).toFixed(0)}x`} |`),
    '',
    '| parse ford_lincoln_base_pt.dbc (807 KB) | ecu-ai | canmatrix |',
    '|---|---:|---:|',
    `| median of 10 (after 2 warm-up) | ${parseMs.toFixed(1)} ms | ${typeof cm === 'string' ? 'n/a' : `${(cm.ford_parse_ms as number).toFixed(0)} ms (one load)`} |`,
    `| first parse, cold JIT | ${firstParse.toFixed(1)} ms | |`,
    '',
    `Targets: >= 3 M decodes/s for the 8-byte message: ${(rows[0]?.ours ?? 0) >= TARGET_8BYTE ? 'met' : 'NOT met'}; ` +
      `Ford parse under ${TARGET_PARSE_MS} ms: ${parseMs < TARGET_PARSE_MS ? 'met' : 'NOT met'}.`,
    '',
    `How: ${SECONDS} s of \`codec.decode(payload)\` (physical values, one object per frame) per message over 256 fixed pseudo-random ` +
      'payloads (multiplexed: only payloads whose switch selects a branch), after 200k warm-up decodes; canmatrix 0.9 `Frame.decode(bytes)` ' +
      `timed by /usr/bin/python3 on the same payloads in the same run.${typeof cm === 'string' ? ` (${cm})` : ''} ` +
      `Machine load average at the start: ${loadBefore.toFixed(1)} on ${os.cpus().length} cores (shared), so absolute figures are noisy; the ratios compare like with like.`,
  ];
  console.log('--- results');
  console.log(lines.join('\n'));
}

await main();
