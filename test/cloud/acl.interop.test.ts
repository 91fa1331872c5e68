import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { until } from './fixtures.js';

const peer = mosquittoPeer();

// Every vehicle logs in as its id and is confined to ecu-ai/v1/{id}/#; the cloud user sees all.
const ACL = ['pattern readwrite ecu-ai/v1/%u/#', '', 'user cloud', 'topic readwrite ecu-ai/v1/#', ''].join('\n');

describe.skipIf(!peer.available)('per-vehicle credentials and ACL in mosquitto', () => {
  let broker: Mosquitto;
  const clients: MqttClient[] = [];
  const connect = async (username: string, password: string): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 5, username, password, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    broker = await startMosquitto({ users: { VA: 'secret-a', VB: 'secret-b', cloud: 'secret-c' }, acl: ACL });
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await broker?.stop();
  });

  it('refuses a vehicle with the wrong password', async () => {
    await expect(mqtt.connectAsync(broker.url, { protocolVersion: 5, username: 'VA', password: 'nope', reconnectPeriod: 0 })).rejects.toThrow();
  });

  it('lets vehicle A neither read nor write vehicle B topics, while its own traffic flows', async () => {
    const a = await connect('VA', 'secret-a');
    const b = await connect('VB', 'secret-b');
    const cloud = await connect('cloud', 'secret-c');
    const seenByA: string[] = [];
    const seenByCloud: string[] = [];
    a.on('message', (t, p) => seenByA.push(`${t} ${p.toString()}`));
    cloud.on('message', (t, p) => seenByCloud.push(`${t} ${p.toString()}`));
    await cloud.subscribeAsync('ecu-ai/v1/#', { qos: 1 });
    const grant = await a.subscribeAsync('ecu-ai/v1/VB/#', { qos: 1 });
    await a.subscribeAsync('ecu-ai/v1/VA/#', { qos: 1 });

    // Read: B's own telemetry and a cloud answer to B never reach A.
    await b.publishAsync('ecu-ai/v1/VB/telemetry', 'from-b', { qos: 1 });
    await cloud.publishAsync('ecu-ai/v1/VB/infer/response', 'answer-for-b', { qos: 1 });
    // Write: A posing as B is refused (MQTT 5 PUBACK "not authorized") and nobody receives it.
    const forged = await a.publishAsync('ecu-ai/v1/VB/telemetry', 'forged-by-a', { qos: 1 }).then(
      (pkt) => (pkt as { reasonCode?: number } | undefined)?.reasonCode ?? 0,
      () => 135,
    );
    // Control: A's own topics work both ways.
    await a.publishAsync('ecu-ai/v1/VA/telemetry', 'from-a', { qos: 1 });
    await cloud.publishAsync('ecu-ai/v1/VA/infer/response', 'answer-for-a', { qos: 1 });

    expect(await until(() => seenByA.includes('ecu-ai/v1/VA/infer/response answer-for-a') && seenByCloud.includes('ecu-ai/v1/VA/telemetry from-a'), 3000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(seenByA.filter((m) => m.startsWith('ecu-ai/v1/VB/'))).toEqual([]);
    expect(seenByCloud).toContain('ecu-ai/v1/VB/telemetry from-b');
    expect(seenByCloud).not.toContain('ecu-ai/v1/VB/telemetry forged-by-a');
    expect(forged).toBe(135);
    // mosquitto 2.0 grants the wildcard subscription but filters each delivery by the read ACL.
    expect(grant[0]?.qos).toBe(1);
  });
});
