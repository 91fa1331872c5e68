import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { Ingest } from '../../cloud/ingest.js';
import { CloudLink } from '../../runtime/cloud/link/mqtt-link.js';
import { Outbox } from '../../runtime/cloud/outbox/outbox.js';
import { OutboxForwarder } from '../../runtime/cloud/outbox/outbox-forwarder.js';
import { VehicleReporter } from '../../runtime/cloud/facade/reporter.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { until } from './fixtures.js';

const peer = mosquittoPeer();
const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-delivery-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function ingestedLines(dataDir: string, vehicleId: string): { recordId: string; values: { n: number } }[] {
  const dir = path.join(dataDir, vehicleId);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.telemetry.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { recordId: string; values: { n: number } }));
}

async function vehicle(
  name: string,
  broker: Mosquitto,
  confirm: 'broker' | 'ingest' = 'broker',
): Promise<{ outbox: Outbox; link: CloudLink; forwarder: OutboxForwarder; reporter: VehicleReporter }> {
  const outbox = await Outbox.open(path.join(work, name, 'outbox'));
  const link = CloudLink.connect({ url: broker.url, vehicleId: name, backoff: { initialMs: 50, maxMs: 400 } });
  const forwarder = new OutboxForwarder(outbox, link, { confirm, receiptTimeoutMs: 2000, window: 64 });
  forwarder.start();
  cleanups.push(async () => {
    forwarder.stop();
    await link.close(false);
    await outbox.close();
  });
  return { outbox, link, forwarder, reporter: new VehicleReporter(outbox, name) };
}

