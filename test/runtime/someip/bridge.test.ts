import { afterEach, describe, expect, it } from 'vitest';
import { SomeipClient, SomeipRemoteError, SomeipSd, SomeipUdpEndpoint, ReturnCode, type SomeipValue } from '../../../bus/someip/index.js';
import { payloadToJson, eventFields, type SomeipBridge } from '../../../runtime/someip/index.js';
import { waitFor } from '../../bus/someip/wait-for.js';
import { FAST_SD, SAMPLE_RESULTS, expectedJson, openConsumer, sameValues, startTestBridge } from './bridge-fixture.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function setup(): Promise<{ bridge: SomeipBridge; consumer: Awaited<ReturnType<typeof openConsumer>> }> {
  const bridge = await startTestBridge();
  closers.push(() => bridge.close());
  const consumer = await openConsumer(bridge);
  closers.push(() => consumer.close());
  return { bridge, consumer };
}

describe('SOME/IP bridge', () => {
  it('offers one service per domain on the configured address with the default IDs', async () => {
    const { bridge } = await setup();
    expect(bridge.services.map((s) => [s.domain, s.ids.serviceId])).toEqual([
      ['adas', 0x4a01], ['chassis', 0x4a02], ['powertrain', 0x4a03], ['cockpit', 0x4a04], ['body', 0x4a05],
    ]);
    expect(bridge.sdAddress.port).toBeGreaterThan(0);
    expect(bridge.serviceAddress.port).not.toBe(bridge.sdAddress.port);
  });

  it('sends each published result to an acknowledged subscriber, decoding to the domain JSON form', async () => {
    const { bridge, consumer } = await setup();
    const got: Record<string, unknown>[] = [];
    for (const s of bridge.services) {
      consumer.client.subscribe(s.iface, [s.ids.eventgroupId], (_name, value: SomeipValue) => got.push({ domain: s.domain, ...payloadToJson(eventFields(s), value) }));
    }
    await waitFor(() => (bridge.services.every((s) => bridge.subscribers(s.domain) === 1) ? true : undefined));
    for (const s of bridge.services) await waitFor(() => (consumer.sd.engine.subscriptionState(s.ids.serviceId, s.ids.instanceId, s.ids.eventgroupId) === 'acked' ? true : undefined));
    for (const r of SAMPLE_RESULTS) bridge.publish(r);
    await waitFor(() => (got.length === SAMPLE_RESULTS.length ? true : undefined));
    for (const r of SAMPLE_RESULTS) {
      const match = got.filter((g) => g.domain === r.domain).find((g) => sameValues({ ...g, domain: undefined }, { ...expectedJson(r), domain: undefined }));
      expect(match, `${r.domain} at t=${r.t}`).toBeDefined();
    }
    expect(bridge.stats).toMatchObject({ published: SAMPLE_RESULTS.length, notifications: SAMPLE_RESULTS.length, errors: 0 });
  });

  it('sends nothing to anyone before a subscription is acknowledged', async () => {
    const { bridge, consumer } = await setup();
    let received = 0;
    consumer.endpoint.onMessage(() => received++);
    for (const r of SAMPLE_RESULTS) bridge.publish(r);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(0);
    expect(bridge.stats.notifications).toBe(0);
    expect(bridge.stats.published).toBe(SAMPLE_RESULTS.length);
  });

  it('answers getDriverState with the last cockpit result, and E_NOT_OK before there is one', async () => {
    const { bridge, consumer } = await setup();
    const cockpit = bridge.services.find((s) => s.domain === 'cockpit')!;
    const at = bridge.serviceAddress;
    await expect(consumer.client.call(cockpit.iface, 'getDriverState', {}, { at })).rejects.toSatisfy((e) => e instanceof SomeipRemoteError && e.returnCode === ReturnCode.E_NOT_OK);
    const cockpitResults = SAMPLE_RESULTS.filter((r) => r.domain === 'cockpit');
    const drowsy = { ...cockpitResults[0]!, t: 99, result: { level: 2, confidence: 0.95, source: 'fallback' } };
    bridge.publish(cockpitResults[0]!);
    bridge.publish(drowsy);
    const answer = await consumer.client.call(cockpit.iface, 'getDriverState', {}, { at });
    expect(sameValues(payloadToJson(eventFields(cockpit), answer), expectedJson(drowsy))).toBe(true);
  });

  it('counts a result with no wire form as an error and keeps serving', async () => {
    const { bridge } = await setup();
    bridge.publish({ domain: 'chassis', t: 1, variant: 'fp32', inputsValid: true, result: { frictionClass: 2, confidence: 0.5, mu: 0.3, source: 'oracle' } });
    bridge.publish(SAMPLE_RESULTS[0]!);
    expect(bridge.stats).toMatchObject({ published: 2, errors: 1 });
  });

  it('keeps a subscription alive past its TTL: the subscriber gets cyclic offers and renews', async () => {
    const bridge = await startTestBridge();
    closers.push(() => bridge.close());
    const sd = await SomeipSd.open({ port: 0, peers: [bridge.sdAddress], timings: { ...FAST_SD, ttl: 1 } });
    const endpoint = await SomeipUdpEndpoint.open();
    const client = new SomeipClient({ endpoint, sd });
    closers.push(() => sd.close(), () => endpoint.close(), () => client.close());
    const body = bridge.services.find((s) => s.domain === 'body')!;
    let got = 0;
    client.subscribe(body.iface, [1], () => got++);
    await waitFor(() => (sd.engine.subscriptionState(body.ids.serviceId, 1, 1) === 'acked' ? true : undefined));
    await new Promise((r) => setTimeout(r, 2200)); // twice the subscription's TTL
    expect(bridge.subscribers('body')).toBe(1);
    bridge.publish(SAMPLE_RESULTS.find((r) => r.domain === 'body')!);
    await waitFor(() => (got === 1 ? true : undefined));
  });

  it('fails to start with a typed error when the SD port is taken, leaving nothing open', async () => {
    const squatter = await SomeipUdpEndpoint.open();
    closers.push(() => squatter.close());
    await expect(startTestBridge({ sd_port: squatter.local.port })).rejects.toMatchObject({ code: 'BUS_INIT' });
  });
});
