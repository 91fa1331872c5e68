/**
 * Any client of a broker without ACLs can publish anything under ecu-ai/v1/: every malformed topic
 * and payload is counted and dropped by the workers and ingest, which go on serving.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceWorker } from '../../cloud/inference-worker.js';
import { Ingest } from '../../cloud/ingest.js';
import { CloudInference } from '../../runtime/cloud/facade/cloud-inference.js';
import { encodeInferenceRequest, encodeTelemetry } from '../../wire/messages.js';
import { CloudLink } from '../../runtime/cloud/link/mqtt-link.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { doublingRunner, until } from './fixtures.js';

const peer = mosquittoPeer();

function request(vehicleId: string): Uint8Array {
  return encodeInferenceRequest({
    vehicleId,
    domain: 'cockpit',
    model: 'drowsiness',
    variant: 'fp32',
    inputs: [{ name: 'x', dims: [1, 2], data: Float32Array.of(1, 2) }],
    deadlineUnixMs: 0,
    deadlineMs: 500,
    correlation: Uint8Array.of(1, 2, 3),
    replyTo: `ecu-ai/v1/${vehicleId}/infer/response`,
    sentUnixMs: Date.now(),
  });
}

const telemetry = (vehicleId: string, tUnixMs: number, recordId: string): Uint8Array =>
  encodeTelemetry({ recordId, vehicleId, tUnixMs, values: { soc_c: 60 }, source: 'test' });

describe.skipIf(!peer.available)('the cloud side under hostile messages', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('counts and drops every malformed topic and payload, writes nothing outside its folder, and still serves', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-hostile-'));
    const dataDir = path.join(root, 'data');
    const runner = doublingRunner();
    const worker = await InferenceWorker.start({ url: broker.url, id: 'wh', runner });
    const ingest = await Ingest.start({ url: broker.url, dataDir, clientId: 'ecu-ai-ingest-hostile' });
    const attacker = await mqtt.connectAsync(broker.url, { clientId: 'attacker', protocolVersion: 5 });
    const hostile: [string, Uint8Array][] = [
      ['ecu-ai/v1/../infer/request/cockpit', request('..')],
      ['ecu-ai/v1/./infer/request/cockpit', request('.')],
      ['ecu-ai/v1/V1/infer/request/cockpit', new Uint8Array(0)],
      ['ecu-ai/v1/V1/infer/request/cockpit', Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff)],
      ['ecu-ai/v1/V1/infer/request/cockpit', new Uint8Array(100_000)],
      ['ecu-ai/v1/V1/infer/request/cockpit', request('V2')],
      ['ecu-ai/v1/V1/infer/request/', request('V1')],
      ['ecu-ai/v1/../telemetry', telemetry('..', Date.UTC(2026, 0, 1), 'r-dotdot')],
      ['ecu-ai/v1/V1/telemetry', telemetry('V1', -62_000_000_000_000, 'r-negative')],
      ['ecu-ai/v1/V1/telemetry', telemetry('V1', 1e20, 'r-far')],
      ['ecu-ai/v1/V1/telemetry', telemetry('V1', Number.NaN, 'r-nan')],
      ['ecu-ai/v1/V1/telemetry', Uint8Array.of(0xff, 0xff, 0xff)],
      ['ecu-ai/v1/V1/snippets', new Uint8Array(64)],
      ['ecu-ai/v1/V1/ota/status', Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f)],
    ];
    for (const [topic, payload] of hostile) await attacker.publishAsync(topic, Buffer.from(payload), { qos: 1 });
    const workerTopics = hostile.filter(([t]) => t.includes('/infer/request/')).length;
    const ingestTopics = hostile.length - workerTopics;
    expect(await until(() => worker.stats.rejected + worker.stats.misdirected === workerTopics, 5000)).toBe(true);
    expect(await until(() => ingest.stats.rejected === ingestTopics, 5000)).toBe(true);
    expect(runner.calls).toBe(0);

    // Still serving: a real vehicle gets its answer, and its telemetry is stored.
    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VGOOD' });
    expect(await link.waitConnected(3000)).toBe(true);
    const cloud = new CloudInference({ link, models: { cockpit: { model: 'drowsiness', variant: 'fp32' } } });
    const answer = await cloud.infer('cockpit', { x: { dims: [1, 2], data: Float32Array.of(1, 2) } }, 2000);
    expect(answer.status).toBe('ok');
    await attacker.publishAsync('ecu-ai/v1/VGOOD/telemetry', Buffer.from(telemetry('VGOOD', Date.UTC(2026, 11, 3), 'r-good')), { qos: 1 });
    expect(await until(() => ingest.stats.stored === 1, 5000)).toBe(true);
    expect(runner.calls).toBe(1);
    // Nothing was written beside the data folder, and no day file for an impossible time.
    expect(readdirSync(root)).toEqual(['data']);
    expect(readdirSync(dataDir)).toEqual(['VGOOD']);
    expect(readdirSync(path.join(dataDir, 'VGOOD'))).toEqual(['2026-12-03.telemetry.jsonl']);
    // The fleet's data is its owner's alone.
    expect(statSync(path.join(dataDir, 'VGOOD')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, 'VGOOD', '2026-12-03.telemetry.jsonl')).mode & 0o777).toBe(0o600);
    await link.close();
    await attacker.endAsync();
    await worker.stop();
    await ingest.stop();
  }, 30_000);
});
