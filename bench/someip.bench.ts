/**
 * SOME/IP benchmark: request/response round trip over UDP loopback (p50/p99), event throughput
 * over UDP loopback, and encode/decode of a message with a 1 KB struct payload. No SOME/IP peer
 * exists for Node, so the codec figures are set against a plain Buffer copy of the same size (a floor).
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import { MessageType, SomeipClient, SomeipSd, SomeipServer, SomeipUdpEndpoint, compilePayload, decodeMessage, encodeMessage, makeMessage, type SomeipType, type SomeipValue } from '../bus/someip/index.js';
import { makeFrame } from '../bus/frame.js';
import { decodeUdpFrame, encodeUdpFrame } from '../bus/transport/udp-codec.js';
import { DOMAIN_LIST } from '../domains/index.js';
import { resolveDomains } from '../runtime/service/resolved.js';
import { RealClock } from '../runtime/clock.js';
import { parseConfig } from '../runtime/config.js';
import { startSomeipBridge } from '../runtime/someip/index.js';

const IFACE = {
  serviceId: 0x1234,
  instanceId: 1,
  majorVersion: 1,
  minorVersion: 0,
  methods: { echo: { id: 1, request: { type: 'uint32' as const }, response: { type: 'uint32' as const } } },
};

// 1 KB struct: 64 samples of { t: uint32, x: float32, y: float32, id: uint16, valid: boolean, pad: uint8 } = 16 bytes each.
const STRUCT: SomeipType = {
  type: 'struct',
  fields: [
    { name: 'samples', type: { type: 'array', length: 64, element: { type: 'struct', fields: [
      { name: 't', type: { type: 'uint32' } }, { name: 'x', type: { type: 'float32' } }, { name: 'y', type: { type: 'float32' } },
      { name: 'id', type: { type: 'uint16' } }, { name: 'valid', type: { type: 'boolean' } }, { name: 'pad', type: { type: 'uint8' } },
    ] } } },
  ],
};

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

function rate(label: string, n: number, f: () => void): number {
  for (let i = 0; i < Math.min(n, 2000); i++) f(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = n / s;
  console.log(`${label}: ${Math.round(r).toLocaleString('en')} /s`);
  return r;
}

async function roundTrips(n: number): Promise<{ p50: number; p99: number; perSec: number }> {
  const serverEp = await SomeipUdpEndpoint.open();
  const clientEp = await SomeipUdpEndpoint.open();
  const server = new SomeipServer({ endpoint: serverEp });
  server.offer(IFACE, { echo: (v: SomeipValue) => v });
  const client = new SomeipClient({ endpoint: clientEp, timeoutMs: 2000 });
  const at = serverEp.local;
  for (let i = 0; i < 500; i++) await client.call(IFACE, 'echo', i, { at });
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await client.call(IFACE, 'echo', i, { at });
    lat.push((performance.now() - s) * 1000);
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  client.close();
  server.close();
  await serverEp.close();
  await clientEp.close();
  return { p50: pct(lat, 50), p99: pct(lat, 99), perSec };
}

async function eventThroughput(n: number): Promise<{ sentPerSec: number; received: number }> {
  const a = await SomeipUdpEndpoint.open();
  const b = await SomeipUdpEndpoint.open();
  let received = 0;
  b.onMessage(() => received++);
  const payload = new Uint8Array(64);
  const t0 = performance.now();
  // Send in windows so the socket buffer is not simply overrun; this measures sustained delivery.
  for (let i = 0; i < n; i += 100) {
    const sends: Promise<void>[] = [];
    for (let j = 0; j < 100; j++) sends.push(a.send(makeMessage({ serviceId: 1, methodId: 0x8001, sessionId: ((i + j) % 0xffff) + 1, messageType: MessageType.NOTIFICATION, payload }), b.local));
    await Promise.all(sends);
    while (received < i + 100 - 200 && performance.now() - t0 < 30_000) await new Promise((r) => setImmediate(r));
  }
  const end = performance.now() + 500;
  while (received < n && performance.now() < end) await new Promise((r) => setImmediate(r));
  const s = (performance.now() - t0) / 1000;
  await a.close();
  await b.close();
  return { sentPerSec: received / s, received };
}

/**
 * Domain result to subscriber: bridge.publish() of an ADAS result (JSON form, payload mapping,
 * encode, SD subscriber lookup, UDP send) until the SomeipClient subscriber's handler has the
 * decoded event. One at a time, so this is latency, not throughput.
 */
