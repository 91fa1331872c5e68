/**
 * Interop with Wireshark: the bridge's real traffic (SD through a recording relay, notifications
 * and a getDriverState exchange to a raw socket) is written to a pcap with PcapWriter and decoded
 * by tshark. Header fields, SD entries and every payload field (read here by hand from the bytes
 * tshark reports, not with our serializer) must come back as published, with no expert complaints.
 */
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType, PcapWriter, SomeipSd, encodeMessage, makeMessage, type SomeipAddress } from '../../../bus/someip/index.js';
import { DOMAINS } from '../../../domains/index.js';
import { COMMON_FIELDS, type ResultField, type SomeipBridge } from '../../../runtime/someip/index.js';
import { commandPeer } from '../../helpers/peers.js';
import { waitFor } from '../../bus/someip/wait-for.js';
import { FAST_SD, SAMPLE_RESULTS, expectedJson, sameValues, startTestBridge } from './bridge-fixture.js';

const tshark = commandPeer('tshark', 'tshark');
type Json = Record<string, unknown>;
interface Captured {
  t: number;
  src: SomeipAddress;
  dst: SomeipAddress;
  payload: Uint8Array;
}

async function rawSocket(onMessage: (b: Uint8Array, from: SomeipAddress) => void): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  s.on('message', (b, r) => onMessage(new Uint8Array(b), { address: r.address, port: r.port }));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

const local = (s: dgram.Socket): SomeipAddress => ({ address: '127.0.0.1', port: s.address().port });

/** Reads one field the way the specification lays it out (big-endian), apart from the serializer. */
function readField(v: DataView, at: number, f: ResultField): [unknown, number] {
  switch (f.type) {
    case 'uint8': {
      const n = v.getUint8(at);
      return [f.nullAs !== undefined && n === f.nullAs ? null : f.labels ? f.labels[n] : n, 1];
    }
    case 'uint16':
      return [v.getUint16(at), 2];
    case 'float32':
      return [v.getFloat32(at), 4];
    case 'float64':
      return [v.getFloat64(at), 8];
    case 'boolean':
      return [v.getUint8(at) === 1, 1];
  }
}

function readPayload(bytes: Uint8Array, fields: readonly ResultField[]): Json {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Json = {};
  let at = 0;
  for (const f of fields) {
    const [value, size] = readField(v, at, f);
    out[f.name] = value;
    at += size;
  }
  expect(at).toBe(bytes.length);
  return out;
}

