/**
 * A socketcand link that drops comes back: the server (our socketcand server over a virtual bus,
 * the peer every socketcand test uses) is stopped and started again on the same port while a
 * client reads, and a client is opened while no server listens yet.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BusDownError } from '../../../bus/errors.js';
import { makeFrame, type CanFrame } from '../../../bus/frame.js';
import { openBus, type Bus } from '../../../bus/transport/index.js';
import type { LinkStatus } from '../../../bus/transport/link.js';
import { serveSocketcand, type SocketcandServer } from '../../../bus/transport/socketcand-server.js';
import { VirtualNetwork } from '../../../bus/transport/virtual.js';
import { freePort } from '../../helpers/free-port.js';
import { until } from '../../helpers/wait.js';

/** A peer on the server's virtual bus sending `ids` in turn every 10 ms, with a running counter in byte 0. */
function sendEvery10ms(peer: Bus, ids: readonly number[]): () => void {
  let n = 0;
  const timer = setInterval(() => {
    for (const id of ids) void peer.send(makeFrame({ id, data: [n & 0xff] })).catch(() => undefined);
    n++;
  }, 10);
  return () => clearInterval(timer);
}

/** Collects every frame of a reader until the returned stop is called. */
function collect(bus: Bus): { frames: CanFrame[]; stop: () => void } {
  const ctl = new AbortController();
  const frames: CanFrame[] = [];
  void (async () => {
    for await (const f of bus.frames(ctl.signal)) frames.push(f);
  })();
  return { frames, stop: () => ctl.abort() };
}

describe('a socketcand client whose server goes away and comes back', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('reconnects with backoff, keeps its readers and filters, refuses sends at once while down, and counts the reconnect', async () => {
    const network = new VirtualNetwork();
    const peer = network.open('can0');
    cleanups.push(() => peer.close());
    let server: SocketcandServer = await serveSocketcand({ port: 0, open: (ch) => network.open(ch) });
    const port = server.port;
    cleanups.push(() => server.close());
    const changes: LinkStatus[] = [];
    const client = await openBus({ kind: 'socketcand', host: '127.0.0.1', port, channel: 'can0', filters: [{ id: 0x100, mask: 0x7ff }], onLinkChange: (s) => changes.push(s) });
    cleanups.push(() => client.close());
    expect(client.link.state).toBe('up');
    const got = collect(client);
    cleanups.push(got.stop);
    cleanups.push(sendEvery10ms(peer, [0x100, 0x200]));
    await until('frames before the drop', () => got.frames.length >= 5, 5000);

    await server.close();
    await until('the link seen down', () => client.link.state === 'down', 5000);
    const t0 = performance.now();
    await expect(client.send(makeFrame({ id: 0x7, data: [1] }))).rejects.toBeInstanceOf(BusDownError);
    expect(performance.now() - t0).toBeLessThan(50);
    await new Promise((r) => setTimeout(r, 600));
    expect(client.link.attempts).toBeGreaterThan(1);
    expect(client.link.lastError).toMatch(/ECONNREFUSED/);
    const beforeRestart = got.frames.length;

    server = await serveSocketcand({ port, open: (ch) => network.open(ch) });
    await until('frames after the restart', () => got.frames.length >= beforeRestart + 5, 5000);
    expect(client.link).toMatchObject({ state: 'up', reconnects: 1, attempts: 0 });
    // The filter still holds on the new session: only 0x100 came through, before and after.
    expect(new Set(got.frames.map((f) => f.id))).toEqual(new Set([0x100]));
    expect(changes.map((c) => c.state).filter((s, i, all) => s !== all[i - 1])).toEqual(['up', 'down', 'up']);
    // Sending works again, through the new session to the server's bus.
    const heard = collect(peer);
    cleanups.push(heard.stop);
    await client.send(makeFrame({ id: 0x321, data: [9] }));
    await until('the frame sent after the reconnect', () => heard.frames.some((f) => f.id === 0x321), 5000);
  });

  it('opens with no server listening when the medium is not required at open, and starts reading once it comes', async () => {
    const port = await freePort();
    const client = await openBus({ kind: 'socketcand', host: '127.0.0.1', port, channel: 'can0', requireAtOpen: false });
    cleanups.push(() => client.close());
    expect(client.link.state).toBe('connecting');
    await expect(client.send(makeFrame({ id: 1, data: [] }))).rejects.toThrow(/link is connecting/);
    const got = collect(client);
    cleanups.push(got.stop);
    await new Promise((r) => setTimeout(r, 1000));
    expect(client.link.state).toBe('connecting');
    expect(client.link.attempts).toBeGreaterThan(2);
    const network = new VirtualNetwork();
    const peer = network.open('can0');
    cleanups.push(() => peer.close());
    const server = await serveSocketcand({ port, open: (ch) => network.open(ch) });
    cleanups.push(() => server.close());
    cleanups.push(sendEvery10ms(peer, [0x42]));
    await until('frames once the server is up', () => got.frames.length >= 3, 5000);
    expect(client.link).toMatchObject({ state: 'up', reconnects: 0 });
  });

  it('stops retrying when closed while connecting', async () => {
    const port = await freePort();
    const client = await openBus({ kind: 'socketcand', host: '127.0.0.1', port, channel: 'can0', requireAtOpen: false });
    await new Promise((r) => setTimeout(r, 200));
    await client.close();
    const attempts = client.link.attempts;
    expect(client.link.state).toBe('closed');
    await new Promise((r) => setTimeout(r, 500));
    expect(client.link.attempts).toBe(attempts);
  });
});