async function bridgeLatency(n: number): Promise<{ p50: number; p99: number; bytes: number }> {
  const config = parseConfig({ someip: { sd_port: 0, service_port: 0 } }, DOMAIN_LIST);
  const bridge = await startSomeipBridge({ config, domains: resolveDomains(DOMAIN_LIST, config), logger: pino({ level: 'silent' }), clock: new RealClock() });
  const sd = await SomeipSd.open({ port: 0, peers: [bridge.sdAddress] });
  const ep = await SomeipUdpEndpoint.open();
  const client = new SomeipClient({ endpoint: ep, sd });
  const adas = bridge.services.find((s) => s.domain === 'adas')!;
  let got: (() => void) | undefined;
  let bytes = 0;
  client.subscribe(adas.iface, [adas.ids.eventgroupId], (_n, _v, raw) => {
    bytes = raw.payload.length;
    got?.();
  });
  while (sd.engine.subscriptionState(adas.ids.serviceId, adas.ids.instanceId, adas.ids.eventgroupId) !== 'acked') await new Promise((r) => setTimeout(r, 5));
  const lat: number[] = [];
  for (let i = 0; i < n + 500; i++) {
    const arrived = new Promise<void>((r) => (got = r));
    const s = performance.now();
    bridge.publish({ domain: 'adas', t: i * 0.05, variant: 'fp32', inputsValid: true, result: { level: i % 3, probability: 0.5, ttcS: 2.5, targetId: i & 0xff, source: 'model' } });
    await arrived;
    if (i >= 500) lat.push((performance.now() - s) * 1000); // the first 500 warm up
  }
  client.close();
  await ep.close();
  await sd.close();
  await bridge.close();
  return { p50: pct(lat, 50), p99: pct(lat, 99), bytes };
}

