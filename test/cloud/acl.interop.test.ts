import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { InferenceWorker } from '../../cloud/inference-worker.js';
import { CloudInference } from '../../runtime/cloud/facade/cloud-inference.js';
import { CloudLink } from '../../runtime/cloud/link/mqtt-link.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { commandPeer } from '../helpers/peers.js';
import { repoRoot } from '../helpers/shared-data.js';
import { doublingRunner, until } from './fixtures.js';

const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

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

/** Runs a deploy script (it calls mosquitto_ctrl with the admin login given in MOSQUITTO_CTRL_OPTS). */
function runScript(script: string, args: readonly string[], env: Record<string, string>): void {
  const r = spawnSync('sh', [path.join(repoRoot, 'deploy', 'mosquitto', script), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

const ctrlPeer = commandPeer('/usr/bin/mosquitto_ctrl', 'mosquitto-clients');

// The plugin comes with Debian's mosquitto package: no separate check.
describe.skipIf(!peer.available || !ctrlPeer.available)('the documented dynamic-security setup (deploy/mosquitto) keeps vehicles out of the workers share group', () => {
  let broker: Mosquitto;
  const clients: MqttClient[] = [];
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-dynsec-'));
    const init = spawnSync('/usr/bin/mosquitto_ctrl', ['dynsec', 'init', path.join(work, 'dynsec.json'), 'admin', 'admin-pw'], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`dynsec init failed: ${init.stderr}`);
    broker = await startMosquitto({
      anonymous: false,
      files: { 'dynsec.json': readFileSync(path.join(work, 'dynsec.json'), 'utf8') },
      extraConf: [`plugin ${DYNSEC_PLUGIN}`, 'plugin_opt_config_file {dir}/dynsec.json'],
    });
    const ctrl = { MOSQUITTO_CTRL_OPTS: `-h 127.0.0.1 -p ${broker.port} -u admin -P admin-pw` };
    runScript('dynsec-setup.sh', ['cloud'], { ...ctrl, ECU_AI_CLOUD_PASSWORD: 'secret-c' });
    runScript('dynsec-add-vehicle.sh', ['VA'], { ...ctrl, ECU_AI_VEHICLE_PASSWORD: 'secret-a' });
    runScript('dynsec-add-vehicle.sh', ['VB'], { ...ctrl, ECU_AI_VEHICLE_PASSWORD: 'secret-b' });
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    for (const close of closers) await close();
    await broker?.stop();
  });

  it('refuses a vehicle subscribing to the share group or to others, and every request of another vehicle is answered by the worker', async () => {
    const runner = doublingRunner();
    const worker = await InferenceWorker.start({ url: broker.url, id: 'w1', runner, username: 'cloud', password: 'secret-c' });
    closers.push(() => worker.stop());
    const rogue = await mqtt.connectAsync(broker.url, { protocolVersion: 5, username: 'VA', password: 'secret-a', reconnectPeriod: 0 });
    clients.push(rogue);
    const stolen: string[] = [];
    rogue.on('message', (t) => stolen.push(t));
    const refused = async (filter: string): Promise<boolean> =>
      rogue.subscribeAsync(filter, { qos: 1 }).then(
        (g) => g.every((x) => x.qos >= 0x80),
        (err: unknown) => /not authorized/i.test(String(err)),
      );
    expect(await refused('$share/ecu-ai-workers/ecu-ai/v1/+/infer/request/+')).toBe(true);
    expect(await refused('$share/ecu-ai-workers/ecu-ai/v1/VB/infer/request/+')).toBe(true);
    expect(await refused('ecu-ai/v1/+/infer/request/+')).toBe(true);
    expect(await refused('ecu-ai/v1/VB/#')).toBe(true);
    expect(await refused('#')).toBe(true);
    // Its own subtree stays open to it.
    expect(await refused('ecu-ai/v1/VA/#')).toBe(false);

    const link = CloudLink.connect({ url: broker.url, vehicleId: 'VB', username: 'VB', password: 'secret-b' });
    closers.push(() => link.close());
    expect(await link.waitConnected(3000)).toBe(true);
    const cloud = new CloudInference({ link, models: { body: { model: 'comfort', variant: 'cloud' } } });
    const feeds = { x: { dims: [1, 2], data: Float32Array.of(1, 2) } };
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push((await cloud.infer('body', feeds, 2000)).status);
    expect(answers.filter((s) => s === 'ok')).toHaveLength(20);
    expect(runner.calls).toBe(20);
    expect(stolen).toEqual([]);
    // Posing as another vehicle is refused too (MQTT 5 PUBACK "not authorized").
    const forged = await rogue.publishAsync('ecu-ai/v1/VB/telemetry', 'forged', { qos: 1 }).then(
      () => 0,
      (err: { code?: number }) => err.code ?? -1,
    );
    expect(forged).toBe(135);
  });
});
