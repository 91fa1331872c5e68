import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualNetwork } from '../../bus/transport/index.js';
import { parseConfig } from '../../runtime/config.js';
import { startDaemon, type Daemon } from '../../runtime/daemon.js';
import { inProcessInference } from '../../runtime/inference/index.js';
import type { HealthReport } from '../../runtime/observe/index.js';
import { createLogger } from '../../runtime/observe/index.js';
import { sendEgoMotion, testDomain, writeEngineFixture, type EngineFixture, TEST_VEHICLE_SIGNALS } from './engine/fixture.js';
import { parsePromText } from './observe/prom-text.js';
import { DOMAIN_LIST } from '../../domains/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function healthOf(d: Daemon): Promise<{ code: number; body: HealthReport }> {
  const r = await fetch(`${d.http!.url}/health`);
  return { code: r.status, body: (await r.json()) as HealthReport };
}

describe('the daemon health, told truthfully', () => {
  let fx: EngineFixture;
  let daemon: Daemon;
  const net = new VirtualNetwork();
  const logLines: string[] = [];
  const daemonBus = net.open('can0');
  const peer = net.open('can0');
  let stopSending: (() => void) | undefined;

  beforeAll(async () => {
    fx = await writeEngineFixture(mkdtempSync(path.join(tmpdir(), 'ecu-ai-daemon-health-')), 1);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        cb();
      },
    });
    daemon = await startDaemon({
      config: parseConfig({ platform: { sensors: 'model' }, someip: { enabled: false } }, DOMAIN_LIST),
      domains: [testDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: fx.modelsDir,
      logger: createLogger({ destination: sink }),
      // The daemon's behaviour, not the workers' (daemon-workers.test.ts): the model runs in this thread.
      inference: inProcessInference,
      http: { host: '127.0.0.1', port: 0 },
      buses: [daemonBus],
    });
  });

  afterAll(async () => {
    stopSending?.();
    await daemon?.stop();
    await peer.close();
  });

  it('with no bus traffic: 503, degraded, naming the stale inputs; the model is not asked and the cycles are counted apart', async () => {
    await sleep(600);
    const { code, body } = await healthOf(daemon);
    expect(code).toBe(503);
    expect(body.status).toBe('degraded');
    const adas = body.domains['adas']!;
    expect(adas.degraded).toBe(true);
    expect(adas.signalsValid).toBe(0);
    expect(adas.reasons.join(' | ')).toMatch(/inputs invalid: 2 of 2 signals stale or missing \(Vehicle\.Speed, Vehicle\.Accel\)/);
    expect(adas.reasons.join(' | ')).toMatch(/fallback/);
    const stats = daemon.engine.dispatcher.stats('adas');
    expect(stats.invalidInputs).toBeGreaterThan(5);
    expect(stats.variants.fp32).toBe(0);
    expect(stats.summary().invalid_inputs).toBe(stats.invalidInputs);
    const metrics = parsePromText(await (await fetch(`${daemon.http!.url}/metrics`)).text());
    expect(metrics.get('ecu_ai_invalid_input_cycles_total')?.samples.find((s) => s.labels['domain'] === 'adas')?.value).toBeGreaterThan(5);
  });

  it('once the inputs arrive, the stale-input reason goes and the model answers', async () => {
    stopSending = sendEgoMotion(peer);
    const stats = daemon.engine.dispatcher.stats('adas');
    const until = Date.now() + 10_000;
    let body: HealthReport | undefined;
    while (Date.now() < until) {
      body = (await healthOf(daemon)).body;
      if (stats.variants.fp32 > 0 && body.domains['adas']?.signalsValid === 2) break;
      await sleep(50);
    }
    expect(stats.variants.fp32).toBeGreaterThan(0);
    expect(body?.domains['adas']?.reasons.join(' | ')).not.toMatch(/inputs invalid/);
  });

  it('counts output frames a closed bus refuses, logging one line rather than one per frame', async () => {
    const before = logLines.length;
    await daemonBus.close();
    await sleep(1500);
    const failedLines = logLines.slice(before).filter((l) => (JSON.parse(l) as { msg?: string }).msg === 'output send failed');
    const metrics = parsePromText(await (await fetch(`${daemon.http!.url}/metrics`)).text());
    const failures = metrics.get('ecu_ai_output_send_failures_total')?.samples[0]?.value ?? 0;
    // The test domain answers at 20 Hz: about 30 refused frames in 1.5 s.
    expect(failures).toBeGreaterThan(10);
    expect(failedLines).toHaveLength(1);
  });
});
