import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ingest } from '../../cloud/ingest.js';
import { makeFrame } from '../../bus/frame.js';
import { VirtualNetwork } from '../../bus/transport/index.js';
import { parseConfig } from '../../runtime/config.js';
import { startDaemon, type Daemon } from '../../runtime/daemon.js';
import { silentLogger } from '../../runtime/observe/index.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { compiledWorkerEntry } from './inference/worker-build.js';
import { testDomain, writeEngineFixture, type EngineFixture, TEST_VEHICLE_SIGNALS } from './engine/fixture.js';
import { DOMAINS, DOMAIN_LIST } from '../../domains/index.js';
import type { DomainDefinition } from '../../runtime/service/domain.js';

/** The test domain, armed with the ADAS warning trigger the test fires with an ADAS-shaped result. */
const warningDomain = { ...testDomain, triggers: DOMAINS.adas.triggers } as unknown as DomainDefinition;

const peer = mosquittoPeer();
const work = mkdtempSync(path.join(tmpdir(), 'ecu-ai-cloud-daemon-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

interface Line {
  recordId: string;
  vehicleId: string;
  values: Record<string, number>;
  trigger?: string;
  domain?: string;
  frames?: { t: number; id: number; data: string }[];
  resultJson?: string;
}

function ingested(dataDir: string, vehicleId: string, kind: 'telemetry' | 'snippets'): Line[] {
  const dir = path.join(dataDir, vehicleId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(`.${kind}.jsonl`))
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line));
}

