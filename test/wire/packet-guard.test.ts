import { describe, expect, it } from 'vitest';
import { generate, parser as mqttParser, type IPublishPacket, type Packet } from 'mqtt-packet';
import { PacketFilter, totalPacketBytes } from '../../wire/packet-guard.js';

/** Runs `bytes` through a filter in chunks of `step` and parses what comes out as mqtt.js would. */
function through(bytes: Buffer, step: number, opts: { max: number; version: 4 | 5; mode?: 'replace' | 'disconnect' }): { packets: Packet[]; dropped: number; out: number } {
  const dropped: number[] = [];
  const filter = new PacketFilter({ maxPacketBytes: opts.max, protocolVersion: opts.version, onDrop: (d) => dropped.push(d.bytes), ...(opts.mode ? { oversizePublish: opts.mode } : {}) });
  const p = mqttParser({ protocolVersion: opts.version });
  const packets: Packet[] = [];
  p.on('packet', (pk: Packet) => packets.push(pk));
  p.on('error', (e: Error) => {
    throw e;
  });
  let out = 0;
  for (let i = 0; i < bytes.length; i += step) {
    filter.write(bytes.subarray(i, i + step), (b) => {
      out += b.length;
      p.parse(b);
    });
  }
  return { packets, dropped: dropped.length, out };
}

const publish = (topic: string, bytes: number, qos: 0 | 1, messageId?: number, version: 4 | 5 = 4): Buffer =>
  generate({ cmd: 'publish', topic, payload: Buffer.alloc(bytes, 1), qos, dup: false, retain: false, ...(messageId !== undefined ? { messageId } : {}), ...(version === 5 ? { properties: { correlationData: Buffer.from('abcd') } } : {}) } as IPublishPacket, { protocolVersion: version });

describe('the MQTT packet filter', () => {
  const small = [publish('ecu-ai/v1/V/infer/response', 100, 1, 7), generate({ cmd: 'pingresp' }), publish('ecu-ai/v1/V/ota/campaign', 20_000, 0)];
  const big = publish('ecu-ai/v1/V/infer/response', 300_000, 1, 9);

  it('passes packets under the limit byte for byte, however the stream is cut', () => {
    const stream = Buffer.concat(small);
    for (const step of [1, 2, 3, 7, 64, 1000, stream.length]) {
      const r = through(stream, step, { max: 65_536, version: 4 });
      expect(r.out).toBe(stream.length);
      expect(r.packets.map((p) => p.cmd)).toEqual(['publish', 'pingresp', 'publish']);
      expect(r.dropped).toBe(0);
    }
  });

  for (const version of [4, 5] as const) {
    it(`replaces a PUBLISH over the limit by an empty one with its topic and packet id (MQTT ${version})`, () => {
      const before = publish('ecu-ai/v1/V/infer/response', 100, 1, 7, version);
      const ping = generate({ cmd: 'pingresp' });
      const stream = Buffer.concat([before, publish('ecu-ai/v1/V/infer/response', 300_000, 1, 9, version), ping]);
      for (const step of [1, 5, 4096, stream.length]) {
        const r = through(stream, step, { max: 65_536, version });
        expect(r.dropped).toBe(1);
        const [first, replaced, last] = r.packets as [IPublishPacket, IPublishPacket, Packet];
        expect(first.payload.length).toBe(100);
        expect(replaced).toMatchObject({ cmd: 'publish', topic: 'ecu-ai/v1/V/infer/response', qos: 1, messageId: 9 });
        expect(replaced.payload.length).toBe(0);
        expect(last.cmd).toBe('pingresp');
        // Never more than the small packets and the stand-in.
        expect(r.out).toBeLessThan(before.length + ping.length + 64);
      }
    });
  }

  it('ends the connection on any other packet over the limit, and on any PUBLISH over it for a broker', () => {
    const hugeSub = generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'x'.repeat(70_000), qos: 0 }] });
    expect(() => through(hugeSub, 512, { max: 65_536, version: 4 })).toThrow(/exceeds the 65536-byte limit/);
    expect(() => through(big, 512, { max: 65_536, version: 4, mode: 'disconnect' })).toThrow(/exceeds the 65536-byte limit/);
  });

  it('counts the fixed header as MQTT 5 counts maximumPacketSize', () => {
    for (const n of [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152]) {
      const pk = publish('t', n, 0);
      let lenBytes = 1;
      while (((pk[lenBytes] as number) & 0x80) !== 0) lenBytes++;
      expect(totalPacketBytes(pk.length - 1 - lenBytes)).toBe(pk.length);
    }
  });
});
