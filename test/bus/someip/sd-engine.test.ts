import { describe, expect, it } from 'vitest';
import { SdEngine, type SdEvent, type SdOutgoing, type SdTimings } from '../../../bus/someip/sd-engine.js';
import { SdRebootDetector, SdSessionCounter } from '../../../bus/someip/sd-session.js';
import { SdEntryType, buildSdPayload, decodeSdMessage, encodeSdMessage } from '../../../bus/someip/sd-codec.js';
import { decodeMessage } from '../../../bus/someip/header.js';

class FakeClock {
  t = 0;
  now(): number {
    return this.t;
  }
}

const TIMINGS: SdTimings = { initialDelayMin: 0.01, initialDelayMax: 0.05, repetitionBaseDelay: 0.03, repetitionsMax: 3, cyclicOfferDelay: 1, ttl: 3 };
const SERVER = '10.0.0.1:30490';
const CLIENT = '10.0.0.2:30490';
const EP = (address: string, port: number) => ({ type: 'ipv4-endpoint' as const, address, protocol: 'udp' as const, port });
const OFFER = { serviceId: 0x1234, instanceId: 1, majorVersion: 1, minorVersion: 0, endpoints: [EP('10.0.0.1', 30501)], eventgroups: [0x10] };

/** An in-memory SD network: every message goes through the real wire encoding, multicast to all others. */
class Net {
  readonly clock = new FakeClock();
  readonly nodes = new Map<string, SdEngine>();
  readonly events = new Map<string, SdEvent[]>();
  readonly log: { from: string; out: SdOutgoing }[] = [];
  readonly #queue: { from: string; to: string; bytes: Uint8Array; multicast: boolean }[] = [];
  down = new Set<string>();

  add(addr: string): SdEngine {
    const events: SdEvent[] = [];
    this.events.set(addr, events);
    const e = new SdEngine({
      clock: this.clock, timings: TIMINGS, random: () => 0.5, onEvent: (ev) => events.push(ev),
      send: (out) => {
        this.log.push({ from: addr, out });
        const bytes = encodeSdMessage(out.sessionId, out.payload);
        const targets = out.to ? [out.to] : [...this.nodes.keys()].filter((a) => a !== addr);
        for (const to of targets) this.#queue.push({ from: addr, to, bytes, multicast: !out.to });
      },
    });
    this.nodes.set(addr, e);
    return e;
  }

  flush(): void {
    for (let i = 0; i < 1000 && this.#queue.length; i++) {
      const m = this.#queue.shift()!;
      if (this.down.has(m.from) || this.down.has(m.to)) continue;
      const { message } = decodeMessage(m.bytes);
      this.nodes.get(m.to)?.receive(m.from, message.sessionId, decodeSdMessage(message), m.multicast);
    }
  }

  /** Runs time forward to `t`, polling every node at each deadline on the way. */
  runUntil(t: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = Math.min(...[...this.nodes.entries()].filter(([a]) => !this.down.has(a)).map(([, n]) => n.nextDeadline() ?? Infinity));
      if (next > t) break;
      this.clock.t = Math.max(this.clock.t, next);
      for (const [a, n] of this.nodes) if (!this.down.has(a)) n.poll();
      this.flush();
    }
    this.clock.t = t;
  }

  kinds(addr: string): string[] {
    return (this.events.get(addr) ?? []).map((e) => e.kind);
  }
}

