import { afterEach, describe, expect, it } from 'vitest';
import { MessageType, SomeipSd, SomeipServer, SomeipUdpEndpoint, makeMessage, type ServiceInterface, type SomeipType } from '../../../bus/someip/index.js';
import { RealClock } from '../../../runtime/clock.js';
import { parseConfig } from '../../../runtime/config.js';
import { ConfigInvalidError } from '../../../runtime/errors.js';
import { SignalStore, parseSignalCatalog } from '../../../runtime/signals/index.js';
import { flattenPayload, payloadSignalNames, someipCatalogSource, someipInputsFromConfig, someipMessageName } from '../../../runtime/someip/index.js';
import { waitFor } from '../../bus/someip/wait-for.js';
import { FAST_SD, startTestBridge } from './bridge-fixture.js';
import { DOMAIN_LIST } from '../../../domains/index.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

const PAYLOAD: SomeipType = {
  type: 'struct',
  fields: [
    { name: 'speed', type: { type: 'float32' } },
    { name: 'pos', type: { type: 'struct', fields: [{ name: 'x', type: { type: 'int16' } }, { name: 'y', type: { type: 'int16' } }] } },
    { name: 'gear', type: { type: 'uint8' } },
    { name: 'braking', type: { type: 'boolean' } },
  ],
};
const REMOTE: ServiceInterface = { serviceId: 0x4b10, instanceId: 1, majorVersion: 1, minorVersion: 0, events: { motion: { id: 0x8001, eventgroups: [5], payload: PAYLOAD } } };
const INPUT = { service_id: 0x4b10, eventgroup_id: 5, events: [{ event_id: 0x8001, payload: PAYLOAD, cycle_time_ms: 20 }] };

describe('SOME/IP inputs into the signal store', () => {
  it('names a SOME/IP event as a pseudo-message and its fields as flattened signals', () => {
    expect(someipMessageName(0x4b10, 0x8001)).toBe('SOMEIP_4B10_8001');
    expect(payloadSignalNames(PAYLOAD)).toEqual(['speed', 'pos_x', 'pos_y', 'gear', 'braking']);
    expect(payloadSignalNames({ type: 'uint16' })).toEqual(['value']);
    expect(payloadSignalNames({ type: 'array', length: 2, element: { type: 'uint8' } })).toEqual(['value_0', 'value_1']);
    expect(flattenPayload({ speed: 1.5, pos: { x: -3, y: 4 }, gear: 3, braking: true })).toEqual({ speed: 1.5, pos_x: -3, pos_y: 4, gear: 3, braking: 1 });
    expect(flattenPayload([7, 8])).toEqual({ value_0: 7, value_1: 8 });
    expect(flattenPayload(12n)).toEqual({ value: 12 });
  });

  it('rejects an input with an invalid payload schema or a method ID, naming the config path', () => {
    const cfg = parseConfig({ someip: { inputs: [{ ...INPUT, events: [{ event_id: 0x0001, payload: { type: 'float128' } }] }] } }, DOMAIN_LIST).someip;
    expect(() => someipInputsFromConfig(cfg)).toThrow(ConfigInvalidError);
    expect(() => someipInputsFromConfig(cfg)).toThrow(/someip\.inputs\.0\.events\.0\.payload/);
    expect(() => someipInputsFromConfig(cfg)).toThrow(/someip\.inputs\.0\.events\.0\.event_id/);
  });

  it('subscribes to a remote eventgroup and feeds decoded fields into the store as vehicle signals', async () => {
    const inputs = someipInputsFromConfig(parseConfig({ someip: { inputs: [INPUT] } }, DOMAIN_LIST).someip);
    const catalog = parseSignalCatalog({
      'Vehicle.Speed': { message: 'SOMEIP_4B10_8001', signal: 'speed' },
      'Vehicle.Position.X': { message: 'SOMEIP_4B10_8001', signal: 'pos_x' },
      'Vehicle.Brake.IsActive': { message: 'SOMEIP_4B10_8001', signal: 'braking', channel: 'someip' },
    });
    catalog.validateAgainst(someipCatalogSource(inputs));
    const store = new SignalStore(catalog);
    const clock = new RealClock();

    const remoteSd = await SomeipSd.open({ port: 0, peers: [], timings: FAST_SD });
    const remoteEp = await SomeipUdpEndpoint.open();
    const remote = new SomeipServer({ endpoint: remoteEp, sd: remoteSd });
    closers.push(() => remoteSd.close(), () => remoteEp.close(), () => remote.close());
    const bridge = await startTestBridge({ sd_peers: [`${remoteSd.local.address}:${remoteSd.local.port}`], inputs: [INPUT] }, store);
    closers.push(() => bridge.close());
    remoteSd.addPeer(bridge.sdAddress);
    remote.offer(REMOTE);
    await waitFor(() => (remoteSd.engine.subscribers(0x4b10, 1, 5).length === 1 ? true : undefined));
    // The Ack may still be on its way to the bridge: send until one arrives.
    await waitFor(() => {
      void remote.notify(0x4b10, 'motion', { speed: 27.5, pos: { x: -120, y: 40 }, gear: 4, braking: true });
      return bridge.inputs!.stats.events > 0 ? true : undefined;
    });
    const now = clock.now();
    expect(store.get('Vehicle.Speed', now)).toMatchObject({ value: 27.5, valid: true, periodS: 0.02 });
    expect(store.get('Vehicle.Position.X', now)?.value).toBe(-120);
    expect(store.get('Vehicle.Brake.IsActive', now)?.value).toBe(1);
    expect(bridge.inputs!.stats.signals).toBe(3 * bridge.inputs!.stats.events);

    // A truncated payload is dropped, never half-stored.
    await new Promise((r) => setTimeout(r, 100)); // notifications of the send loop still in flight
    const before = bridge.inputs!.stats.events;
    const droppedBefore = bridge.inputs!.dropped;
    await remoteEp.send(makeMessage({ serviceId: 0x4b10, methodId: 0x8001, interfaceVersion: 1, messageType: MessageType.NOTIFICATION, payload: new Uint8Array([0x41, 0xdc]) }), bridge.serviceAddress);
    await waitFor(() => (bridge.inputs!.dropped > droppedBefore ? true : undefined));
    expect(bridge.inputs!.stats.events).toBe(before);
    expect(store.get('Vehicle.Speed', clock.now())?.value).toBe(27.5);
  });
});
