/**
 * The SOME/IP-TP flood against the real daemon: `ecu-ai run` reads the bundled demo drive in real
 * time over socketcand while a second process sends one 1 MiB SOME/IP-TP message after another in
 * 16-byte segments, last segment first, to the daemon's SOME/IP service port: at about 54 KB/s (the
 * rate that used to starve the event loop), and at a rate far above what one sender may send.
 * Measured over the same window with and without the flood: the safety domains' deadline misses,
 * the daemon's peak RSS and the drops it counted.
 *
 * `node dist/bench/someip-tp-flood.bench.js [--compare ROOT]`: ROOT is a second checkout (built,
 * with node_modules) whose daemon is measured the same way, e.g. a commit before a change.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMessage, makeMessage, MessageType } from '../bus/someip/index.js';
import { replay } from '../bus/replay.js';
import { openTraceReader } from '../bus/trace/index.js';
import { serveSocketcand } from '../bus/transport/socketcand-server.js';
import { VirtualNetwork } from '../bus/transport/virtual.js';
import { bundledDemoTrace, projectRoot } from '../cli/paths.js';
import { RealClock } from '../runtime/clock.js';
import { startDaemon } from './daemon-process.js';

const WINDOW_S = Number(process.env['TP_FLOOD_WINDOW_S'] ?? 40);
const WARM_S = 8;
const SAFETY = ['adas', 'chassis', 'powertrain'] as const;
const MESSAGE_BYTES = 1 << 20;
const SEGMENT_BYTES = 16;
/** Datagrams per second: 65,535 segments in 43 s, as in the attack observed; then one far above a sender's allowed rate. */
const RATES = [1524, 20_000] as const;

/** The flooding process: `--flood HOST:PORT SECONDS`. */
async function flood(target: string, seconds: number, rate: number): Promise<void> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const socket = dgram.createSocket('udp4');
  const segments = MESSAGE_BYTES / SEGMENT_BYTES;
  const payload = new Uint8Array(SEGMENT_BYTES).fill(0xa5);
  let session = 1;
  let next = segments - 1;
  let sent = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      const m = makeMessage({ serviceId: 0x4a01, methodId: 0x0001, clientId: 0x6666, sessionId: session, messageType: MessageType.REQUEST, payload });
      socket.send(encodeMessage({ ...m, tp: { offset: next * SEGMENT_BYTES, more: next < segments - 1 } }), port, host);
      sent++;
      if (next-- === 0) {
        next = segments - 1;
        session = (session % 0xffff) + 1;
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  socket.close();
  console.log(JSON.stringify({ sent }));
}

function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => {
    const port = s.address().port;
    s.close(() => resolve(port));
  }));
}

async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const l of text.split('\n')) if (l && !l.startsWith('#')) out.set(l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1)));
  return out;
}

const misses = (m: Map<string, number>, d: string): number => m.get(`ecu_ai_deadline_misses_total{domain="${d}"}`) ?? 0;
const tpDrops = (m: Map<string, number>): number => [...m].filter(([k]) => k.startsWith('ecu_ai_someip_tp_dropped_total')).reduce((a, [, v]) => a + v, 0);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Run {
  readonly tree: string;
  /** Datagrams a second of the flood; 0 without one. */
  readonly rate: number;
  readonly misses: Record<string, number>;
  readonly rssStart: number;
  readonly rssPeak: number;
  readonly tpDrops: number;
  readonly rateLimited: number;
  readonly health: string;
  readonly sent: number;
  readonly load: number;
}