describe.skipIf(!tshark.available)('bridge traffic decoded by Wireshark (tshark)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'someip-bridge-pcap-'));
  const captured: Captured[] = [];
  const t0 = performance.now();
  const now = (): number => 1_700_000_000 + (performance.now() - t0) / 1000;
  let bridge: SomeipBridge;
  let consumerSd: SomeipSd;
  const sockets: dgram.Socket[] = [];
  let file = '';
  let pkts: Json[] = [];

  function run(extra: string[]): string {
    const sdPort = bridge.sdAddress.port;
    const r = spawnSync('tshark', ['-r', file, '-d', `udp.port==${bridge.serviceAddress.port},someip`, '-d', `udp.port==${sdPort},someip`, ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
    return r.stdout;
  }

  beforeAll(async () => {
    bridge = await startTestBridge();
    // SD relay: the consumer's SD talks to the bridge's SD through it, and every datagram is recorded.
    let consumerAddr: SomeipAddress | undefined;
    const relay = await rawSocket((b, from) => {
      const toBridge = from.port !== bridge.sdAddress.port;
      if (toBridge) consumerAddr = from;
      const dst = toBridge ? bridge.sdAddress : consumerAddr;
      if (!dst) return;
      captured.push({ t: now(), src: toBridge ? from : bridge.sdAddress, dst, payload: b });
      relay.send(b, dst.port, dst.address);
    });
    const sink = await rawSocket((b, from) => captured.push({ t: now(), src: from, dst: local(sink), payload: b }));
    sockets.push(relay, sink);
    consumerSd = await SomeipSd.open({ port: 0, peers: [local(relay)], timings: FAST_SD });
    const adas = bridge.services.find((s) => s.domain === 'adas')!;
    const cockpit = bridge.services.find((s) => s.domain === 'cockpit')!;
    for (const s of [adas, cockpit]) consumerSd.subscribe(s.ids.serviceId, s.ids.instanceId, 1, s.ids.eventgroupId, { type: 'ipv4-endpoint', address: '127.0.0.1', protocol: 'udp', port: local(sink).port });
    await waitFor(() => (bridge.subscribers('adas') === 1 && bridge.subscribers('cockpit') === 1 ? true : undefined));
    await waitFor(() => (consumerSd.engine.subscriptionState(cockpit.ids.serviceId, 1, 1) === 'acked' ? true : undefined));
    for (const r of SAMPLE_RESULTS) bridge.publish(r);
    const request = encodeMessage(makeMessage({ serviceId: cockpit.ids.serviceId, methodId: cockpit.ids.methodId!, clientId: 0x77, sessionId: 9, interfaceVersion: 1, messageType: MessageType.REQUEST }));
    captured.push({ t: now(), src: local(sink), dst: bridge.serviceAddress, payload: request });
    sink.send(request, bridge.serviceAddress.port, bridge.serviceAddress.address);
    await waitFor(() => (captured.filter((c) => c.src.port === bridge.serviceAddress.port).length >= 3 ? true : undefined));
    const w = new PcapWriter();
    for (const c of captured) w.addUdp(c);
    file = path.join(dir, 'bridge.pcap');
    writeFileSync(file, w.toBytes());
    pkts = (JSON.parse(run(['-T', 'json', '--no-duplicate-keys'])) as { _source: { layers: Json } }[]).map((p) => p._source.layers);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await consumerSd?.close();
    await bridge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes the SD offers and the subscription Acks of the bridge', () => {
    const entries = pkts
      .filter((l) => l.someipsd)
      .flatMap((l) => {
        const raw = ((l.someipsd as Json)['someipsd.entries'] as Json)['someipsd.entry'];
        return (Array.isArray(raw) ? raw : [raw]) as Json[];
      });
    const offers = entries.filter((e) => Number(e['someipsd.entry.type']) === 0x01 && Number(e['someipsd.entry.ttl']) > 0);
    // Finds are answered for the two asked for; offers of the others may follow (the subscriber becomes an SD peer).
    const offered = new Set(offers.map((e) => Number(e['someipsd.entry.serviceid'])));
    expect(offered.has(0x4a01) && offered.has(0x4a04)).toBe(true);
    for (const id of offered) expect(bridge.services.map((x) => x.ids.serviceId)).toContain(id);
    const options = pkts
      .filter((l) => l.someipsd && Number((l.udp as Json)['udp.srcport']) === bridge.sdAddress.port)
      .flatMap((l) => Object.entries(((l.someipsd as Json)['someipsd.options'] ?? {}) as Json).filter(([k]) => /^\d+: /.test(k)).map(([, o]) => o as Json));
    expect(options.length).toBeGreaterThan(0);
    for (const o of options) expect([o['someipsd.option.ipv4address'], Number(o['someipsd.option.proto']), Number(o['someipsd.option.port'])]).toEqual(['127.0.0.1', 17, bridge.serviceAddress.port]);
    for (const o of offers) expect([Number(o['someipsd.entry.instanceid']), Number(o['someipsd.entry.majorver'])]).toEqual([1, 1]);
    const acks = entries.filter((e) => Number(e['someipsd.entry.type']) === 0x07 && Number(e['someipsd.entry.ttl']) > 0);
    expect(new Set(acks.map((e) => `${Number(e['someipsd.entry.serviceid'])}.${Number(e['someipsd.entry.eventgroupid'])}`))).toEqual(new Set([`${0x4a01}.1`, `${0x4a04}.1`]));
  });

  it('decodes every notification header, and its payload fields read back as the published results', () => {
    const notes = pkts.filter((l) => l.someip && Number((l.someip as Json)['someip.messagetype']) === MessageType.NOTIFICATION && Number((l.someip as Json)['someip.serviceid']) !== 0xffff);
    const wanted = SAMPLE_RESULTS.filter((r) => r.domain === 'adas' || r.domain === 'cockpit');
    expect(notes).toHaveLength(wanted.length);
    notes.forEach((l, i) => {
      const s = l.someip as Json;
      const r = wanted[i]!;
      const serviceId = r.domain === 'adas' ? 0x4a01 : 0x4a04;
      expect([Number(s['someip.serviceid']), Number(s['someip.methodid']), Number(s['someip.protoversion']), Number(s['someip.interfaceversion']), Number(s['someip.returncode'])]).toEqual([serviceId, 0x8001, 1, 1, 0]);
      const bytes = Uint8Array.from(String(s['someip.payload']).split(':').map((h) => parseInt(h, 16)));
      expect(Number(s['someip.length'])).toBe(8 + bytes.length);
      const fields = [...COMMON_FIELDS, ...DOMAINS[r.domain as 'adas' | 'cockpit'].someip.fields];
      expect(sameValues(readPayload(bytes, fields), expectedJson(r)), `${r.domain} t=${r.t}`).toBe(true);
    });
  });

  it('decodes the getDriverState response as the last cockpit state', () => {
    const response = pkts.find((l) => l.someip && Number((l.someip as Json)['someip.messagetype']) === MessageType.RESPONSE);
    const s = response?.someip as Json;
    expect([Number(s['someip.serviceid']), Number(s['someip.methodid']), Number(s['someip.clientid']), Number(s['someip.sessionid']), Number(s['someip.returncode'])]).toEqual([0x4a04, 0x0001, 0x77, 9, 0]);
    const bytes = Uint8Array.from(String(s['someip.payload']).split(':').map((h) => parseInt(h, 16)));
    const cockpit = SAMPLE_RESULTS.filter((r) => r.domain === 'cockpit').at(-1)!;
    expect(sameValues(readPayload(bytes, [...COMMON_FIELDS, ...DOMAINS.cockpit.someip.fields]), expectedJson(cockpit))).toBe(true);
  });

  it('raises no expert errors or warnings', () => {
    const out = run(['-q', '-z', 'expert']);
    expect(/^(Errors|Warnings) \(/m.test(out) ? out : '').toBe('');
  });
});