describe('SOME/IP-SD state machines', () => {
  it('offers after the initial wait, repeats with doubling delays, then cycles in the main phase', () => {
    // Recompute the expected schedule from the timings rather than hard-coding it.
    const first = TIMINGS.initialDelayMin + 0.5 * (TIMINGS.initialDelayMax - TIMINGS.initialDelayMin);
    const expected = [first];
    let d = TIMINGS.repetitionBaseDelay;
    for (let i = 0; i < TIMINGS.repetitionsMax; i++, d *= 2) expected.push((expected.at(-1) as number) + d);
    while ((expected.at(-1) as number) + TIMINGS.cyclicOfferDelay <= 3.5) expected.push((expected.at(-1) as number) + TIMINGS.cyclicOfferDelay);
    const sent: number[] = [];
    const net2 = new Net();
    const e = net2.add(SERVER);
    e.offer(OFFER);
    for (let g = 0; g < 100; g++) {
      const next = e.nextDeadline();
      if (next === undefined || next > 3.5) break;
      net2.clock.t = next;
      const before = net2.log.length;
      e.poll();
      if (net2.log.length > before) sent.push(next);
    }
    expect(sent.map((x) => x.toFixed(6))).toEqual(expected.map((x) => x.toFixed(6)));
    expect(net2.log.every((l) => l.out.to === undefined && l.out.payload.entries[0]?.type === SdEntryType.OFFER_SERVICE && l.out.payload.entries[0].ttl === 3)).toBe(true);
  });

  it('finds a service, subscribes, and reports subscribed only after the Ack', () => {
    const net = new Net();
    const server = net.add(SERVER);
    const client = net.add(CLIENT);
    client.subscribe(0x1234, 1, 1, 0x10, EP('10.0.0.2', 40000));
    net.runUntil(0.2);
    expect(client.subscriptionState(0x1234, 1, 0x10)).toBe('idle');
    server.offer(OFFER);
    net.runUntil(0.5);
    expect(net.kinds(CLIENT)).toEqual(['service-available', 'subscribed']);
    expect(client.subscriptionState(0x1234, 1, 0x10)).toBe('acked');
    expect(server.subscribers(0x1234, 1, 0x10).map((s) => s.endpoint)).toEqual([EP('10.0.0.2', 40000)]);
    const finds = net.log.filter((l) => l.from === CLIENT && l.out.payload.entries.some((e) => e.type === SdEntryType.FIND_SERVICE));
    expect(finds.length).toBeGreaterThan(0);
  });

  it('answers a subscription to an unknown eventgroup with a Nack', () => {
    const net = new Net();
    net.add(SERVER).offer(OFFER);
    const client = net.add(CLIENT);
    client.subscribe(0x1234, 1, 1, 0x99, EP('10.0.0.2', 40000));
    net.runUntil(0.5);
    expect(net.kinds(CLIENT)).toContain('subscribe-nack');
    expect(client.subscriptionState(0x1234, 1, 0x99)).toBe('nacked');
  });

  it('loses a service on StopOffer and on TTL expiry', () => {
    const net = new Net();
    const server = net.add(SERVER);
    const client = net.add(CLIENT);
    server.offer(OFFER);
    net.runUntil(0.5);
    server.stopOffer(0x1234, 1);
    net.flush();
    expect(net.events.get(CLIENT)?.at(-1)).toMatchObject({ kind: 'service-lost', reason: 'stop-offer' });
    server.offer(OFFER);
    net.runUntil(2);
    expect(client.remoteServices()).toHaveLength(1);
    net.down.add(SERVER); // the server goes silent: its last offer's TTL runs out
    net.runUntil(2 + TIMINGS.ttl + 0.01);
    expect(net.events.get(CLIENT)?.at(-1)).toMatchObject({ kind: 'service-lost', reason: 'ttl' });
    expect(client.remoteServices()).toHaveLength(0);
  });

  it('drops the subscriber that rebooted and takes its new subscription', () => {
    const net = new Net();
    const server = net.add(SERVER);
    net.add(CLIENT).subscribe(0x1234, 1, 1, 0x10, EP('10.0.0.2', 40000));
    server.offer(OFFER);
    net.runUntil(5);
    expect(server.subscribers(0x1234, 1, 0x10)).toHaveLength(1);
    // The client restarts: a fresh engine at the same address, session IDs from 1 with reboot set.
    net.add(CLIENT).subscribe(0x1234, 1, 1, 0x10, EP('10.0.0.2', 40002));
    net.runUntil(5.5);
    expect(net.kinds(SERVER)).toContain('peer-reboot');
    expect(net.kinds(SERVER).filter((k) => k === 'subscriber-removed')).toHaveLength(1);
    expect(server.subscribers(0x1234, 1, 0x10).map((s) => s.endpoint.port)).toEqual([40002]);
  });

  it('re-subscribes after the server reboots', () => {
    const net = new Net();
    net.add(SERVER).offer(OFFER);
    const client = net.add(CLIENT);
    client.subscribe(0x1234, 1, 1, 0x10, EP('10.0.0.2', 40000));
    net.runUntil(5);
    const fresh = net.add(SERVER);
    fresh.offer(OFFER);
    net.runUntil(5.5);
    expect(net.kinds(CLIENT)).toEqual(['service-available', 'subscribed', 'peer-reboot', 'service-lost', 'service-available', 'subscribed']);
    expect(fresh.subscribers(0x1234, 1, 0x10)).toHaveLength(1);
  });

  it('keeps bounded state and bounded replies under a flood of SD messages', () => {
    const clock = new FakeClock();
    let sends = 0;
    const e = new SdEngine({ clock, send: () => sends++, random: () => 0, limits: { maxRemoteServices: 100, maxPeers: 50 }, timings: TIMINGS });
    e.offer(OFFER);
    clock.t = 1;
    e.poll();
    const base = sends;
    for (let i = 0; i < 5000; i++) {
      const sd = buildSdPayload({ reboot: true, unicast: false }, [
        { type: SdEntryType.OFFER_SERVICE, serviceId: i & 0xffff, instanceId: 1, majorVersion: 1, minorVersion: 0, ttl: 3, options: [EP('10.9.0.1', 1000)] },
        { type: SdEntryType.FIND_SERVICE, serviceId: 0x1234, instanceId: 0xffff, majorVersion: 0xff, minorVersion: 0xffffffff, ttl: 3 },
      ]);
      e.receive(`10.9.${(i >> 8) & 0xff}.${i & 0xff}:30490`, 1 + (i % 100), sd, true);
    }
    expect(e.remoteServices()).toHaveLength(100);
    expect(e.stats.droppedRemote).toBe(4900);
    expect(sends - base).toBe(5000); // one unicast offer per find, never more
  });
});