async function measure(tree: string, root: string, rate: number, dir: string, socketcandPort: number, network: VirtualNetwork): Promise<Run> {
  const servicePort = await freeUdpPort();
  const config = path.join(dir, `config-${path.basename(root)}-${rate}.json`);
  writeFileSync(config, JSON.stringify({ transports: [{ kind: 'socketcand', host: '127.0.0.1', port: socketcandPort, channel: 'can0' }], http: { host: '127.0.0.1', port: 0 }, someip: { sd_port: 0, service_port: servicePort } }));
  const { child, url } = await startDaemon(root, config);
  const pid = child.pid as number;
  const feeder = network.open('can0');
  const stop = new AbortController();
  const fed = replay(openTraceReader(bundledDemoTrace), feeder, { clock: new RealClock(), speed: 1, channels: () => 'can0', signal: stop.signal });
  await new Promise((r) => setTimeout(r, WARM_S * 1000));
  const before = await scrape(url);
  const rssStart = rssMb(pid);
  let rssPeak = rssStart;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 250);
  let sent = 0;
  let worstHealth = 'ok';
  const healthPoll = setInterval(() => {
    void fetch(`${url}/health`).then(async (r) => {
      const status = ((await r.json()) as { status: string }).status;
      if (status !== 'ok' && worstHealth !== 'down') worstHealth = status;
    }, () => undefined);
  }, 2000);
  if (rate > 0) {
    const flooder = spawn(process.execPath, [fileURLToPath(import.meta.url), '--flood', `127.0.0.1:${servicePort}`, String(WINDOW_S), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    flooder.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => flooder.once('exit', r));
    sent = (JSON.parse(out.trim().split('\n').at(-1) ?? '{"sent":0}') as { sent: number }).sent;
  } else {
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  }
  clearInterval(sampler);
  clearInterval(healthPoll);
  const after = await scrape(url);
  stop.abort();
  await fed.catch(() => undefined);
  await feeder.close();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return {
    tree,
    rate,
    misses: Object.fromEntries(SAFETY.map((d) => [d, misses(after, d) - misses(before, d)])),
    rssStart,
    rssPeak,
    tpDrops: tpDrops(after) - tpDrops(before),
    rateLimited: (after.get('ecu_ai_someip_rate_limited_datagrams_total') ?? 0) - (before.get('ecu_ai_someip_rate_limited_datagrams_total') ?? 0),
    health: worstHealth,
    sent,
    load: os.loadavg()[0] ?? NaN,
  };
}

async function main(): Promise<void> {
  const compareAt = process.argv.indexOf('--compare');
  const trees: [string, string][] = [['this tree', projectRoot]];
  if (compareAt > 0 && process.argv[compareAt + 1]) trees.push([`${path.basename(process.argv[compareAt + 1] as string)} (compared)`, path.resolve(process.argv[compareAt + 1] as string)]);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const network = new VirtualNetwork();
  const server = await serveSocketcand({ port: 0, open: (channel) => network.open(channel) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-tp-flood-'));
  const runs: Run[] = [];
  try {
    for (const [tree, root] of trees) {
      for (const rate of [0, ...RATES]) {
        console.log(`${tree}, ${rate ? `flood of ${rate} datagrams/s` : 'no flood'}: ${WINDOW_S} s of the demo drive in real time ...`);
        const r = await measure(tree, root, rate, dir, server.port, network);
        console.log(`  ${JSON.stringify(r)}`);
        runs.push(r);
      }
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('--- results');
  console.log(
    [
      '## SOME/IP-TP flood against the daemon (`bench/someip-tp-flood.bench.ts`)',
      '',
      `\`ecu-ai run\` (shipped models, default layout) reading the bundled demo drive in real time over socketcand (127.0.0.1), measured over`,
      `${WINDOW_S} s after ${WARM_S} s of warm-up; with a flood, a second process sends 1 MiB SOME/IP-TP messages in 16-byte segments, last`,
      `segment first, to the daemon's service port for the whole window: ${RATES[0]} datagrams/s (about 54 KB/s with headers, the attack observed)`,
      `or ${RATES[1]} (above the 5000 a second one sender may send; the flooding process then takes a good part of a core itself).`,
      '',
      '| daemon | flood, datagrams/s | datagrams sent | ADAS misses | chassis misses | powertrain misses | RSS at start / peak MB | TP drops / over the rate | worst /health | load avg |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|',
      ...runs.map((r) => `| ${r.tree} | ${r.rate || '-'} | ${r.sent} | ${r.misses['adas']} | ${r.misses['chassis']} | ${r.misses['powertrain']} | ${r.rssStart.toFixed(0)} / ${r.rssPeak.toFixed(0)} | ${r.tpDrops} / ${r.rateLimited} | ${r.health} | ${r.load.toFixed(1)} |`),
      '',
      'Misses are the growth of `ecu_ai_deadline_misses_total` over the window; TP drops and over the rate the growth of `ecu_ai_someip_tp_dropped_total`',
      'and `ecu_ai_someip_rate_limited_datagrams_total` (a daemon without them shows 0); /health was polled every 2 s. The machine is shared: the load average is the one-minute one at the end of each run.',
    ].join('\n'),
  );
}

if (process.argv[2] === '--flood') {
  flood(process.argv[3] as string, Number(process.argv[4]), Number(process.argv[5])).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
