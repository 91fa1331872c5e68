import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { AdaptiveSpin, socketFd, spinRead, spinReceive } from '../../../runtime/inference/spin-read.js';

/** A connected TCP pair on loopback: `a` is read through its fd only, `b` writes. */
async function socketPair(): Promise<{ a: net.Socket; b: net.Socket; close: () => void }> {
  // Paused on connect: libuv never reads `a`, so what lands there is left for the spin.
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const b = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => b.once('connect', r));
  const a = await accepted;
  return { a, b, close: () => (a.destroy(), b.destroy(), server.close()) };
}

let pair: Awaited<ReturnType<typeof socketPair>> | undefined;
afterEach(() => pair?.close());

async function landed(): Promise<void> {
  await new Promise((r) => setTimeout(r, 20));
}

describe('spinRead', () => {
  it('takes bytes already waiting and returns after the first chunk', async () => {
    pair = await socketPair();
    pair.b.write(Buffer.from([1, 2, 3]));
    await landed();
    const got: Buffer[] = [];
    const r = spinRead(socketFd(pair.a) as number, 1000, (c) => got.push(c));
    expect(r).toEqual({ bytes: 3, ended: false });
    expect([...Buffer.concat(got)]).toEqual([1, 2, 3]);
  });

  it('gives up after its window when nothing comes', async () => {
    pair = await socketPair();
    const t0 = process.hrtime.bigint();
    const r = spinRead(socketFd(pair.a) as number, 2000, () => expect.fail('no bytes were sent'));
    const us = Number(process.hrtime.bigint() - t0) / 1e3;
    expect(r).toEqual({ bytes: 0, ended: false });
    expect(us).toBeGreaterThanOrEqual(2000);
  });

  it('reports a closed peer as ended', async () => {
    pair = await socketPair();
    pair.b.end();
    await landed();
    expect(spinRead(socketFd(pair.a) as number, 1000, () => undefined)).toEqual({ bytes: 0, ended: true });
  });

  it('does nothing with a window of zero', async () => {
    pair = await socketPair();
    pair.b.write('x');
    await landed();
    expect(spinRead(socketFd(pair.a) as number, 0, () => expect.fail('must not read'))).toEqual({ bytes: 0, ended: false });
  });
});

describe('AdaptiveSpin', () => {
  it('skips 1, 2, 4 ... chances after empty windows and spins again at once after a full one', async () => {
    pair = await socketPair();
    const fd = socketFd(pair.a) as number;
    const spin = new AdaptiveSpin(200);
    const spun = (): boolean => {
      const t0 = process.hrtime.bigint();
      spin.read(fd, () => undefined);
      return Number(process.hrtime.bigint() - t0) / 1e3 >= 200;
    };
    // Empty windows: spin, skip 1, spin, skip 2, spin, skip 4.
    const pattern = Array.from({ length: 11 }, spun);
    expect(pattern).toEqual([true, false, true, false, false, true, false, false, false, false, true]);
    // Bytes waiting: the first chance that spins takes them, and the penalty is gone.
    pair.b.write('y');
    await landed();
    const got: Buffer[] = [];
    let tries = 0;
    while (got.length === 0 && tries++ < 20) spin.read(fd, (c) => got.push(c));
    expect(got.map(String)).toEqual(['y']);
    expect(spun()).toBe(true);
    expect(spun()).toBe(false);
  });

  it('bounds its window: off for nonsense, at most 10 ms', () => {
    expect(new AdaptiveSpin(Number.NaN).windowUs).toBe(0);
    expect(new AdaptiveSpin(-5).windowUs).toBe(0);
    expect(new AdaptiveSpin(1e9).windowUs).toBe(10_000);
    expect(new AdaptiveSpin(250).windowUs).toBe(250);
  });

  it('never spins with a window of zero', async () => {
    pair = await socketPair();
    const spin = new AdaptiveSpin(0);
    expect(spin.windowUs).toBe(0);
    pair.b.write('z');
    await landed();
    expect(spin.read(socketFd(pair.a) as number, () => expect.fail('must not read'))).toEqual({ bytes: 0, ended: false });
  });
});

describe('spinReceive', () => {
  it('takes messages off a port in the order they were posted, one per call', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      port2.postMessage('first');
      port2.postMessage('second');
      const got: unknown[] = [];
      expect(spinReceive(port1, 1000, (m) => got.push(m)).bytes).toBe(1);
      expect(spinReceive(port1, 1000, (m) => got.push(m)).bytes).toBe(1);
      expect(got).toEqual(['first', 'second']);
    } finally {
      port1.close();
    }
  });

  it('gives up after its window on an empty port', () => {
    const { port1 } = new MessageChannel();
    try {
      const t0 = process.hrtime.bigint();
      expect(spinReceive(port1, 2000, () => expect.fail('nothing was posted'))).toEqual({ bytes: 0, ended: false });
      expect(Number(process.hrtime.bigint() - t0) / 1e3).toBeGreaterThanOrEqual(2000);
    } finally {
      port1.close();
    }
  });
});
