import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { BusInitError, BusProtocolError, type BusError } from '../../../bus/errors.js';
import { makeFrame } from '../../../bus/frame.js';
import { openBus } from '../../../bus/transport/index.js';
import { isMulticastAddress, UdpBus } from '../../../bus/transport/udp.js';
import { take } from './take.js';
import { describeTransport } from './transport.contract.js';

/** Ports and groups vary per run so parallel test processes on this host do not hear each other. */
function freshPort(): number {
  return 20_000 + Math.floor(Math.random() * 30_000);
}

describeTransport(
  'udp (unicast on 127.0.0.1)',
  async () => {
    const pa = freshPort();
    const pb = pa + 1;
    const a = await openBus({ kind: 'udp', host: '127.0.0.1', port: pb, localPort: pa });
    const b = await openBus({ kind: 'udp', host: '127.0.0.1', port: pa, localPort: pb });
    return { a, b };
  },
  { fd: true },
);

// Hop limit 0: the kernel loops multicast back to this host and puts nothing on the wire.
describeTransport(
  'udp (multicast, hop limit 0)',
  async () => {
    const group = `239.74.163.${2 + Math.floor(Math.random() * 200)}`;
    const port = freshPort();
    const a = await openBus({ kind: 'udp', host: group, port, hopLimit: 0 });
    const b = await openBus({ kind: 'udp', host: group, port, hopLimit: 0 });
    return { a, b };
  },
  { fd: true },
);

describe('the UDP transport', () => {
  it('tells multicast groups from unicast addresses', () => {
    expect(['224.0.0.1', '239.74.163.2', 'ff15::1', 'FF02::1'].map(isMulticastAddress)).toEqual([true, true, true, true]);
    expect(['127.0.0.1', '223.255.255.255', '240.0.0.1', '::1', 'localhost'].map(isMulticastAddress)).toEqual([false, false, false, false, false]);
  });

  it('drops its own looped-back multicast frames unless receiveOwn is set', async () => {
    const group = '239.74.163.251';
    const port = freshPort();
    const quiet = await UdpBus.open({ host: group, port, hopLimit: 0 });
    const loud = await UdpBus.open({ host: group, port, hopLimit: 0, receiveOwn: true });
    const loudSees = take(loud.frames(), 2);
    const quietSees = take(quiet.frames(), 1);
    await quiet.send(makeFrame({ id: 1 }));
    await loud.send(makeFrame({ id: 2 }));
    expect((await loudSees).map((f) => f.id).sort()).toEqual([1, 2]);
    expect((await quietSees).map((f) => f.id)).toEqual([2]);
    await new Promise((r) => setTimeout(r, 50));
    expect(quiet.stats.received).toBe(1);
    await quiet.close();
    await loud.close();
  });

  it('counts an undecodable datagram as malformed, reports it typed, and reads on', async () => {
    const port = freshPort();
    const errors: BusError[] = [];
    const bus = await UdpBus.open({ host: '127.0.0.1', port: port + 1, localPort: port, onError: (e) => errors.push(e) });
    const reading = take(bus.frames(), 1);
    const raw = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => raw.send(Uint8Array.from([0x8b, 0xa9, 0x74]), port, '127.0.0.1', () => resolve()));
    const peer = await UdpBus.open({ host: '127.0.0.1', port, localPort: port + 2 });
    await peer.send(makeFrame({ id: 0x42, data: [1] }));
    expect((await reading)[0]?.id).toBe(0x42);
    expect(bus.stats.malformed).toBe(1);
    expect(errors[0]).toBeInstanceOf(BusProtocolError);
    expect(errors[0]?.message).toMatch(/^udp 127\.0\.0\.1:\d+ \(byte offset \d+\)/);
    raw.close();
    await peer.close();
    await bus.close();
  });

  it('fails to open with BusInitError on a port already taken or a host that is not an address', async () => {
    const port = freshPort();
    const first = await UdpBus.open({ host: '127.0.0.1', port: port + 1, localPort: port });
    await expect(UdpBus.open({ host: '127.0.0.1', port: port + 1, localPort: port })).rejects.toThrow(BusInitError);
    await expect(UdpBus.open({ host: 'not-an-ip', port })).rejects.toThrow(/not an IP address/);
    await expect(UdpBus.open({ host: '127.0.0.1', port: 70000 })).rejects.toThrow(/port 70000/);
    await first.close();
  });
});
