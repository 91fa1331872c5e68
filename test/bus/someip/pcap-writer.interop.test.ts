/**
 * Interop with Wireshark's SOME/IP and SOME/IP-SD dissectors: ecu-ai's own encodings are written
 * to a pcap file and decoded by tshark, and every header field, SD entry and SD option must come
 * back as sent, with no expert errors or warnings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commandPeer } from '../../helpers/peers.js';
import { PcapWriter } from '../../../bus/someip/pcap-writer.js';
import { encodeMessage, makeMessage, type SomeipMessage } from '../../../bus/someip/header.js';
import { MessageType, SD_METHOD_ID, SD_PORT, SD_SERVICE_ID } from '../../../bus/someip/constants.js';
import { SdEntryType, buildSdPayload, encodeSdPayload, isServiceEntry, type SdOption, type SdPayload } from '../../../bus/someip/sd-codec.js';

const tshark = commandPeer('tshark', 'tshark');
const dir = mkdtempSync(path.join(tmpdir(), 'someip-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const APP_PORT = 30501;

type Json = Record<string, unknown>;

function runTshark(file: string, extra: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-d', `udp.port==${APP_PORT},someip`, '-d', `udp.port==${SD_PORT},someip`, ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout;
}

function layers(file: string): Json[] {
  const packets = JSON.parse(runTshark(file, ['-T', 'json', '--no-duplicate-keys'])) as { _source: { layers: Json } }[];
  return packets.map((p) => p._source.layers);
}

function num(v: unknown): number {
  return Number(v);
}

/** The message type byte as the specification defines it, computed apart from the encoder. */
function wireTypeOf(m: SomeipMessage): number {
  return m.messageType + (m.tp ? 0x20 : 0);
}

