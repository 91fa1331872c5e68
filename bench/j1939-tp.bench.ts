/**
 * J1939 on the receive path: transport-protocol reassembly rate (sessions/s, frames/s, payload MB/s)
 * on generated streams of interleaved BAM and RTS/CTS sessions, and the DBC lookup-and-decode of
 * J1939 frames (matched by PGN from another source address, or by exact id) against the same
 * message in a database without J1939 attributes (the standard, exact-id path), in the same run.
 *
 * `node dist/bench/j1939-tp.bench.js [SECONDS]` (default 1 s per case).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDatabase, decodeDbcBytes, parseDbc, type CompiledDatabase } from '../bus/dbc/index.js';
import { makeFrame, type CanFrame } from '../bus/frame.js';
import { TransportReassembler, makeJ1939Id, tpSessionFrames } from '../bus/j1939/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const demoDbc = path.resolve(repoRoot, '..', 'shared', 'data', 'traces', 'mf4', 'CSS-Electronics-SAE-J1939-DEMO.dbc');
const SECONDS = Number(process.argv[2] ?? 1);

/** Deterministic pseudo-random numbers (xorshift), so every run measures the same stream. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

interface Stream {
  label: string;
  frames: CanFrame[];
  sessions: number;
  bytes: number;
}

/**
 * `count` sessions from 32 sources, half BAM and half RTS/CTS (8 packets per CTS), each frame 10 ms
 * after the last of its session and a new session every 5 ms (or when its source is free), so that
 * many are open at once.
 */
function makeStream(label: string, count: number, size: (r: () => number) => number): Stream {
  const r = prng(count);
  const frames: CanFrame[] = [];
  // J1939-21 allows one session per (source, destination) at a time: a source's next session of a
  // kind starts after its last one ended.
  const freeAt = new Map<number, number>();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const data = Uint8Array.from({ length: size(r) }, () => Math.floor(r() * 256));
    bytes += data.length;
    const rts = i % 2 === 1;
    const sa = i % 32;
    const key = sa * 2 + (rts ? 1 : 0);
    const session = tpSessionFrames({
      pgn: rts ? 0xef00 : 0xfee3, sourceAddress: sa, ...(rts ? { destinationAddress: 0x80 } : {}),
      data, start: Math.max(i * 0.005, freeAt.get(key) ?? 0), gap: 0.01, packetsPerCts: 8,
    });
    freeAt.set(key, (session[session.length - 1] as CanFrame).timestamp + 0.01);
    frames.push(...session);
  }
  frames.sort((a, b) => a.timestamp - b.timestamp);
  return { label, frames, sessions: count, bytes };
}

function timeReassembly(stream: Stream): { sessionsPerS: number; framesPerS: number; mbPerS: number; peak: number } {
  let passes = 0;
  let peak = 0;
  const pass = (): void => {
    const r = new TransportReassembler({ maxSessions: 256 });
    let done = 0;
    for (const f of stream.frames) if (r.push(f)) done++;
    if (done !== stream.sessions) throw new Error(`${stream.label}: ${done} of ${stream.sessions} sessions reassembled: ${JSON.stringify(r.stats.drops)}`);
    peak = r.stats.peakSessions;
  };
  pass(); // warm up the JIT
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    pass();
    passes++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return {
    sessionsPerS: (passes * stream.sessions) / elapsed,
    framesPerS: (passes * stream.frames.length) / elapsed,
    mbPerS: (passes * stream.bytes) / elapsed / 1e6,
    peak,
  };
}

/** Lookups plus decodes per second of `frames` through `forFrame` (a miss counts as one lookup). */
function timeLookupDecode(compiled: CompiledDatabase, frames: readonly CanFrame[]): number {
  const keep: unknown[] = new Array(1024);
  let hits = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const f = frames[i % frames.length] as CanFrame;
      const codec = compiled.forFrame(f);
      if (codec) {
        keep[i & 1023] = codec.decode(f.data);
        hits++;
      }
    }
  };
  run(200_000);
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    run(100_000);
    n += 100_000;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  if (hits === 0 && keep.length === 0) throw new Error('nothing decoded');
  return n / elapsed;
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
}

