import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../runtime/config.js';
import { ConfigInvalidError } from '../../../../runtime/errors.js';
import type { CloudInference } from '../../../../runtime/cloud/facade/cloud-inference.js';
import { comfortCloudModels, runnerCloud } from '../../../../runtime/cloud/facade/runner-adapter.js';
import { telemetryValues } from '../../../../runtime/cloud/facade/telemetry-values.js';
import { VehicleCloud, resolveCloudAccess } from '../../../../runtime/cloud/facade/vehicle-cloud.js';
import { startEmbeddedBroker } from '../../../../runtime/cloud/link/embedded-broker.js';
import { createLogger } from '../../../../runtime/observe/index.js';
import { freePort } from '../../../helpers/mosquitto.js';
import { DOMAIN_LIST } from '../../../../domains/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ecu-ai-vehicle-cloud-'));

describe('the cloud config section', () => {
  it('is off by default with the documented defaults', () => {
    const c = parseConfig({}, DOMAIN_LIST).cloud;
    expect(c).toMatchObject({ enabled: false, broker: 'mqtt://127.0.0.1:1883', protocol: 5, outbox_dir: './ecu-ai-outbox', outbox_max_mb: 64, telemetry_period_s: 10, delivery: 'ingest', receipt_timeout_s: 10, max_packet_bytes: 1_052_672 });
    expect(c.snippets).toMatchObject({ enabled: true, pre_s: 10, post_s: 5 });
  });

  it('names the path of every bad field', () => {
    try {
      parseConfig({ cloud: { broker: 'http://x', protocol: 3, password: 'a', password_env: 'B', delivery: 'puback', snippets: { triggers: ['nope'] } } }, DOMAIN_LIST);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigInvalidError);
      const paths = (err as ConfigInvalidError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['cloud.broker', 'cloud.protocol', 'cloud.delivery', 'cloud.snippets.triggers.0']));
    }
    expect(() => parseConfig({ cloud: { password: 'a', password_env: 'B' } }, DOMAIN_LIST)).toThrow(/cloud\.password_env: give password or password_env, not both/);
  });
});

describe('resolveCloudAccess', () => {
  it('reads the password from the named environment variable and the PEM files relative to the base folder', async () => {
    writeFileSync(path.join(dir, 'ca.pem'), 'CA PEM');
    const cfg = parseConfig({ cloud: { password_env: 'VEHICLE_SECRET', tls: { ca: 'ca.pem' } } }, DOMAIN_LIST).cloud;
    const access = await resolveCloudAccess(cfg, dir, { VEHICLE_SECRET: 's3cret' });
    expect(access.password).toBe('s3cret');
    expect(access.tls?.ca?.toString()).toBe('CA PEM');
    expect(access.tls?.cert).toBeUndefined();
  });

  it('fails naming cloud.password_env when the variable is unset, and cloud.tls.key when a file is missing', async () => {
    const noEnv = parseConfig({ cloud: { password_env: 'UNSET_SECRET' } }, DOMAIN_LIST).cloud;
    await expect(resolveCloudAccess(noEnv, dir, {})).rejects.toThrow(/cloud\.password_env: environment variable UNSET_SECRET is not set/);
    const noKey = parseConfig({ cloud: { tls: { key: 'missing.key' } } }, DOMAIN_LIST).cloud;
    await expect(resolveCloudAccess(noKey, dir, {})).rejects.toThrow(/cloud\.tls\.key: cannot read .*missing\.key/);
  });
});