/** The floor for the same trip: one datagram of the same size between two plain UDP sockets. */
async function rawUdpLatency(n: number, size: number): Promise<{ p50: number; p99: number }> {
  const open = async (): Promise<dgram.Socket> => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return s;
  };
  const a = await open();
  const b = await open();
  let got: (() => void) | undefined;
  b.on('message', () => got?.());
  const buf = Buffer.alloc(size);
  const port = b.address().port;
  const lat: number[] = [];
  for (let i = 0; i < n + 500; i++) {
    const arrived = new Promise<void>((r) => (got = r));
    const s = performance.now();
    a.send(buf, port, '127.0.0.1');
    await arrived;
    if (i >= 500) lat.push((performance.now() - s) * 1000);
  }
  a.close();
  b.close();
  return { p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function main(): Promise<void> {
  const codec = compilePayload(STRUCT);
  const value = { samples: Array.from({ length: 64 }, (_, i) => ({ t: i * 1000, x: i * 0.5, y: -i * 0.25, id: i, valid: i % 2 === 0, pad: 0 })) };
  const payload = codec.encode(value);
  console.log(`payload bytes: ${payload.length}`);
  const msg = makeMessage({ serviceId: 0x1234, methodId: 0x8001, messageType: MessageType.NOTIFICATION, payload });
  const wire = encodeMessage(msg);
  const N = 50_000;
  const enc = rate('encode (struct -> message bytes)', N, () => encodeMessage({ ...msg, payload: codec.encode(value) }));
  const dec = rate('decode (message bytes -> struct)', N, () => codec.decode(decodeMessage(wire).message.payload));
  const hdr = rate('header decode only', N * 4, () => decodeMessage(wire));
  const copy = rate('Buffer copy of the same size (floor)', N * 4, () => Buffer.from(wire));
  // The other UDP codec of the bus layer: one CAN frame per datagram, python-can's udp_multicast msgpack map.
  const canFrame = makeFrame({ timestamp: 1_700_000_000.123456, id: 0x18daf110, extended: true, data: [1, 2, 3, 4, 5, 6, 7, 8], channel: 'can0' });
  const datagram = encodeUdpFrame(canFrame);
  const udpEnc = rate('CAN frame -> udp_multicast datagram', N * 4, () => encodeUdpFrame(canFrame));
  const udpDec = rate('udp_multicast datagram -> CAN frame', N * 4, () => decodeUdpFrame(datagram, 'bench', 'can0'));
  console.log('round trips...');
  const rt = await roundTrips(5000);
  console.log(`round trip p50 ${rt.p50.toFixed(1)} us, p99 ${rt.p99.toFixed(1)} us`);
  console.log('events...');
  const ev = await eventThroughput(100_000);
  console.log(`events received ${ev.received} at ${Math.round(ev.sentPerSec)} /s`);

  console.log('domain result -> subscriber...');
  const e2e = await bridgeLatency(5000);
  const raw = await rawUdpLatency(5000, e2e.bytes + 16);
  console.log(`bridge p50 ${e2e.p50.toFixed(1)} us p99 ${e2e.p99.toFixed(1)} us; raw UDP p50 ${raw.p50.toFixed(1)} us p99 ${raw.p99.toFixed(1)} us`);

  const f = (x: number): string => Math.round(x).toLocaleString('en');
  console.log('--- results');
  console.log(`## SOME/IP

| measure | figure | vs Buffer copy of ${wire.length} bytes | target | met |
|---|---|---|---|---|
| encode, 1 KB struct to message bytes | ${f(enc)} msg/s | ${(enc / copy).toFixed(3)}x | >= 20,000 msg/s | ${enc >= 20_000 ? 'yes' : 'no'} |
| decode, message bytes to 1 KB struct | ${f(dec)} msg/s | ${(dec / copy).toFixed(3)}x | >= 20,000 msg/s | ${dec >= 20_000 ? 'yes' : 'no'} |
| header decode only | ${f(hdr)} msg/s | ${(hdr / copy).toFixed(3)}x | | |
| Buffer copy (floor) | ${f(copy)} /s | 1x | | |
| request/response round trip, UDP loopback, p50 | ${rt.p50.toFixed(1)} us | | <= 1000 us | ${rt.p50 <= 1000 ? 'yes' : 'no'} |
| request/response round trip, UDP loopback, p99 | ${rt.p99.toFixed(1)} us | | <= 5000 us | ${rt.p99 <= 5000 ? 'yes' : 'no'} |
| sequential calls | ${f(rt.perSec)} calls/s | | | |
| event throughput, UDP loopback, 64-byte payload | ${f(ev.sentPerSec)} events/s (${ev.received} of 100000 received) | | >= 20,000 events/s | ${ev.sentPerSec >= 20_000 ? 'yes' : 'no'} |

### CAN over UDP (python-can \`udp_multicast\` datagrams, msgpack through @msgpack/msgpack)

| measure | figure |
|---|---|
| encode, classic frame to a ${datagram.length}-byte datagram | ${f(udpEnc)} frames/s |
| decode, datagram to frame | ${f(udpDec)} frames/s |

### Domain result to SOME/IP subscriber (runtime bridge)

| measure | bridge | plain UDP datagram of ${e2e.bytes + 16} bytes (floor) | ratio | target | met |
|---|---|---|---|---|---|
| publish -> subscriber handler, p50 | ${e2e.p50.toFixed(1)} us | ${raw.p50.toFixed(1)} us | ${(e2e.p50 / raw.p50).toFixed(2)}x | <= 1000 us | ${e2e.p50 <= 1000 ? 'yes' : 'no'} |
| publish -> subscriber handler, p99 | ${e2e.p99.toFixed(1)} us | ${raw.p99.toFixed(1)} us | ${(e2e.p99 / raw.p99).toFixed(2)}x | <= 5000 us | ${e2e.p99 <= 5000 ? 'yes' : 'no'} |

How: one process, ${N} encode/decode iterations after warm-up (hrtime); the 1 KB payload is a fixed
array of 64 sixteen-byte structs (${payload.length} bytes). Round trips: 5000 sequential typed calls of
a uint32 echo method between a SomeipClient and a SomeipServer on 127.0.0.1 (both in this process,
so client and server share one event loop). Events: 100000 NOTIFICATION messages sent in windows of
100 between two UDP endpoints, counted on receipt. No SOME/IP implementation exists for Node to compare
against, so the Buffer copy is the floor, not a peer; the targets are ours.
Domain result to subscriber: the runtime's SOME/IP bridge (all five services offered through SD on
127.0.0.1, free ports) and a SomeipClient subscribed to the ADAS eventgroup through its own SD socket,
in this process; 5000 ADAS results published one at a time after 500 warm-up, each timed from
\`publish()\` to the subscriber's decoded-event handler (${e2e.bytes}-byte payload). The floor is the
same number of single datagrams between two plain dgram sockets, measured in the same run.
`);
}

void main();
