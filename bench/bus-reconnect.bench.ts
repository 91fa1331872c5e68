/**
 * How fast `ecu-ai run` comes back after its socketcand server drops: the server (our socketcand
 * server over a virtual bus, a peer sending a frame every 5 ms) is stopped for OUTAGE_S and started
 * again on the same port, DROPS times. For each, the time from the server listening again to the
 * daemon's first received frame (`ecu_ai_frames_received_total` rising) and to `/health` ready
 * with the bus up, both polled every POLL_MS over HTTP (so each figure includes up to one poll).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeFrame } from '../bus/frame.js';
import { serveSocketcand, type SocketcandServer } from '../bus/transport/socketcand-server.js';
import { VirtualNetwork } from '../bus/transport/virtual.js';
import { projectRoot } from '../cli/paths.js';
import { median } from './median.js';

const DROPS = 5;
const OUTAGE_S = 2;
const POLL_MS = 10;

/** A loopback port free a moment ago, for the daemon's HTTP endpoint. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts `ecu-ai run` and resolves once its /health answers at all. */
async function startDaemon(config: string): Promise<{ child: ChildProcess; url: string }> {
  const url = `http://127.0.0.1:${await freePort()}`;
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'cli', 'main.js'), 'run', '--config', config, '--http', url.slice('http://'.length)], { stdio: ['ignore', 'ignore', 'inherit'], cwd: projectRoot });
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  await pollUntil(async () => {
    if (exited !== undefined) throw new Error(`the daemon exited with ${exited} before it answered`);
    return fetch(`${url}/health`).then(
      () => true,
      () => false,
    );
  }, 60_000);
  return { child, url };
}

async function framesReceived(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('ecu_ai_frames_received_total'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

interface Health {
  readonly ready: boolean;
  readonly buses: Record<string, { state: string; reconnects: number }>;
}

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

async function pollUntil(cond: () => Promise<boolean>, ms = 30_000): Promise<number> {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return performance.now();
}

async function main(): Promise<void> {
  const load0 = os.loadavg();
  console.log(`load average ${load0.map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const network = new VirtualNetwork();
  const peer = network.open('can0');
  let n = 0;
  const feeding = setInterval(() => void peer.send(makeFrame({ id: 0x123, data: [n++ & 0xff] })).catch(() => undefined), 5);
  let server: SocketcandServer = await serveSocketcand({ port: 0, open: (channel) => network.open(channel) });
  const port = server.port;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-reconnect-'));
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ transports: [{ kind: 'socketcand', host: '127.0.0.1', port, channel: 'can0' }], someip: { enabled: false } }));
  const { child, url } = await startDaemon(config);
  const toFrame: number[] = [];
  const toHealth: number[] = [];
  let reconnects = 0;
  try {
    await pollUntil(async () => (await framesReceived(url)) > 0);
    for (let i = 0; i < DROPS; i++) {
      await server.close();
      await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
      const before = await framesReceived(url);
      server = await serveSocketcand({ port, open: (channel) => network.open(channel) });
      const back = performance.now();
      const [frameAt, healthAt] = await Promise.all([
        pollUntil(async () => (await framesReceived(url)) > before),
        pollUntil(async () => {
          const h = await health(url);
          return h.ready && Object.values(h.buses).every((b) => b.state === 'up');
        }),
      ]);
      toFrame.push(frameAt - back);
      toHealth.push(healthAt - back);
      console.log(`drop ${i + 1}: first frame ${(frameAt - back).toFixed(0)} ms, /health ready ${(healthAt - back).toFixed(0)} ms after the server was back`);
      await new Promise((r) => setTimeout(r, 500));
    }
    reconnects = Object.values((await health(url)).buses)[0]?.reconnects ?? 0;
  } finally {
    clearInterval(feeding);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await server.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const load1 = os.loadavg();
  const ms = (x: number): string => x.toFixed(0);
  console.log('--- results');
  console.log(
    [
      '## Bus reconnect (`bench/bus-reconnect.bench.ts`)',
      '',
      `\`ecu-ai run\` (shipped models) on a socketcand bus whose server is stopped for ${OUTAGE_S} s and started again on the same port, ${DROPS} times; a peer sends a frame every 5 ms. ` +
        `Times from the server listening again, polled every ${POLL_MS} ms over HTTP. Reconnect backoff: 50 ms doubling to 1 s, half of each delay random.`,
      '',
      '| from the server back to | median (ms) | max (ms) |',
      '|---|---|---|',
      `| first frame received by the daemon | ${ms(median(toFrame))} | ${ms(Math.max(...toFrame))} |`,
      `| \`/health\` ready with the bus up | ${ms(median(toHealth))} | ${ms(Math.max(...toHealth))} |`,
      '',
      `Reconnects counted by the daemon: ${reconnects} of ${DROPS}. Load average ${load0[0]?.toFixed(1)} before, ${load1[0]?.toFixed(1)} after, on ${os.cpus().length} cores shared with other work.`,
    ].join('\n'),
  );
}

await main();