describe.skipIf(!peer.available)('outbox delivery through mosquitto', () => {
  it('loses nothing and keeps order when the broker is killed mid-stream and restarted', async () => {
    // A broker that must not lose queued messages across a crash needs persistence; mosquitto saves each second.
    const broker = await startMosquitto({ persistence: true });
    cleanups.push(() => broker.stop());
    const dataDir = path.join(work, 'data-kill');
    const ingest = await Ingest.start({ url: broker.url, dataDir, clientId: 'ingest-kill' });
    cleanups.push(() => ingest.stop());
    const v = await vehicle('VKILLB', broker);
    expect(await v.link.waitConnected(3000)).toBe(true);
    const total = 300;
    const t0 = Date.parse('2024-06-01T10:00:00Z');
    for (let n = 0; n < total; n++) {
      await v.reporter.telemetry({ tUnixMs: t0 + n, values: { n }, source: 'test' });
      if (n === 100) {
        // Kill once the ingest session (its subscription) has been saved: mid-stream for the vehicle.
        await until(() => ingest.stats.stored === 101, 5000);
        await new Promise((r) => setTimeout(r, 2500));
        await broker.kill();
      }
      if (n === 180) await broker.restart();
    }
    const drained = await v.forwarder.drained(10_000);
    expect(drained).toBe(true);
    expect(await until(() => ingest.stats.stored >= total, 10_000)).toBe(true);
    const lines = ingestedLines(dataDir, 'VKILLB');
    expect(lines.map((l) => l.values.n)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(new Set(lines.map((l) => l.recordId)).size).toBe(total);
    expect(v.outbox.size).toBe(0);
  }, 30_000);

  it('drains everything recorded during a drive spent offline once the vehicle reconnects', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    await broker.kill();
    const v = await vehicle('VOFFLINE', broker);
    const total = 500;
    const t0 = Date.parse('2024-06-02T23:59:59.900Z');
    for (let n = 0; n < total; n++) await v.reporter.telemetry({ tUnixMs: t0 + n, values: { n }, source: 'drive' });
    expect(v.link.connected).toBe(false);
    expect(v.outbox.size).toBe(total);
    await broker.restart();
    const dataDir = path.join(work, 'data-offline');
    const ingest = await Ingest.start({ url: broker.url, dataDir, clientId: 'ingest-offline' });
    cleanups.push(() => ingest.stop());
    expect(await v.forwarder.drained(10_000)).toBe(true);
    expect(await until(() => ingest.stats.stored >= total, 10_000)).toBe(true);
    const lines = ingestedLines(dataDir, 'VOFFLINE');
    expect(lines.map((l) => l.values.n)).toEqual(Array.from({ length: total }, (_, i) => i));
    // The drive crossed midnight UTC: one file per day.
    expect(readdirSync(path.join(dataDir, 'VOFFLINE')).sort()).toEqual(['2024-06-02.telemetry.jsonl', '2024-06-03.telemetry.jsonl']);
  }, 30_000);

  it('loses nothing with ingest receipts when the broker loses what it acknowledged; with PUBACKs alone it is lost', async () => {
    // No persistence: a killed broker forgets the records it queued for an ingest that is offline.
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const dataDir = path.join(work, 'data-receipts');
    // Ingest's persistent session exists, then ingest goes away: the broker queues for it.
    await (await Ingest.start({ url: broker.url, dataDir, clientId: 'ingest-receipts' })).stop();
    const byBroker = await vehicle('VPUBACK', broker, 'broker');
    const byIngest = await vehicle('VRECEIPT', broker, 'ingest');
    expect(await byBroker.link.waitConnected(3000)).toBe(true);
    expect(await byIngest.link.waitConnected(3000)).toBe(true);
    const total = 50;
    const t0 = Date.parse('2024-06-04T08:00:00Z');
    for (let n = 0; n < total; n++) {
      await byBroker.reporter.telemetry({ tUnixMs: t0 + n, values: { n }, source: 'test' });
      await byIngest.reporter.telemetry({ tUnixMs: t0 + n, values: { n }, source: 'test' });
    }
    // Every record PUBACKed: the PUBACK vehicle has let them go, the receipt vehicle keeps them.
    expect(await byBroker.forwarder.drained(5000)).toBe(true);
    expect(await until(() => byIngest.forwarder.stats.pubacked >= total, 5000)).toBe(true);
    expect(byIngest.forwarder.stats).toMatchObject({ published: total, pubacked: total, acked: 0, resends: 0 });
    expect(byIngest.outbox.size).toBe(total);
    await broker.kill();
    await broker.restart();
    const ingest = await Ingest.start({ url: broker.url, dataDir, clientId: 'ingest-receipts' });
    cleanups.push(() => ingest.stop());
    expect(await byIngest.forwarder.drained(15_000)).toBe(true);
    const kept = ingestedLines(dataDir, 'VRECEIPT');
    expect(kept.map((l) => l.values.n).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(new Set(kept.map((l) => l.recordId)).size).toBe(total);
    expect(ingest.stats.receipts).toBeGreaterThan(0);
    // The PUBACK vehicle's records died with the broker's memory.
    expect(existsSync(path.join(dataDir, 'VPUBACK'))).toBe(false);
  }, 40_000);

  it('stores a redelivered record once and rejects a record published on another vehicle topic', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const dataDir = path.join(work, 'data-dedup');
    const ingest = await Ingest.start({ url: broker.url, dataDir, clientId: 'ingest-dedup' });
    cleanups.push(() => ingest.stop());
    const v = await vehicle('VDUP', broker);
    await v.link.waitConnected(3000);
    await v.reporter.telemetry({ tUnixMs: Date.parse('2024-06-03T00:00:00Z'), values: { n: 1 }, source: 't' });
    const [rec] = v.outbox.peek(1);
    expect(await v.forwarder.drained(5000)).toBe(true);
    const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    // The same bytes again, as a redelivery after a lost PUBACK would bring them.
    await raw.publishAsync('ecu-ai/v1/VDUP/telemetry', Buffer.from(rec?.payload ?? []), { qos: 1 });
    await raw.publishAsync('ecu-ai/v1/OTHER/telemetry', Buffer.from(rec?.payload ?? []), { qos: 1 });
    await raw.publishAsync('ecu-ai/v1/VDUP/telemetry', Buffer.from('garbage'), { qos: 1 });
    expect(await until(() => ingest.stats.duplicates === 1 && ingest.stats.rejected === 2, 3000)).toBe(true);
    expect(ingest.stats.stored).toBe(1);
    await raw.endAsync();
  });
});
