import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanFrame } from '../../bus/frame.js';
import { VirtualNetwork } from '../../bus/transport/index.js';
import { parseConfig } from '../../runtime/config.js';
import { startDaemon, type Daemon } from '../../runtime/daemon.js';
import { inProcessInference } from '../../runtime/inference/index.js';
import { createLogger } from '../../runtime/observe/index.js';
import { sendEgoMotion, testDomain, writeEngineFixture, type EngineFixture, TEST_VEHICLE_SIGNALS } from './engine/fixture.js';
import { DOMAIN_LIST } from '../../domains/index.js';

describe('the daemon in real time on a virtual bus', () => {
  let fx: EngineFixture;
  let daemon: Daemon;
  const net = new VirtualNetwork();
  const logLines: string[] = [];
  const peer = net.open('can0');
  const received: CanFrame[] = [];
  let stopSending: (() => void) | undefined;

  beforeAll(async () => {
    fx = await writeEngineFixture(mkdtempSync(path.join(tmpdir(), 'ecu-ai-daemon-')), 1);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        cb();
      },
    });
    daemon = await startDaemon({
      // SOME/IP has its own daemon test; here it would only hold the default ports.
      // A deadline of one period: /health reports recent misses as degraded (503), and on a loaded
      // 2-core machine a 20 ms deadline is missed now and then; what is tested here is the serving.
      config: parseConfig({ platform: { sensors: 'model' }, someip: { enabled: false }, domains: { adas: { deadline_ms: 50 } } }, DOMAIN_LIST),
      domains: [testDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: fx.modelsDir,
      logger: createLogger({ destination: sink }),
      // The daemon's behaviour, not the workers' (daemon-workers.test.ts): the model runs in this thread.
      inference: inProcessInference,
      http: { host: '127.0.0.1', port: 0 },
      buses: [net.open('can0')],
    });
    void (async () => {
      for await (const f of peer.frames()) if (f.id === 512) received.push(f);
    })();
    stopSending = sendEgoMotion(peer);
  });

  afterAll(async () => {
    stopSending?.();
    await daemon?.stop();
    await peer.close();
  });

  it('answers on the bus at the service rate, from the model', async () => {
    const until = Date.now() + 10_000;
    const stats = daemon.engine.dispatcher.stats('adas');
    // On a loaded machine some calls may miss their 20 ms wall deadline and fall back; wait for model answers.
    while ((received.length < 20 || stats.variants.fp32 === 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(received.length).toBeGreaterThanOrEqual(20);
    expect(stats.variants.fp32).toBeGreaterThan(0);
  });

  it('serves health and Prometheus metrics on loopback', async () => {
    const base = daemon.http!.url;
    expect(daemon.http!.host).toBe('127.0.0.1');
    const health = await fetch(`${base}/health`);
    const body = (await health.json()) as {
      status: string;
      ready: boolean;
      domains: Record<string, { state: string; reasons: string[]; worker?: { isolation: string; pid?: number; restarts: number } }>;
    };
    // 200 when healthy. Under a loaded CI machine a wall-clock deadline is missed now and then and
    // /health rightly says 503 degraded; that is accepted only when recent misses are the one reason.
    if (health.status !== 200) {
      expect(health.status).toBe(503);
      expect(body.status).toBe('degraded');
      expect(body.domains['adas']?.reasons.every((r) => /deadline miss/.test(r))).toBe(true);
    }
    expect(body.ready).toBe(true);
    expect(body.domains['adas']?.state).toBe('running');
    // Which process serves the domain, as the inference engine tells it: here the daemon's own.
    expect(body.domains['adas']?.worker).toMatchObject({ isolation: 'in-process', restarts: 0, pid: process.pid });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/ecu_ai_inference_latency_seconds_count\{domain="adas",variant="fp32"\} [1-9]/);
    expect(metrics).toMatch(/ecu_ai_frames_received_total\{channel="can0"\} [1-9]/);
    expect(metrics).toContain('ecu_ai_soc_temperature_celsius');
  });

  it('stops gracefully: drains, closes the models and logs that it stopped', async () => {
    await daemon.stop();
    await daemon.stop();
    expect(daemon.pool.health()).toEqual([]);
    const messages = logLines.map((l) => (JSON.parse(l) as { msg?: string }).msg);
    expect(messages).toContain('ecu-ai ready');
    expect(messages).toContain('stopped');
  });
});
