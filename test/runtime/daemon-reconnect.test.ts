/**
 * The daemon on a socketcand bus whose server drops and comes back (our socketcand server over a
 * virtual bus, stopped and started again on the same port), and started while no server listens:
 * frames resume, /health is not ok while the bus is down and ready again after, /metrics shows the
 * reconnect, and the log says it in a few lines, not one per refused frame.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { serveSocketcand, VirtualNetwork, type SocketcandServer } from '../../bus/transport/index.js';
import { parseConfig } from '../../runtime/config.js';
import { startDaemon, type Daemon } from '../../runtime/daemon.js';
import { inProcessInference } from '../../runtime/inference/index.js';
import { createLogger, type HealthReport } from '../../runtime/observe/index.js';
import { freePort } from '../helpers/free-port.js';
import { until } from '../helpers/wait.js';
import { sendEgoMotion, testDomain, writeEngineFixture, TEST_VEHICLE_SIGNALS } from './engine/fixture.js';
import { parsePromText } from './observe/prom-text.js';
import { DOMAIN_LIST } from '../../domains/index.js';

async function healthOf(d: Daemon): Promise<{ code: number; body: HealthReport }> {
  const r = await fetch(`${d.http!.url}/health`);
  return { code: r.status, body: (await r.json()) as HealthReport };
}

async function metricOf(d: Daemon, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const m = parsePromText(await (await fetch(`${d.http!.url}/metrics`)).text());
  return m.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Polls /health until `cond` holds; fails naming the last report. */
async function healthUntil(d: Daemon, what: string, cond: (h: { code: number; body: HealthReport }) => boolean, ms = 10_000): Promise<{ code: number; body: HealthReport }> {
  const end = Date.now() + ms;
  let last = await healthOf(d);
  while (!cond(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last /health: ${JSON.stringify(last.body)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await healthOf(d);
  }
  return last;
}

describe('the daemon on a socketcand bus that drops', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(port: number): Promise<{ daemon: Daemon; lines: Array<{ msg?: string; bus?: string; err?: string }>; bus: string }> {
    const fx = await writeEngineFixture(mkdtempSync(path.join(tmpdir(), 'ecu-ai-daemon-reconnect-')), 1);
    const lines: Array<{ msg?: string; bus?: string; err?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.length > 0) lines.push(JSON.parse(l) as { msg?: string });
        cb();
      },
    });
    const daemon = await startDaemon({
      config: parseConfig({ platform: { sensors: 'model' }, someip: { enabled: false }, transports: [{ kind: 'socketcand', host: '127.0.0.1', port, channel: 'can0' }] }, DOMAIN_LIST),
      domains: [testDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: fx.modelsDir,
      logger: createLogger({ destination: sink }),
      // The daemon's behaviour, not the workers' (daemon-workers.test.ts): the model runs in this thread.
      inference: inProcessInference,
      http: { host: '127.0.0.1', port: 0 },
    });
    cleanups.push(() => daemon.stop());
    return { daemon, lines, bus: `socketcand:127.0.0.1:${port}/can0` };
  }

  it('reconnects after the server restarts: frames resume, /health is 503 and down meanwhile and ready after, /metrics counts the reconnect', async () => {
    const network = new VirtualNetwork();
    const peer = network.open('can0');
    cleanups.push(() => peer.close());
    cleanups.push(sendEgoMotion(peer));
    let server: SocketcandServer = await serveSocketcand({ port: 0, open: (ch) => network.open(ch) });
    cleanups.push(() => server.close());
    const { daemon, lines, bus } = await start(server.port);
    const frames = (): number => daemon.engine.dispatcher.stats('adas').variants.fp32;
    await healthUntil(daemon, 'the bus up with fresh frames', (h) => h.body.buses[bus]?.state === 'up' && (h.body.buses[bus]?.lastFrameAgeS ?? 99) < 1);
    await until('the model answering', () => frames() > 0, 10_000);

    await server.close();
    const during = await healthUntil(daemon, 'the bus down and the inputs stale', (h) => h.body.buses[bus]?.state === 'down' && h.body.domains['adas']?.signalsValid === 0);
    expect(during.code).toBe(503);
    expect(during.body.status).toBe('down');
    expect(during.body.components['buses']?.ready).toBe(false);
    expect(during.body.domains['adas']?.degraded).toBe(true);
    expect(during.body.domains['adas']?.reasons.join(' | ')).toMatch(/inputs invalid/);
    expect(await metricOf(daemon, 'ecu_ai_bus_link_state', { bus, state: 'down' })).toBe(1);

    server = await serveSocketcand({ port: Number(bus.split(':')[2]?.split('/')[0]), open: (ch) => network.open(ch) });
    const after = await healthUntil(daemon, 'the bus back with fresh frames and valid inputs', (h) => h.body.buses[bus]?.state === 'up' && (h.body.buses[bus]?.lastFrameAgeS ?? 99) < 1 && h.body.domains['adas']?.signalsValid === 2);
    expect(after.body.ready).toBe(true);
    expect(after.body.components['buses']?.ready).toBe(true);
    expect(after.body.buses[bus]?.reconnects).toBe(1);
    expect(await metricOf(daemon, 'ecu_ai_bus_reconnects_total', { bus })).toBe(1);
    expect(await metricOf(daemon, 'ecu_ai_bus_link_state', { bus, state: 'up' })).toBe(1);
    // Output frames refused while down were counted, and logged with the link, not one line each.
    expect(await metricOf(daemon, 'ecu_ai_output_send_failures_total', { bus })).toBeGreaterThan(0);
    expect(lines.filter((l) => l.msg === 'output send failed')).toHaveLength(0);
    expect(lines.filter((l) => l.msg === 'bus link lost; reconnecting')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'bus link back up')).toHaveLength(1);
  }, 40_000);

  it('starts with no server listening, says so in the log and /health, and begins once the server comes', async () => {
    const port = await freePort();
    const { daemon, lines, bus } = await start(port);
    const waiting = await healthOf(daemon);
    expect(waiting.code).toBe(503);
    expect(waiting.body.buses[bus]?.state).toBe('connecting');
    await until('a log line saying the bus is not reachable', () => lines.some((l) => l.bus === bus && /ECONNREFUSED/.test(l.err ?? '')), 5000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(daemon.engine.dispatcher.stats('adas').variants.fp32).toBe(0);

    const network = new VirtualNetwork();
    const peer = network.open('can0');
    cleanups.push(() => peer.close());
    cleanups.push(sendEgoMotion(peer));
    const server = await serveSocketcand({ port, open: (ch) => network.open(ch) });
    cleanups.push(() => server.close());
    await healthUntil(daemon, 'the bus up with valid inputs', (h) => h.body.buses[bus]?.state === 'up' && h.body.domains['adas']?.signalsValid === 2);
    await until('the model answering', () => daemon.engine.dispatcher.stats('adas').variants.fp32 > 0, 10_000);
    expect(await metricOf(daemon, 'ecu_ai_frames_received_total', { channel: 'can0' })).toBeGreaterThan(0);
    expect(lines.some((l) => l.msg === 'bus link up')).toBe(true);
  }, 40_000);
});
