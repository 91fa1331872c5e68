import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../bus/frame.js';
import { openBus } from '../../../bus/transport/index.js';
import { VirtualNetwork } from '../../../bus/transport/virtual.js';
import { take } from './take.js';
import { describeTransport } from './transport.contract.js';

describeTransport(
  'virtual',
  async () => {
    const network = new VirtualNetwork();
    return { a: network.open('can0'), b: network.open('can0') };
  },
  { fd: true },
);

describe('the virtual bus', () => {
  it('keeps channels of one network apart and networks apart from each other', async () => {
    const net1 = new VirtualNetwork();
    const net2 = new VirtualNetwork();
    const sender = net1.open('can0');
    const sameChannel = net1.open('can0');
    const otherChannel = net1.open('can1');
    const otherNetwork = net2.open('can0');
    const readers = [sameChannel, otherChannel, otherNetwork].map((b) => b.frames()[Symbol.asyncIterator]());
    const firstOf = readers.map((r) => r.next());
    await sender.send(makeFrame({ id: 1 }));
    await expect(firstOf[0]).resolves.toMatchObject({ done: false, value: { id: 1 } });
    expect(otherChannel.stats.received).toBe(0);
    expect(otherNetwork.stats.received).toBe(0);
    for (const b of [sender, sameChannel, otherChannel, otherNetwork]) await b.close();
    expect(net1.endpoints('can0')).toBe(0);
  });

  it('does not show an endpoint its own frames unless receiveOwn is set', async () => {
    const network = new VirtualNetwork();
    const quiet = network.open('c');
    const loud = network.open('c', { receiveOwn: true });
    const quietReader = quiet.frames();
    const loudOwn = take(loud.frames(), 2);
    await quiet.send(makeFrame({ id: 1 }));
    await loud.send(makeFrame({ id: 2 }));
    expect((await loudOwn).map((f) => f.id)).toEqual([1, 2]);
    expect((await take(quietReader, 1)).map((f) => f.id)).toEqual([2]);
    expect(quiet.stats.received).toBe(1);
  });

  it('drops the oldest queued frames of a stalled reader and counts each one', async () => {
    const network = new VirtualNetwork();
    const tx = network.open('c');
    const rx = network.open('c', { queueLimit: 4 });
    const reader = rx.frames();
    for (let id = 0; id < 10; id++) await tx.send(makeFrame({ id }));
    expect(rx.stats).toMatchObject({ received: 10, dropped: 6 });
    expect((await take(reader, 4)).map((f) => f.id)).toEqual([6, 7, 8, 9]);
  });

  it('keeps the first queued frames under drop-newest and counts the rest as dropped', async () => {
    const network = new VirtualNetwork();
    const tx = network.open('c');
    const rx = network.open('c', { queueLimit: 3, dropPolicy: 'drop-newest' });
    const reader = rx.frames();
    for (let id = 0; id < 8; id++) await tx.send(makeFrame({ id }));
    expect(rx.stats.dropped).toBe(5);
    expect((await take(reader, 3)).map((f) => f.id)).toEqual([0, 1, 2]);
  });

  it('bounds each reader separately: a stalled reader does not cost a live one anything', async () => {
    const network = new VirtualNetwork();
    const tx = network.open('c');
    const rx = network.open('c', { queueLimit: 2 });
    rx.frames(); // never read
    const live = rx.frames()[Symbol.asyncIterator]();
    const seen: number[] = [];
    for (let id = 0; id < 5; id++) {
      const next = live.next();
      await tx.send(makeFrame({ id }));
      const step = await next;
      if (!step.done) seen.push(step.value.id);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(rx.stats.dropped).toBe(3);
  });

  it('applies id/mask filters before queueing, once for every reader', async () => {
    const network = new VirtualNetwork();
    const tx = network.open('c');
    const rx = await openBus({ kind: 'virtual', channel: 'c', network, filters: [{ id: 0x100, mask: 0x700, extended: false }, { id: 0x18daf110, mask: 0x1fffffff, extended: true }] });
    const reader = take(rx.frames(), 4);
    for (const id of [0x100, 0x200, 0x1ff, 0x7ff, 0x101]) await tx.send(makeFrame({ id }));
    // Same low bits as the first filter, but 29-bit: only the exact extended filter may pass it.
    await tx.send(makeFrame({ id: 0x100, extended: true }));
    await tx.send(makeFrame({ id: 0x18daf110, extended: true }));
    expect((await reader).map((f) => f.id)).toEqual([0x100, 0x1ff, 0x101, 0x18daf110]);
    expect(rx.stats.received).toBe(4);
  });

  it('rejects a queue limit that is not a positive integer at open', () => {
    expect(() => new VirtualNetwork().open('c', { queueLimit: 0 })).toThrow(RangeError);
  });

  it('opens on the default network when none is passed', async () => {
    const a = await openBus({ kind: 'virtual', channel: 'default-net-test' });
    const b = await openBus({ kind: 'virtual', channel: 'default-net-test' });
    const reading = take(b.frames(), 1);
    await a.send(makeFrame({ id: 9 }));
    expect((await reading)[0]?.id).toBe(9);
    await a.close();
    await b.close();
  });
});