describe.skipIf(!peer.available)('the daemon with cloud.enabled against mosquitto', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await writeEngineFixture(path.join(work, 'fixture'), 1);
  });

  /** A daemon on its own virtual bus, fed EgoMotion at 100 Hz, reporting to `brokerUrl`. */
  async function daemonFor(vehicleId: string, brokerUrl: string, delivery?: 'broker' | 'ingest'): Promise<Daemon> {
    const net = new VirtualNetwork();
    const sensor = net.open('can0');
    const daemon = await startDaemon({
      config: parseConfig({
        vehicle_id: vehicleId,
        platform: { sensors: 'model' },
        someip: { enabled: false },
        cloud: {
          enabled: true,
          broker: brokerUrl,
          outbox_dir: `outbox-${vehicleId}`,
          telemetry_period_s: 0.2,
          reconnect_max_s: 0.3,
          ...(delivery ? { delivery } : {}),
          // Only the trigger the test fires: a loaded machine may make real fallbacks.
          snippets: { pre_s: 1, post_s: 0.5, cooldown_s: 0, triggers: ['adas-warning'] },
        },
      }, DOMAIN_LIST),
      domains: [warningDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: fx.modelsDir,
      logger: silentLogger(),
      workerEntry: compiledWorkerEntry(),
      http: { host: '127.0.0.1', port: 0 },
      buses: [net.open('can0')],
      baseDir: work,
    });
    let i = 0;
    const timer = setInterval(() => void sensor.send(makeFrame({ id: 256, data: [i & 0xff, 4 + (i++ >> 8), 0, 0, 0, 0, 0, 0] })), 10);
    cleanups.push(async () => {
      clearInterval(timer);
      await daemon.stop();
      await sensor.close();
    });
    return daemon;
  }

  it('sends telemetry and snippets that the cloud ingest stores and confirms, and reports the cloud healthy', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const dataDir = path.join(work, 'data-up');
    const ingest = await Ingest.start({ url: broker.url, dataDir, clientId: 'ingest-daemon-up' });
    cleanups.push(() => ingest.stop());
    // By default records leave the outbox only on ingest's receipts: the empty outbox at the end proves they came.
    const daemon = await daemonFor('VUP1', broker.url);
    expect(await daemon.cloud!.link.waitConnected(3000)).toBe(true);
    // The platform model is read once a second: wait for a record that has it.
    expect(await until(() => ingested(dataDir, 'VUP1', 'telemetry').some((l) => 'soc_c' in l.values), 5000)).toBe(true);
    const tele = ingested(dataDir, 'VUP1', 'telemetry');
    expect(tele.every((l) => l.vehicleId === 'VUP1')).toBe(true);
    const last = tele.find((l) => 'soc_c' in l.values)!.values;
    expect(last['cloud.connected']).toBe(1);
    expect(last['frames_received']).toBeGreaterThan(0);
    expect(Object.keys(last)).toEqual(expect.arrayContaining(['uptime_s', 'adas.inferences', 'adas.deadline_misses', 'adas.variant.fp32', 'soc_c', 'power_w', 'outbox.records']));

    const health = (await (await fetch(`${daemon.http!.url}/health`)).json()) as { ready: boolean; components: Record<string, { ready: boolean; degraded?: boolean }> };
    expect(health.ready).toBe(true);
    expect(health.components['cloud']).toMatchObject({ ready: true, degraded: false });
    // Cloud requests that go unanswered are counted per domain in /metrics.
    expect(await (await fetch(`${daemon.http!.url}/metrics`)).text()).toContain('# TYPE ecu_ai_cloud_unanswered_total counter');

    // A warning now: the snippet holds the bus frames around it and reaches the ingest.
    const t = daemon.engine.dispatcher.now;
    daemon.snippets!.onResult({ domain: 'adas', t, result: { level: 2, ttcS: 1.2 }, variant: 'fp32', inputsValid: true });
    expect(await until(() => ingested(dataDir, 'VUP1', 'snippets').length === 1, 5000)).toBe(true);
    const snip = ingested(dataDir, 'VUP1', 'snippets')[0]!;
    expect(snip.trigger).toBe('adas-warning');
    expect(snip.domain).toBe('adas');
    expect(snip.frames!.length).toBeGreaterThan(50);
    expect(snip.frames!.every((f) => f.id === 256)).toBe(true);
    expect(JSON.parse(snip.resultJson!)).toMatchObject({ value: { level: 2 } });

    // A capture still open when the daemon stops is cut short and delivered with the last telemetry.
    const t2 = daemon.engine.dispatcher.now;
    daemon.snippets!.onResult({ domain: 'adas', t: t2, result: { level: 0 }, variant: 'fp32', inputsValid: true });
    daemon.snippets!.onResult({ domain: 'adas', t: t2, result: { level: 1 }, variant: 'fp32', inputsValid: true });
    expect(daemon.snippets!.active).toBe(1);
    await daemon.stop();
    const box = daemon.cloud!.outbox;
    expect(box.size).toBe(0);
    expect(box.stats.acked).toBe(box.stats.appended);
    expect(ingest.stats.receipts).toBeGreaterThan(0);
    expect(daemon.cloud!.connected).toBe(false);
    expect(await until(() => ingested(dataDir, 'VUP1', 'snippets').length === 2, 3000)).toBe(true);
    await expect(box.append({ kind: 'telemetry', priority: 1, payload: new Uint8Array(1) })).rejects.toThrow(/closed/);
  });

  it('becomes ready with the broker down, buffers telemetry, and drains it once mosquitto is up', async () => {
    // The ingest's session must survive the broker's restart so nothing published before it resubscribes is lost.
    const broker: Mosquitto = await startMosquitto({ persistence: true });
    cleanups.push(() => broker.stop());
    const dataDir = path.join(work, 'data-down');
    const ingest = await Ingest.start({ url: broker.url, dataDir, clientId: 'ingest-daemon-down' });
    cleanups.push(() => ingest.stop());
    // mosquitto snapshots its sessions once a second (autosave_interval 1); wait for one that holds the ingest's.
    await new Promise((r) => setTimeout(r, 2500));
    await broker.kill();

    const daemon = await daemonFor('VDOWN1', broker.url, 'broker');
    type Health = { ready: boolean; status: string; components: Record<string, { ready: boolean; degraded?: boolean; detail?: string }> };
    const getHealth = async (): Promise<Health> => (await (await fetch(`${daemon.http!.url}/health`)).json()) as Health;
    // Ready once the safety domain has answered (its heartbeat), whatever the cloud does.
    let health = await getHealth();
    for (let n = 0; !health.ready && n < 100; n++) {
      await new Promise((r) => setTimeout(r, 50));
      health = await getHealth();
    }
    expect(health.ready).toBe(true);
    expect(health.status).toBe('degraded');
    expect(health.components['cloud']).toMatchObject({ ready: true, degraded: true });
    expect(daemon.cloud!.runner.healthy()).toBe(false);
    expect(await until(() => daemon.cloud!.outbox.size >= 3, 5000)).toBe(true);
    const buffered = daemon.cloud!.outbox.stats.appended;

    await broker.restart();
    expect(await daemon.cloud!.link.waitConnected(5000)).toBe(true);
    expect(daemon.cloud!.runner.healthy()).toBe(true);
    expect(await until(() => ingested(dataDir, 'VDOWN1', 'telemetry').length >= buffered, 8000)).toBe(true);
    const lines = ingested(dataDir, 'VDOWN1', 'telemetry');
    // The records taken while the broker was down say so.
    expect(lines.filter((l) => l.values['cloud.connected'] === 0).length).toBeGreaterThanOrEqual(buffered - 1);
    expect(new Set(lines.map((l) => l.recordId)).size).toBe(lines.length);
    const after = (await (await fetch(`${daemon.http!.url}/health`)).json()) as { components: Record<string, { degraded?: boolean }> };
    expect(after.components['cloud']?.degraded).toBe(false);
  });
});