describe('SD session IDs and reboot detection', () => {
  it('sets the reboot flag until the session ID wraps, then clears it and skips 0', () => {
    const c = new SdSessionCounter();
    let s = c.next('multicast');
    expect(s).toEqual({ sessionId: 1, reboot: true });
    for (let i = 2; i <= 0xffff; i++) s = c.next('multicast');
    expect(s).toEqual({ sessionId: 0xffff, reboot: true });
    expect(c.next('multicast')).toEqual({ sessionId: 1, reboot: false });
    expect(c.next('10.0.0.9:30490')).toEqual({ sessionId: 1, reboot: true });
  });

  it('tells a wrap from a restart', () => {
    const d = new SdRebootDetector();
    expect(d.observe('p', 'multicast', { sessionId: 0xfffe, reboot: true })).toBe(false);
    expect(d.observe('p', 'multicast', { sessionId: 0xffff, reboot: true })).toBe(false);
    expect(d.observe('p', 'multicast', { sessionId: 1, reboot: false })).toBe(false); // the wrap
    expect(d.observe('p', 'multicast', { sessionId: 2, reboot: false })).toBe(false);
    expect(d.observe('p', 'multicast', { sessionId: 1, reboot: true })).toBe(true); // 0 -> 1
    expect(d.observe('p', 'multicast', { sessionId: 5, reboot: true })).toBe(false);
    expect(d.observe('p', 'multicast', { sessionId: 3, reboot: true })).toBe(true); // 1 and going back
    expect(d.observe('p', 'unicast', { sessionId: 9, reboot: true })).toBe(false); // channels are separate
    expect(d.observe('p', 'multicast', { sessionId: 1, reboot: true })).toBe(true);
    // One restart is reported once: the unicast channel starts afresh after the multicast one saw it.
    expect(d.observe('p', 'unicast', { sessionId: 1, reboot: true })).toBe(false);
  });
});

describe('SD subscriptions a hostile peer sends', () => {
  const subscribe = (endpoint: ReturnType<typeof EP>, ttl: number) =>
    buildSdPayload({ reboot: false, unicast: true }, [
      { type: SdEntryType.SUBSCRIBE_EVENTGROUP, serviceId: 0x1234, instanceId: 1, majorVersion: 1, ttl, eventgroupId: 0x10, counter: 0, initialDataRequested: true, options: [endpoint] },
    ]);
  const server = (opts: Partial<ConstructorParameters<typeof SdEngine>[0]> = {}) => {
    const clock = new FakeClock();
    const sent: SdOutgoing[] = [];
    const e = new SdEngine({ clock, send: (o) => sent.push(o), random: () => 0, timings: TIMINGS, ...opts });
    e.offer(OFFER);
    return { e, clock, sent };
  };
  const lastAckTtl = (sent: SdOutgoing[]): number | undefined => {
    const entry = sent.at(-1)?.payload.entries.find((x) => x.type === SdEntryType.SUBSCRIBE_EVENTGROUP_ACK);
    return entry?.ttl;
  };

  it('refuses (NACK) a Subscribe naming a third party\'s endpoint: no reflection', () => {
    const { e, sent } = server();
    e.receive(CLIENT, 1, subscribe(EP('10.0.0.99', 40000), 0xffffff), false);
    expect(e.subscribers(0x1234, 1, 0x10)).toEqual([]);
    expect(lastAckTtl(sent)).toBe(0);
    expect(e.stats.foreignEndpointSubscriptions).toBe(1);
    e.receive(CLIENT, 2, subscribe(EP('10.0.0.2', 40000), 3), false);
    expect(e.subscribers(0x1234, 1, 0x10).map((s) => s.endpoint)).toEqual([EP('10.0.0.2', 40000)]);
  });

  it('accepts another endpoint only where the policy allows it', () => {
    const { e } = server({ allowSubscriberEndpoint: (from, ep) => ep.address === from || ep.address === '10.0.0.99' });
    e.receive(CLIENT, 1, subscribe(EP('10.0.0.99', 40000), 3), false);
    expect(e.subscribers(0x1234, 1, 0x10)).toHaveLength(1);
  });

  it('bounds a subscription\'s TTL: "until stopped" lives 30 s without renewal, and the Ack says so', () => {
    const { e, clock, sent } = server();
    e.receive(CLIENT, 1, subscribe(EP('10.0.0.2', 40000), 0xffffff), false);
    expect(lastAckTtl(sent)).toBe(30);
    clock.t = 29;
    e.poll();
    expect(e.subscribers(0x1234, 1, 0x10)).toHaveLength(1);
    clock.t = 31;
    e.poll();
    expect(e.subscribers(0x1234, 1, 0x10)).toEqual([]);
  });
});