function main(): void {
  const loadBefore = os.loadavg()[0] ?? 0;
  const streams = [
    makeStream('40-byte messages (6 packets)', 2000, () => 40),
    makeStream('9 to 1785 bytes, uniform (mean 128 packets)', 400, (r) => 9 + Math.floor(r() * 1777)),
    makeStream('1785 bytes (255 packets)', 200, () => 1785),
  ];
  const tp = streams.map((s) => ({ s, ...timeReassembly(s) }));
  for (const row of tp) console.log(`tp ${row.s.label}: ${fmt(row.sessionsPerS)} sessions/s, ${fmt(row.framesPerS)} frames/s`);

  const text = decodeDbcBytes(readFileSync(demoDbc));
  const j1939 = compileDatabase(parseDbc(text).database);
  // The same file without its J1939 attributes: the same messages, looked up by exact id only.
  const standard = compileDatabase(parseDbc(text.split('\n').filter((l) => !/VFrameFormat|ProtocolType/.test(l)).join('\n')).database);
  if (!j1939.j1939 || standard.j1939) throw new Error('the demo DBC did not compile as expected');
  const r = prng(7);
  const payload = (): number[] => Array.from({ length: 8 }, () => Math.floor(r() * 256));
  const exact = [0x0cf004fe, 0x18fef1fe].flatMap((id) => Array.from({ length: 128 }, () => makeFrame({ id, extended: true, data: payload() })));
  const otherSources = Array.from({ length: 256 }, (_, i) =>
    makeFrame({ id: makeJ1939Id({ priority: 3 + (i % 4), pgn: i % 2 === 0 ? 0xf004 : 0xfef1, sourceAddress: i % 250 }), extended: true, data: payload() }),
  );
  const unknown = Array.from({ length: 256 }, (_, i) => makeFrame({ id: makeJ1939Id({ priority: 6, pgn: 0xfe00 + (i % 200), sourceAddress: i % 250 }), extended: true, data: payload() }));
  const cases = [
    { label: 'no J1939 attributes, exact ids (the standard path)', compiled: standard, frames: exact },
    { label: 'J1939 DBC, exact ids', compiled: j1939, frames: exact },
    { label: 'J1939 DBC, other sources and priorities (by PGN)', compiled: j1939, frames: otherSources },
    { label: 'no J1939 attributes, ids not in the DBC (miss)', compiled: standard, frames: unknown },
    { label: 'J1939 DBC, PGNs not in the DBC (miss)', compiled: j1939, frames: unknown },
  ];
  // A first round makes the lookup and decode call sites see every database, as a program reading
  // several buses would: otherwise the first case alone runs with them monomorphic and looks faster.
  for (const c of cases) timeLookupDecode(c.compiled, c.frames);
  const lookups = cases.map((c) => ({ label: c.label, rate: timeLookupDecode(c.compiled, c.frames) }));
  for (const l of lookups) console.log(`lookup ${l.label}: ${fmt(l.rate)}/s`);
  const loadAfter = os.loadavg()[0] ?? 0;

  console.log('--- results');
  console.log(
    [
      '## J1939 transport reassembly and lookup by PGN (`bench/j1939-tp.bench.ts`)',
      '',
      '| stream | sessions | frames | sessions/s | frames/s | payload MB/s | sessions open at most |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...tp.map((t) => `| ${t.s.label} | ${t.s.sessions} | ${t.s.frames.length} | ${fmt(t.sessionsPerS)} | ${fmt(t.framesPerS)} | ${t.mbPerS.toFixed(1)} | ${t.peak} |`),
      '',
      '| EEC1 / CCVS1 of the CSS J1939 demo DBC, 8-byte frames | lookups + decodes/s |',
      '|---|---:|',
      ...lookups.map((l) => `| ${l.label} | ${fmt(l.rate)} |`),
      '',
      `How: each stream is generated once (half BAM, half RTS/CTS with 8 packets per CTS, 32 sources, a session every 5 ms and a frame every 10 ms per session, all frames of both directions) and fed whole to a new \`TransportReassembler\` per pass for ${SECONDS} s after one warm-up pass; every session must come out whole. Lookups: \`forFrame\` then \`decode\` per frame over 256 frames for ${SECONDS} s after 200k warm-up, in a second round after every case ran once (so no case has the call sites to itself); a miss costs the lookup only. Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end, on 2 shared cores: absolute figures are noisy, rows of one table compare like with like.`,
    ].join('\n'),
  );
}

main();
