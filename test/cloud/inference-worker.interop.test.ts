import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { InferenceWorker } from '../../cloud/inference-worker.js';
import { CloudLink } from '../../runtime/cloud/link/mqtt-link.js';
import { CloudInference } from '../../runtime/cloud/facade/cloud-inference.js';
import { CloudError } from '../../runtime/errors.js';
import { encodeInferenceResponse } from '../../wire/messages.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { doublingRunner, until } from './fixtures.js';

const peer = mosquittoPeer();
const feeds = { x: { dims: [1, 2], data: Float32Array.of(1.5, -2) } };
const models = { cockpit: { model: 'drowsiness', variant: 'fp32' }, body: { model: 'comfort', variant: 'fp32' } };

describe.skipIf(!peer.available)('cloud inference through mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('answers a request with the worker output, and two workers share the load', async () => {
    const r1 = doublingRunner();
    const r2 = doublingRunner();
    const w1 = await InferenceWorker.start({ url: broker.url, id: 'w1', runner: r1 });
    const w2 = await InferenceWorker.start({ url: broker.url, id: 'w2', runner: r2 });
    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VSHARE' });
    expect(await link.waitConnected(3000)).toBe(true);
    const cloud = new CloudInference({ link, models });
    const first = await cloud.infer('cockpit', feeds, 2000);
    expect(first.status).toBe('ok');
    if (first.status === 'ok') expect(Array.from(first.outputs['x_out']?.data ?? [])).toEqual([3, -4]);
    const results = await Promise.all(Array.from({ length: 40 }, () => cloud.infer('body', feeds, 2000)));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    // The shared subscription hands each request to one worker only, and both get some.
    expect(r1.calls + r2.calls).toBe(41);
    expect(r1.calls).toBeGreaterThan(0);
    expect(r2.calls).toBeGreaterThan(0);
    expect(cloud.healthy()).toBe(true);
    await link.close();
    await w1.stop();
    await w2.stop();
  });

  it('counts each request no worker answers within its deadline, per domain', async () => {
    // No worker serves this broker's requests now: every request goes unanswered.
    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VUNANSWERED' });
    expect(await link.waitConnected(3000)).toBe(true);
    const seen: string[] = [];
    const cloud = new CloudInference({ link, models, onUnanswered: (d) => seen.push(d), breaker: { failureThreshold: 100 } });
    expect((await cloud.infer('body', feeds, 80)).status).toBe('timedOut');
    expect((await cloud.infer('body', feeds, 80)).status).toBe('timedOut');
    expect((await cloud.infer('cockpit', feeds, 80)).status).toBe('timedOut');
    expect(Object.fromEntries(cloud.unanswered)).toEqual({ body: 2, cockpit: 1 });
    expect(seen).toEqual(['body', 'body', 'cockpit']);
    await link.close();
  });

  it('refuses safety domains with a typed error', async () => {
    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VSAFE' });
    const cloud = new CloudInference({ link, models: { ...models, adas: { model: 'x', variant: 'fp32' } }, safetyDomains: new Set(['adas']) });
    const err = await cloud.infer('adas', feeds, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).code).toBe('CLOUD_UNAVAILABLE');
    expect((err as CloudError).message).toMatch(/domain adas: safety domains never run in the cloud/);
    await link.close();
  });

  it('times out within the deadline when the worker is killed, and opens the breaker without an error storm', async () => {
    const runner = doublingRunner();
    const w = await InferenceWorker.start({ url: broker.url, id: 'wk', runner });
    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VKILL' });
    await link.waitConnected(3000);
    const cloud = new CloudInference({ link, models, breaker: { failureThreshold: 2, openMs: 300 } });
    expect((await cloud.infer('cockpit', feeds, 1000)).status).toBe('ok');
    await w.kill();
    const t0 = performance.now();
    const r = await cloud.infer('cockpit', feeds, 150);
    const took = performance.now() - t0;
    expect(r.status).toBe('timedOut');
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(400);
    expect((await cloud.infer('cockpit', feeds, 150)).status).toBe('timedOut');
    // Open: the next calls fail fast with no traffic, and the ladder sees an unhealthy cloud.
    expect(cloud.healthy()).toBe(false);
    const sentBefore = link.stats.requests;
    const fast = await Promise.all(Array.from({ length: 20 }, () => cloud.infer('cockpit', feeds, 150)));
    expect(fast.every((x) => x.status === 'unavailable')).toBe(true);
    expect(link.stats.requests).toBe(sentBefore);
    expect(cloud.stats.failedFast).toBe(20);
    // A worker comes back: after the open period one probe goes through and the cloud is used again.
    const w2 = await InferenceWorker.start({ url: broker.url, id: 'wk2', runner });
    expect(await until(() => cloud.healthy(), 2000)).toBe(true);
    expect((await cloud.infer('cockpit', feeds, 1000)).status).toBe('ok');
    expect(cloud.breakerState).toBe('closed');
    await link.close();
    await w2.stop();
  });

  it('drops and counts the late answer of a slow worker', async () => {
    const w = await InferenceWorker.start({ url: broker.url, id: 'slow', runner: doublingRunner(200) });
    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VSLOW' });
    await link.waitConnected(3000);
    const cloud = new CloudInference({ link, models });
    expect((await cloud.infer('cockpit', feeds, 80)).status).toBe('timedOut');
    expect(await until(() => link.stats.lateResponses === 1, 2000)).toBe(true);
    expect(link.stats.responses).toBe(0);
    expect((await cloud.infer('cockpit', feeds, 2000)).status).toBe('ok');
    await link.close();
    await w.stop();
  });

  it('counts malformed, oversized and misdirected payloads and keeps serving', async () => {
    const w = await InferenceWorker.start({ url: broker.url, id: 'robust', runner: doublingRunner() });
    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VBAD' });
    await link.waitConnected(3000);
    const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    await raw.publishAsync('ecu-ai/v1/VBAD/infer/request/cockpit', Buffer.from([0x0f, 0xff, 0x01]), { qos: 1 });
    await raw.publishAsync('ecu-ai/v1/VBAD/infer/request/cockpit', Buffer.alloc((1 << 20) + 1, 1), { qos: 1 });
    await raw.publishAsync('ecu-ai/v1/VBAD/infer/response', Buffer.from('not protobuf at all'), { qos: 1 });
    const stray = encodeInferenceResponse({ correlation: Uint8Array.of(9, 9), model: 'm', variant: '', outputs: [], error: 'x', worker: 'w', computeMs: 0 });
    await raw.publishAsync('ecu-ai/v1/VBAD/infer/response', Buffer.from(stray), { qos: 1 });
    expect(await until(() => w.stats.rejected === 2 && link.stats.rejectedPayloads === 1 && link.stats.unknownResponses === 1, 2000)).toBe(true);
    const cloud = new CloudInference({ link, models });
    expect((await cloud.infer('cockpit', feeds, 2000)).status).toBe('ok');
    await raw.endAsync();
    await link.close();
    await w.stop();
  });
});
