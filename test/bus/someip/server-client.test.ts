import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';
import { SomeipUdpEndpoint } from '../../../bus/someip/udp-endpoint.js';
import { SomeipSd } from '../../../bus/someip/sd-host.js';
import { SomeipServer } from '../../../bus/someip/server.js';
import { SomeipClient } from '../../../bus/someip/client.js';
import { MessageType, ReturnCode } from '../../../bus/someip/constants.js';
import { SomeipRemoteError, SomeipTimeoutError } from '../../../bus/someip/errors.js';
import { makeMessage } from '../../../bus/someip/header.js';
import type { SomeipValue } from '../../../bus/someip/schema.js';
import { CLIMATE } from './service-fixture.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});


const FAST = { initialDelayMin: 0.001, initialDelayMax: 0.005, repetitionBaseDelay: 0.01, repetitionsMax: 2, cyclicOfferDelay: 0.2, ttl: 1 };

/** A server and a client, each with its own SD socket on loopback, fanning "multicast" out to the other. */
async function pair(): Promise<{ server: SomeipServer; client: SomeipClient; sdS: SomeipSd; sdC: SomeipSd; serverEp: SomeipUdpEndpoint; log: string[] }> {
  const sdS2 = await SomeipSd.open({ port: 0, peers: [], timings: FAST });
  const sdC = await SomeipSd.open({ port: 0, peers: [sdS2.local], timings: FAST });
  sdS2.addPeer(sdC.local);
  const serverEp = await SomeipUdpEndpoint.open();
  const clientEp = await SomeipUdpEndpoint.open();
  const server = new SomeipServer({ endpoint: serverEp, sd: sdS2 });
  const client = new SomeipClient({ endpoint: clientEp, sd: sdC, timeoutMs: 2000 });
  const log: string[] = [];
  sdC.onEvent((e) => log.push(e.kind));
  closers.push(() => serverEp.close(), () => clientEp.close(), () => sdS2.close(), () => sdC.close(), () => server.close(), () => client.close());
  return { server, client, sdS: sdS2, sdC, serverEp, log };
}

const handlers = {
  add: (v: SomeipValue) => {
    const { a, b } = v as { a: number; b: number };
    return a + b;
  },
  fail: () => {
    throw new Error('always');
  },
  log: () => 0,
  echo: (v: SomeipValue) => v,
};

describe('SomeipServer and SomeipClient over UDP loopback', () => {
  it('discovers the service through SD and calls a method', async () => {
    const { server, client, sdC } = await pair();
    sdC.find(CLIMATE.serviceId, CLIMATE.instanceId);
    server.offer(CLIMATE, handlers, { setpoint: 21 });
    await waitFor(() => sdC.engine.remoteServices()[0]);
    expect(await client.call(CLIMATE, 'add', { a: 40, b: 2 })).toBe(42);
    const big = Array.from({ length: 5000 }, (_, i) => i & 0xff);
    expect(await client.call(CLIMATE, 'echo', big)).toEqual(big); // TP both ways
  });

  it('answers unknown service, unknown method, wrong interface version and a failing handler with their return codes', async () => {
    const { server, client, serverEp } = await pair();
    server.offer(CLIMATE, handlers, { setpoint: 21 });
    const at = serverEp.local;
    const ask = async (serviceId: number, methodId: number, interfaceVersion: number) => client.request({ serviceId, methodId, interfaceVersion }, at);
    const unknownService = await ask(0x9999, 1, 2);
    expect([unknownService.messageType, unknownService.returnCode]).toEqual([MessageType.ERROR, ReturnCode.E_UNKNOWN_SERVICE]);
    expect((await ask(CLIMATE.serviceId, 0x0077, 2)).returnCode).toBe(ReturnCode.E_UNKNOWN_METHOD);
    expect((await ask(CLIMATE.serviceId, 1, 9)).returnCode).toBe(ReturnCode.E_WRONG_INTERFACE_VERSION);
    expect((await ask(CLIMATE.serviceId, 1, 2)).returnCode).toBe(ReturnCode.E_MALFORMED_MESSAGE); // empty payload for a struct
    await expect(client.call(CLIMATE, 'fail', {}, { at })).rejects.toSatisfy((e) => e instanceof SomeipRemoteError && e.returnCode === ReturnCode.E_NOT_OK);
  });

  it('times out a request nobody answers with a typed error', async () => {
    const { client } = await pair();
    const silent = await SomeipUdpEndpoint.open(); // bound, but nobody answers there
    closers.push(() => silent.close());
    await expect(client.call(CLIMATE, 'add', { a: 1, b: 2 }, { at: silent.local, timeoutMs: 50 })).rejects.toBeInstanceOf(SomeipTimeoutError);
    expect(client.stats.timeouts).toBe(1);
  });

  it('gets and sets a field, and delivers events and notifications only after the Ack', async () => {
    const { server, client, sdC, log } = await pair();
    server.offer(CLIMATE, handlers, { setpoint: 21 });
    const events: [string, SomeipValue][] = [];
    // Before any subscription, a notification sent straight at the client is dropped.
    await server.notify(CLIMATE.serviceId, 'cabinTemp', 20.5);
    client.subscribe(CLIMATE, [0x10], (name, value) => events.push([name, value]));
    await waitFor(() => (log.includes('subscribed') ? true : undefined));
    expect(sdC.engine.subscriptionState(CLIMATE.serviceId, 1, 0x10)).toBe('acked');
    expect(await server.notify(CLIMATE.serviceId, 'cabinTemp', 22.5)).toBe(1);
    expect(await client.field(CLIMATE, 'setpoint')).toBe(21);
    expect(await client.field(CLIMATE, 'setpoint', 23)).toBe(23);
    expect(server.getField(CLIMATE.serviceId, 'setpoint')).toBe(23);
    await waitFor(() => (events.length >= 2 ? true : undefined));
    expect(events).toEqual([['cabinTemp', 22.5], ['setpoint', 23]]);
  });

  it('drops notifications a client never subscribed to', async () => {
    const { server, client, serverEp } = await pair();
    server.offer(CLIMATE, handlers, { setpoint: 21 });
    const msg = makeMessage({ serviceId: CLIMATE.serviceId, methodId: 0x8001, interfaceVersion: 2, messageType: MessageType.NOTIFICATION, payload: new Uint8Array(4) });
    const other = await SomeipUdpEndpoint.open();
    closers.push(() => other.close());
    // The client's UDP port, learnt the way a server does: from a request it sends.
    const target = await new Promise<{ address: string; port: number }>((resolve) => {
      const off = serverEp.onMessage((_m, from) => {
        off();
        resolve(from);
      });
      void client.request({ serviceId: CLIMATE.serviceId, methodId: 1, interfaceVersion: 2, payload: new Uint8Array(8) }, serverEp.local);
    });
    await other.send(msg, target);
    await waitFor(() => (client.stats.notificationsDropped === 1 ? true : undefined));
    expect(client.stats.notifications).toBe(0);
  });
});
