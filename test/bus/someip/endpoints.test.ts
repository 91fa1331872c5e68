import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';
import { SomeipUdpEndpoint } from '../../../bus/someip/udp-endpoint.js';
import { SomeipStreamFramer, SomeipTcpClient, SomeipTcpServer } from '../../../bus/someip/tcp-endpoint.js';
import { encodeMessage, makeMessage, type SomeipMessage } from '../../../bus/someip/header.js';
import { MessageType } from '../../../bus/someip/constants.js';
import { SomeipParseError, SomeipTimeoutError } from '../../../bus/someip/errors.js';
import fc from 'fast-check';
import net from 'node:net';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});


async function udp(): Promise<SomeipUdpEndpoint> {
  const e = await SomeipUdpEndpoint.open();
  closers.push(() => e.close());
  return e;
}

describe('SOME/IP over UDP', () => {
  it('drops what one sender sends beyond its datagram rate, undecoded, and keeps serving the others', async () => {
    const frozen = { now: () => 0 }; // no time passes: a sender has its burst and nothing more
    const target = await SomeipUdpEndpoint.open({ clock: frozen, maxDatagramsPerSecondPerPeer: 50 });
    closers.push(() => target.close());
    const flooder = await udp();
    const other = await udp();
    const got: string[] = [];
    target.onMessage((_m, from) => got.push(String(from.port)));
    const m = encodeMessage(makeMessage({ serviceId: 1, methodId: 1 }));
    for (let i = 0; i < 200; i++) await flooder.sendRaw(m, target.local);
    for (let i = 0; i < 5; i++) await other.sendRaw(m, target.local);
    await waitFor(() => (target.stats.received + target.stats.rateLimited === 205 ? true : undefined));
    expect(got.filter((p) => p === String(flooder.local.port))).toHaveLength(50);
    expect(got.filter((p) => p === String(other.local.port))).toHaveLength(5);
    expect(target.stats.rateLimited).toBe(150);
  });

  it('delivers several messages of one datagram and drops a malformed datagram whole', async () => {
    const a = await udp();
    const b = await udp();
    const got: SomeipMessage[] = [];
    b.onMessage((m) => got.push(m));
    const m1 = encodeMessage(makeMessage({ serviceId: 1, methodId: 1, payload: new Uint8Array([1]) }));
    const m2 = encodeMessage(makeMessage({ serviceId: 1, methodId: 2 }));
    await a.sendRaw(new Uint8Array([...m1, ...m2]), b.local);
    const lying = m1.slice();
    new DataView(lying.buffer).setUint32(4, 99);
    await a.sendRaw(new Uint8Array([...m2, ...lying]), b.local);
    await waitFor(() => (b.stats.malformed === 1 && got.length >= 2 ? true : undefined));
    expect(got.map((m) => m.methodId)).toEqual([1, 2]);
  });

  it('segments a large message with SOME/IP-TP and reassembles it on the other side', async () => {
    const a = await udp();
    const b = await udp();
    const got: SomeipMessage[] = [];
    b.onMessage((m) => got.push(m));
    const payload = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) & 0xff);
    await a.send(makeMessage({ serviceId: 7, methodId: 0x8001, messageType: MessageType.NOTIFICATION, payload }), b.local);
    const m = await waitFor(() => got[0]);
    expect(m.tp).toBeUndefined();
    expect(Buffer.from(m.payload).equals(Buffer.from(payload))).toBe(true);
    expect(a.stats.sent).toBe(Math.ceil(10_000 / 1392));
  });
});

describe('SOME/IP over TCP', () => {
  it('frames a stream split at every possible point', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 30 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p, i) => encodeMessage(makeMessage({ serviceId: 1, methodId: i, payload: p }))));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
        const f = new SomeipStreamFramer();
        const out: SomeipMessage[] = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          out.push(...f.push(stream.subarray(prev, p)));
          prev = p;
        }
        expect(out.map((m) => [...m.payload])).toEqual(payloads.map((p) => [...p]));
      }),
    );
  });

  it('refuses a lying length with an error naming the stream offset', () => {
    const f = new SomeipStreamFramer(1000);
    const good = encodeMessage(makeMessage({ serviceId: 1, methodId: 1 }));
    expect(f.push(good)).toHaveLength(1);
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(4, 5000);
    let err: unknown;
    try {
      f.push(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SomeipParseError);
    expect((err as SomeipParseError).offset).toBe(good.length + 4);
  });

  it('closes the connection on garbage, then the client reconnects and traffic flows again', async () => {
    const server = await SomeipTcpServer.listen();
    closers.push(() => server.close());
    server.onMessage((m, conn) => void conn.send({ ...m, messageType: MessageType.RESPONSE }));
    const client = new SomeipTcpClient(server.local, { initialBackoffMs: 10 });
    closers.push(() => client.close());
    const got: SomeipMessage[] = [];
    client.onMessage((m) => got.push(m));
    await client.send(makeMessage({ serviceId: 1, methodId: 1 }));
    await waitFor(() => got[0]);
    // A second connection sends a "length field" of 3: no boundary can be found after it, so the
    // server drops that connection; the well-behaved client's connection is untouched.
    const bad = net.connect(server.local.port, server.local.address);
    await new Promise<void>((r) => bad.once('connect', () => r()));
    bad.write(Buffer.from([0, 1, 0, 1, 0, 0, 0, 3, 1, 2, 3, 4]));
    await new Promise<void>((r) => bad.once('close', () => r()));
    await waitFor(() => (server.stats.protocolErrors === 1 ? true : undefined));
    expect(client.stats.connects).toBe(1);
    await client.send(makeMessage({ serviceId: 1, methodId: 2 }));
    await waitFor(() => got[1]);
    expect(got.map((m) => m.methodId)).toEqual([1, 2]);
  });

  it('reconnects with backoff after the server restarts on the same port', async () => {
    const first = await SomeipTcpServer.listen();
    const port = first.local.port;
    const client = new SomeipTcpClient({ address: '127.0.0.1', port }, { initialBackoffMs: 10, maxBackoffMs: 50 });
    closers.push(() => client.close());
    await client.send(makeMessage({ serviceId: 1, methodId: 1 }));
    await first.close();
    await waitFor(() => (client.connected ? undefined : true));
    const second = await SomeipTcpServer.listen({ port });
    closers.push(() => second.close());
    const got: SomeipMessage[] = [];
    second.onMessage((m) => got.push(m));
    await client.send(makeMessage({ serviceId: 1, methodId: 5 }), 2000);
    await waitFor(() => got[0]);
    expect(client.stats.connects).toBe(2);
  });

  it('times out a send when no server ever answers the connection', async () => {
    const s = await SomeipTcpServer.listen();
    const port = s.local.port;
    await s.close();
    const client = new SomeipTcpClient({ address: '127.0.0.1', port }, { initialBackoffMs: 10 });
    closers.push(() => client.close());
    await expect(client.send(makeMessage({ serviceId: 1, methodId: 1 }), 100)).rejects.toBeInstanceOf(SomeipTimeoutError);
  });
});
