import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BusInitError, BusProtocolError, type BusError } from '../../../bus/errors.js';
import { makeFrame } from '../../../bus/frame.js';
import { openBus } from '../../../bus/transport/index.js';
import { serveSocketcand } from '../../../bus/transport/socketcand-server.js';
import { SocketcandBus } from '../../../bus/transport/socketcand.js';
import { VirtualNetwork } from '../../../bus/transport/virtual.js';
import { take } from './take.js';
import { describeTransport } from './transport.contract.js';

describeTransport(
  'socketcand (client and server on 127.0.0.1)',
  async () => {
    const network = new VirtualNetwork();
    const server = await serveSocketcand({ port: 0, open: (channel) => network.open(channel) });
    const a = await openBus({ kind: 'socketcand', host: '127.0.0.1', port: server.port, channel: 'can0' });
    const b = await openBus({ kind: 'socketcand', host: '127.0.0.1', port: server.port, channel: 'can0' });
    return { a, b, dispose: () => server.close() };
  },
  { fd: false },
);

/** A scripted server: says hi, accepts open and rawmode, then writes `script` verbatim. */
async function scriptedServer(script: (socket: net.Socket) => void, answers: { open?: string } = {}): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('latin1');
    socket.write('< hi >');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.includes('< open ')) {
        buffered = buffered.replace(/< open [^>]*>/, '');
        socket.write(answers.open ?? '< ok >');
      }
      if (buffered.includes('< rawmode >')) {
        buffered = buffered.replace('< rawmode >', '');
        socket.write('< ok >');
        script(socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the socketcand client', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('counts malformed server lines, reports each as a typed error with its offset, and keeps the good frames', async () => {
    const errors: BusError[] = [];
    const server = await scriptedServer((s) => {
      s.write('< frame 100 1.000000 01 >garbage< frame XYZ 1.0 00 >< frame 101 1.5');
      s.write(' 0203 >< frame 102 2.0 0 >< frame 103 2.5 >');
    });
    cleanups.push(server.close);
    const bus = await SocketcandBus.open({ host: '127.0.0.1', port: server.port, channel: 'can0', onError: (e) => errors.push(e) });
    cleanups.push(() => bus.close());
    const frames = await take(bus.frames(), 3);
    expect(frames.map((f) => f.id)).toEqual([0x100, 0x101, 0x103]);
    expect(frames[1]?.data).toEqual(Uint8Array.from([2, 3]));
    expect(bus.stats.malformed).toBe(3);
    expect(errors.map((e) => e.constructor.name)).toEqual(['BusOperationError', 'BusProtocolError', 'BusProtocolError']);
    // Offsets count from the start of the stream: '< hi >< ok >< ok >' is 18 characters.
    expect((errors[1] as BusProtocolError).location.offset).toBe(18 + 32);
    expect(errors[0]?.message).toContain('garbage');
  });

  it('survives a flood of random bytes from the server and still reads the frame after it', async () => {
    const noise = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919 + 13) % 256));
    const server = await scriptedServer((s) => {
      s.write(noise);
      s.write('>< frame 7FF 3.0 AA >');
    });
    cleanups.push(server.close);
    const bus = await SocketcandBus.open({ host: '127.0.0.1', port: server.port, channel: 'can0' });
    cleanups.push(() => bus.close());
    const [frame] = await take(bus.frames(), 1);
    expect(frame?.id).toBe(0x7ff);
    expect(bus.stats.malformed).toBeGreaterThan(0);
  });

  it('fails to open with BusInitError when the server refuses the channel', async () => {
    const server = await scriptedServer(() => undefined, { open: '< error no such device >' });
    cleanups.push(server.close);
    const opening = SocketcandBus.open({ host: '127.0.0.1', port: server.port, channel: 'nope0' });
    await expect(opening).rejects.toBeInstanceOf(BusInitError);
    await expect(opening).rejects.toThrow(/no such device/);
  });

  it('fails to open with BusInitError when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(SocketcandBus.open({ host: '127.0.0.1', port, channel: 'can0' })).rejects.toThrow(BusInitError);
  });

  it('fails to open with BusInitError when the server never greets', async () => {
    const silent = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const port = (silent.address() as net.AddressInfo).port;
    await expect(SocketcandBus.open({ host: '127.0.0.1', port, channel: 'can0', connectTimeoutMs: 200 })).rejects.toThrow(/no < hi > within 200 ms/);
    silent.unref();
  });

  it('ends its readers when the server goes away and reconnecting is off', async () => {
    const server = await scriptedServer((s) => s.end());
    cleanups.push(server.close);
    const bus = await SocketcandBus.open({ host: '127.0.0.1', port: server.port, channel: 'can0', reconnect: false });
    const collected = [];
    for await (const f of bus.frames()) collected.push(f);
    expect(collected).toEqual([]);
  });
});

describe('the socketcand server', () => {
  it('answers malformed commands with < error > and keeps the session', async () => {
    const network = new VirtualNetwork();
    const errors: BusError[] = [];
    const server = await serveSocketcand({ port: 0, open: (ch) => network.open(ch), onError: (e) => errors.push(e) });
    const listener = network.open('can0');
    const received = take(listener.frames(), 1);
    const socket = net.connect(server.port, '127.0.0.1');
    socket.setEncoding('latin1');
    let text = '';
    socket.on('data', (c: string) => (text += c));
    socket.write('< open can0 >< rawmode >< send 12 2 1 >< send 12 1 5 >');
    const [frame] = await received;
    expect(frame?.data).toEqual(Uint8Array.from([5]));
    await expect.poll(() => text).toContain('< error ');
    expect(text.startsWith('< hi >< ok >< ok >')).toBe(true);
    expect(errors[0]).toBeInstanceOf(BusProtocolError);
    socket.destroy();
    await server.close();
    await listener.close();
    expect(network.endpoints('can0')).toBe(0);
  });

  it('refuses to send before a channel is open', async () => {
    const server = await serveSocketcand({ port: 0, open: () => Promise.reject(new Error('unused')) });
    const socket = net.connect(server.port, '127.0.0.1');
    socket.setEncoding('latin1');
    let text = '';
    socket.on('data', (c: string) => (text += c));
    socket.write('< send 12 0 >');
    await expect.poll(() => text).toMatch(/< error unexpected/);
    socket.destroy();
    await server.close();
  });
});

it('keeps a frame written to a socketcand client classic-only: FD sends fail with a typed error', async () => {
  const network = new VirtualNetwork();
  const server = await serveSocketcand({ port: 0, open: (ch) => network.open(ch) });
  const bus = await SocketcandBus.open({ host: '127.0.0.1', port: server.port, channel: 'can0' });
  await expect(bus.send(makeFrame({ id: 1, fd: true, data: new Uint8Array(16) }))).rejects.toThrow(/classic data frames only/);
  await bus.close();
  await server.close();
});
