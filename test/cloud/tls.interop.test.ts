/**
 * The vehicle–cloud link over TLS to a real mosquitto that demands client certificates: the config's
 * `cloud.tls` PEM files (read by resolveCloudAccess, as the daemon does) carry the vehicle through,
 * and the link refuses a broker it cannot verify and is refused without a certificate the broker trusts.
 * The certificates are made by openssl when the test runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { parseConfig } from '../../runtime/config.js';
import { CloudLink } from '../../runtime/cloud/link/mqtt-link.js';
import { resolveCloudAccess } from '../../runtime/cloud/facade/vehicle-cloud.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { makeTestPki, opensslPeer, type TestPki } from '../helpers/tls-pki.js';
import { until } from './fixtures.js';
import { DOMAIN_LIST } from '../../domains/index.js';

const peers = [mosquittoPeer(), opensslPeer()];
const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-tls-'));

describe.skipIf(peers.some((p) => !p.available))('the cloud link over TLS with client certificates (mosquitto)', () => {
  let pki: TestPki;
  let broker: Mosquitto;
  const links: CloudLink[] = [];

  /** A link configured the way the daemon configures it: PEM paths relative to the config's folder. */
  const linkWith = async (tls: { ca?: string; cert?: string; key?: string }): Promise<CloudLink> => {
    const cfg = parseConfig({ cloud: { enabled: true, broker: broker.url, tls } }, DOMAIN_LIST).cloud;
    const access = await resolveCloudAccess(cfg, dir, {});
    const link = CloudLink.connect({ url: cfg.broker, vehicleId: 'VTLS', connectTimeoutMs: 2000, backoff: { initialMs: 50, maxMs: 200 }, ...(access.tls ? { tls: access.tls } : {}) });
    links.push(link);
    return link;
  };

  beforeAll(() => {
    pki = makeTestPki(dir);
    return startMosquitto({ tls: { cafile: pki.caCert, certfile: pki.serverCert, keyfile: pki.serverKey, requireCertificate: true } }).then((b) => {
      broker = b;
    });
  });
  afterAll(async () => {
    for (const l of links) await l.close(false);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the CA and the vehicle certificate, and its messages reach the cloud side', async () => {
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const cloud = await mqtt.connectAsync(broker.url, { ca: readFileSync(pki.caCert), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), reconnectPeriod: 0 });
    const seen: string[] = [];
    cloud.on('message', (t, p) => seen.push(`${t} ${p.toString()}`));
    await cloud.subscribeAsync('ecu-ai/v1/VTLS/#', { qos: 1 });
    const link = await linkWith({ ca: 'ca.crt', cert: 'client.crt', key: 'client.key' });
    expect(await link.waitConnected(5000)).toBe(true);
    await link.publish(link.topics.telemetry, Buffer.from('over tls'), { qos: 1 });
    expect(await until(() => seen.some((s) => s.endsWith(' over tls')), 5000)).toBe(true);
    await cloud.endAsync(true);
  });

  it('refuses a broker whose certificate does not chain to the configured CA', async () => {
    const link = await linkWith({ ca: 'rogue-ca.crt', cert: 'client.crt', key: 'client.key' });
    expect(await link.waitConnected(1500)).toBe(false);
    expect(link.lastError?.message).toMatch(/certificate/i);
  });

  it('is refused without a client certificate, or with one from a CA the broker does not trust', async () => {
    const none = await linkWith({ ca: 'ca.crt' });
    const rogue = await linkWith({ ca: 'ca.crt', cert: 'rogue-client.crt', key: 'rogue-client.key' });
    expect(await none.waitConnected(1500)).toBe(false);
    expect(await rogue.waitConnected(100)).toBe(false);
    expect(none.connected || rogue.connected).toBe(false);
  });
});