describe('VehicleCloud', () => {
  it('opens with no broker listening, reports degraded but ready health, and buffers reports on disk', async () => {
    const port = await freePort();
    const cfg = parseConfig({ cloud: { enabled: true, broker: `mqtt://127.0.0.1:${port}`, reconnect_max_s: 0.25 } }, DOMAIN_LIST).cloud;
    const outboxDir = path.join(dir, 'outbox-down');
    const vc = await VehicleCloud.open({ config: cfg, vehicleId: 'VNOBROKER', domains: [{ domain: 'body', model: 'body-comfort', criticality: 'comfort' }], outboxDir });
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(vc.runner.healthy()).toBe(false);
      const h = vc.health();
      expect(h).toMatchObject({ ready: true, degraded: true });
      expect(h.detail).toContain(`127.0.0.1:${port}`);
      await vc.reporter.telemetry({ tUnixMs: 1, values: { x: 1 }, source: 'test' });
      expect(vc.outbox.size).toBe(1);
      // A cloud that is not there answers at once, without an exception: the service falls back.
      expect(await vc.runner.infer('body', 'body-comfort', { x: { data: new Float32Array(2), dims: [1, 2] } }, 20)).toBeUndefined();
    } finally {
      await vc.close();
    }
    const again = await VehicleCloud.open({ config: cfg, vehicleId: 'VNOBROKER', domains: [], outboxDir });
    expect(again.outbox.size).toBe(1);
    await again.close(0);
  });

  it('connects to an MQTT 3.1.1 broker with the default protocol 5 and logs the version it fell back to', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => lines.push(line) } as never });
    const cfg = parseConfig({ cloud: { enabled: true, broker: broker.url, reconnect_max_s: 0.25 } }, DOMAIN_LIST).cloud;
    const vc = await VehicleCloud.open({ config: cfg, vehicleId: 'V311', domains: [], outboxDir: path.join(dir, 'outbox-311'), logger });
    try {
      expect(await vc.link.waitConnected(3000)).toBe(true);
      expect(vc.link.protocolVersion).toBe(4);
      const connected = lines.map((l) => JSON.parse(l) as { msg: string; mqtt?: string }).find((l) => l.msg === 'cloud connected');
      expect(connected?.mqtt).toBe('3.1.1');
    } finally {
      await vc.close(0);
      await broker.close();
    }
  });
});

describe('runner adapter and telemetry values', () => {
  it('maps only ok answers to outputs', async () => {
    const answers = [{ status: 'ok', outputs: { y: { dims: [1], data: new Float32Array([3]) } }, rttMs: 1, worker: 'w' }, { status: 'timedOut' }, { status: 'unavailable', reason: 'x' }];
    let i = 0;
    const facade = { healthy: () => true, infer: async () => answers[i++] } as unknown as CloudInference;
    const r = runnerCloud(facade);
    expect((await r.infer('body', 'm', {}, 10))?.['y']?.data[0]).toBe(3);
    expect(await r.infer('body', 'm', {}, 10)).toBeUndefined();
    expect(await r.infer('body', 'm', {}, 10)).toBeUndefined();
    expect(comfortCloudModels([{ domain: 'adas', model: 'a', criticality: 'safety' }, { domain: 'body', model: 'b', criticality: 'comfort' }])).toEqual({ body: { model: 'b', variant: 'cloud' } });
  });

  it('flattens domains, platform and counters into dotted snake_case names, leaving out non-finite values', () => {
    const v = telemetryValues({
      uptimeS: 12.5,
      domains: { adas: { inferences: 10, deadline_misses: 1, dropped: 0, latency_ms: { p50: 0.4, p99: 1.1, max: 2 }, variants: { fp32: 8, int8: 1, cloud: 0, fallback: 1 }, invalid_inputs: 0 } },
      platform: { socC: 61.5, powerW: Number.NaN },
      link: { connected: true, lateResponses: 2 },
      outbox: { records: 3 },
    });
    expect(v).toEqual({
      uptime_s: 12.5,
      'adas.inferences': 10,
      'adas.deadline_misses': 1,
      'adas.dropped': 0,
      'adas.latency_p50_ms': 0.4,
      'adas.latency_p99_ms': 1.1,
      'adas.variant.fp32': 8,
      'adas.variant.int8': 1,
      'adas.variant.cloud': 0,
      'adas.variant.fallback': 1,
      soc_c: 61.5,
      'cloud.connected': 1,
      'cloud.late_responses': 2,
      'outbox.records': 3,
    });
  });
});