function expertProblems(file: string): string {
  const out = runTshark(file, ['-q', '-z', 'expert']);
  return /^(Errors|Warnings) \(/m.test(out) ? out : '';
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const appMessages: SomeipMessage[] = fc.sample(
  fc.record({
    serviceId: fc.integer({ min: 1, max: 0xfffe }),
    methodId: u16,
    clientId: u16,
    sessionId: fc.integer({ min: 1, max: 0xffff }),
    interfaceVersion: fc.integer({ min: 0, max: 255 }),
    messageType: fc.constantFrom(...Object.values(MessageType)),
    returnCode: fc.integer({ min: 0, max: 0x0e }),
    payload: fc.uint8Array({ minLength: 1, maxLength: 40 }),
    tp: fc.option(fc.record({ offset: fc.integer({ min: 0, max: 1000 }).map((n) => n * 16), more: fc.boolean() }), { nil: undefined }),
  }).map(({ tp, ...m }) => makeMessage(tp ? { ...m, tp } : m)),
  { numRuns: 40, seed: 42 },
);

const option = (o: Partial<SdOption> & { type: 'ipv4-endpoint' | 'ipv4-multicast' }): SdOption => ({ address: '127.0.0.1', protocol: 'udp', port: 30501, ...o }) as SdOption;
const sdPayloads: SdPayload[] = [
  buildSdPayload({ reboot: true, unicast: true }, [
    { type: SdEntryType.OFFER_SERVICE, serviceId: 0x1234, instanceId: 1, majorVersion: 1, ttl: 3, minorVersion: 7, options: [option({ type: 'ipv4-endpoint', address: '10.1.2.3', port: 30509 }), option({ type: 'ipv4-endpoint', protocol: 'tcp', port: 30510 })] },
    { type: SdEntryType.OFFER_SERVICE, serviceId: 0x1235, instanceId: 2, majorVersion: 3, ttl: 0, minorVersion: 0, options: [] },
    { type: SdEntryType.FIND_SERVICE, serviceId: 0xffff, instanceId: 0xffff, majorVersion: 0xff, ttl: 0xffffff, minorVersion: 0xffffffff },
  ]),
  buildSdPayload({ reboot: false, unicast: true }, [
    { type: SdEntryType.SUBSCRIBE_EVENTGROUP, serviceId: 0x1234, instanceId: 1, majorVersion: 1, ttl: 5, eventgroupId: 0x10, counter: 0, initialDataRequested: false, options: [option({ type: 'ipv4-endpoint', address: '192.168.0.9', port: 40001 })] },
    { type: SdEntryType.SUBSCRIBE_EVENTGROUP, serviceId: 0x1234, instanceId: 1, majorVersion: 1, ttl: 0, eventgroupId: 0x11, counter: 3, initialDataRequested: true },
    { type: SdEntryType.SUBSCRIBE_EVENTGROUP_ACK, serviceId: 0x1234, instanceId: 1, majorVersion: 1, ttl: 5, eventgroupId: 0x10, counter: 0, initialDataRequested: false, options: [option({ type: 'ipv4-multicast', address: '239.0.0.7', port: 30600 })] },
    { type: SdEntryType.SUBSCRIBE_EVENTGROUP_ACK, serviceId: 0x1234, instanceId: 1, majorVersion: 1, ttl: 0, eventgroupId: 0x99, counter: 0, initialDataRequested: false },
  ]),
];

function writePcap(): string {
  const w = new PcapWriter();
  appMessages.forEach((m, i) => w.addUdp({ t: 1 + i * 0.001, src: { address: '127.0.0.1', port: 40000 }, dst: { address: '127.0.0.2', port: APP_PORT }, payload: encodeMessage(m) }));
  sdPayloads.forEach((sd, i) =>
    w.addUdp({
      t: 2 + i,
      src: { address: '127.0.0.1', port: SD_PORT },
      dst: { address: '224.224.224.245', port: SD_PORT },
      payload: encodeMessage(makeMessage({ serviceId: SD_SERVICE_ID, methodId: SD_METHOD_ID, sessionId: i + 1, messageType: MessageType.NOTIFICATION, payload: encodeSdPayload(sd) })),
    }),
  );
  const file = path.join(dir, 'capture.pcap');
  writeFileSync(file, w.toBytes());
  return file;
}

describe.skipIf(!tshark.available)('SOME/IP capture decoded by Wireshark (tshark)', () => {
  const file = writePcap();

  it('decodes every header field of every message as sent', () => {
    const pkts = layers(file).slice(0, appMessages.length);
    expect(pkts).toHaveLength(appMessages.length);
    pkts.forEach((l, i) => {
      const m = appMessages[i] as SomeipMessage;
      const s = l.someip as Json;
      expect(num((l.udp as Json)['udp.length'])).toBe(8 + encodeMessage(m).length);
      expect({
        service: num(s['someip.serviceid']), method: num(s['someip.methodid']), length: num(s['someip.length']),
        client: num(s['someip.clientid']), session: num(s['someip.sessionid']), proto: num(s['someip.protoversion']),
        iface: num(s['someip.interfaceversion']), type: num(s['someip.messagetype']), rc: num(s['someip.returncode']),
      }).toEqual({
        service: m.serviceId, method: m.methodId, length: encodeMessage(m).length - 8, client: m.clientId, session: m.sessionId,
        proto: 1, iface: m.interfaceVersion, type: wireTypeOf(m), rc: m.returnCode,
      });
      if (m.tp) {
        const tp = (s['someip.tp_tree'] as Json);
        expect(num(tp['someip.tp.offset'])).toBe(m.tp.offset);
        expect(num((tp['someip.tp.flags_tree'] as Json)['someip.tp.flags.more_segments'])).toBe(m.tp.more ? 1 : 0);
      }
    });
  });

  it('decodes every SD entry and option as sent', () => {
    const pkts = layers(file).slice(appMessages.length);
    pkts.forEach((l, i) => {
      const sent = sdPayloads[i] as SdPayload;
      const sd = l.someipsd as Json;
      const flags = sd['someipsd.flags_tree'] as Json;
      expect(num(flags['someipsd.flags.reboot'])).toBe(sent.reboot ? 1 : 0);
      expect(num(flags['someipsd.flags.unicast'])).toBe(sent.unicast ? 1 : 0);
      const raw = (sd['someipsd.entries'] as Json)['someipsd.entry'];
      const entries = (Array.isArray(raw) ? raw : [raw]) as Json[];
      expect(entries).toHaveLength(sent.entries.length);
      entries.forEach((e, j) => {
        const want = sent.entries[j]!;
        expect({
          type: num(e['someipsd.entry.type']), index1: num(e['someipsd.entry.index1']), n1: num(e['someipsd.entry.numopt1']),
          service: num(e['someipsd.entry.serviceid']), instance: num(e['someipsd.entry.instanceid']),
          major: num(e['someipsd.entry.majorver']), ttl: num(e['someipsd.entry.ttl']),
        }).toEqual({ type: want.type, index1: want.index1, n1: want.count1, service: want.serviceId, instance: want.instanceId, major: want.majorVersion, ttl: want.ttl });
        if (isServiceEntry(want)) expect(num(e['someipsd.entry.minorver'])).toBe(want.minorVersion);
        else {
          expect(num(e['someipsd.entry.eventgroupid'])).toBe(want.eventgroupId);
          expect(num(e['someipsd.entry.counter'])).toBe(want.counter);
          expect(num(e['someipsd.entry.initialevents'])).toBe(want.initialDataRequested ? 1 : 0);
        }
      });
      const opts = Object.entries(sd['someipsd.options'] as Json).filter(([k]) => /^\d+: /.test(k));
      expect(opts).toHaveLength(sent.options.length);
      opts.forEach(([, o], j) => {
        const want = sent.options[j] as SdOption & { type: 'ipv4-endpoint' };
        const got = o as Json;
        expect({ type: num(got['someipsd.option.type']), addr: got['someipsd.option.ipv4address'], proto: num(got['someipsd.option.proto']), port: num(got['someipsd.option.port']) }).toEqual({
          type: want.type === 'ipv4-endpoint' ? 0x04 : 0x14, addr: want.address, proto: want.protocol === 'udp' ? 17 : 6, port: want.port,
        });
      });
    });
  });

  it('raises no expert errors or warnings', () => {
    expect(expertProblems(file)).toBe('');
  });

  it('sees a datagram with a lying length field as malformed (the negative control)', () => {
    const w = new PcapWriter();
    const bytes = encodeMessage(makeMessage({ serviceId: 1, methodId: 2, payload: new Uint8Array(4) }));
    new DataView(bytes.buffer).setUint32(4, 200);
    w.addUdp({ t: 1, src: { address: '127.0.0.1', port: 40000 }, dst: { address: '127.0.0.2', port: APP_PORT }, payload: bytes });
    const bad = path.join(dir, 'bad.pcap');
    writeFileSync(bad, w.toBytes());
    expect(expertProblems(bad)).not.toBe('');
  });
});
