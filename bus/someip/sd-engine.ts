/**
 * The SOME/IP-SD state machines, pure and clock-driven: offers (initial wait, repetition, main
 * phase), finds, subscriptions on both sides, TTL expiry and reboot handling. No sockets: the host
 * feeds received SD messages to `receive`, calls `poll` at `nextDeadline()`, and transmits what
 * the `send` callback hands it. With a fake clock and a fixed `random`, every run is the same.
 */
import { SD_TTL_INFINITE, SdEntryType, buildSdPayload, isServiceEntry, optionsOf, type SdEntryInit, type SdIpv4Option, type SdPayload } from './sd-codec.js';
import { SdRebootDetector, SdSessionCounter } from './sd-session.js';
import type { NowSource } from './tp.js';

export interface SdTimings {
  /** Initial wait phase: a random delay in [min, max] seconds before the first offer or find. */
  readonly initialDelayMin: number;
  readonly initialDelayMax: number;
  /** Repetition phase: first delay, doubled after each send, `repetitionsMax` sends. */
  readonly repetitionBaseDelay: number;
  readonly repetitionsMax: number;
  /** Main phase: seconds between cyclic offers (0: none). */
  readonly cyclicOfferDelay: number;
  /** TTL put in offers and subscriptions, seconds. */
  readonly ttl: number;
}

export const SD_DEFAULT_TIMINGS: SdTimings = {
  initialDelayMin: 0.01,
  initialDelayMax: 0.05,
  repetitionBaseDelay: 0.03,
  repetitionsMax: 3,
  cyclicOfferDelay: 1,
  ttl: 3,
};

export interface SdLimits {
  readonly maxRemoteServices: number;
  readonly maxSubscribersPerEventgroup: number;
  readonly maxPeers: number;
  /**
   * Longest a subscription lives without being renewed, seconds: a Subscribe asking for more (up to
   * 0xFFFFFF, "until stopped") gets this, and its Ack says so. Subscribers renew on every offer.
   */
  readonly maxSubscriptionTtlS: number;
}

export const SD_DEFAULT_LIMITS: SdLimits = { maxRemoteServices: 512, maxSubscribersPerEventgroup: 64, maxPeers: 256, maxSubscriptionTtlS: 30 };

export interface LocalOffer {
  readonly serviceId: number;
  readonly instanceId: number;
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** Where the service is reached (IPv4 endpoint options, UDP and/or TCP). */
  readonly endpoints: readonly SdIpv4Option[];
  readonly eventgroups: readonly number[];
}

export interface RemoteService {
  readonly serviceId: number;
  readonly instanceId: number;
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** SD address ("ip:port") of the peer that offers it. */
  readonly peer: string;
  readonly endpoints: readonly SdIpv4Option[];
  readonly expiresAt: number;
}

export interface Subscriber {
  readonly peer: string;
  readonly endpoint: SdIpv4Option;
  readonly expiresAt: number;
}

export type SdEvent =
  | { readonly kind: 'service-available'; readonly service: RemoteService }
  | { readonly kind: 'service-lost'; readonly serviceId: number; readonly instanceId: number; readonly reason: 'stop-offer' | 'ttl' | 'reboot' }
  | { readonly kind: 'subscribed'; readonly serviceId: number; readonly instanceId: number; readonly eventgroupId: number; readonly multicast?: SdIpv4Option }
  | { readonly kind: 'subscribe-nack'; readonly serviceId: number; readonly instanceId: number; readonly eventgroupId: number }
  | { readonly kind: 'subscriber-added' | 'subscriber-removed'; readonly serviceId: number; readonly instanceId: number; readonly eventgroupId: number; readonly subscriber: Subscriber }
  | { readonly kind: 'peer-reboot'; readonly peer: string };

/** One SD message to transmit: to the multicast group (`to` undefined) or unicast to a peer. */
export interface SdOutgoing {
  readonly to: string | undefined;
  readonly sessionId: number;
  readonly payload: SdPayload;
}

export interface SdEngineOptions {
  readonly clock: NowSource;
  readonly send: (out: SdOutgoing) => void;
  readonly onEvent?: (e: SdEvent) => void;
  readonly timings?: Partial<SdTimings>;
  readonly limits?: Partial<SdLimits>;
  /** In [0, 1); picks the initial delay. Default Math.random. */
  readonly random?: () => number;
  /**
   * Count sessions on one channel for all destinations. For hosts that receive unicast and
   * multicast on one socket and so cannot tell the channels apart: peers then see one rising sequence.
   */
  readonly sharedSessionCounter?: boolean;
  /**
   * Whether events may go to `endpoint` for a Subscribe sent from `peerAddress` (the sender's IP).
   * Default: only to the sender's own address, so one Subscribe naming a third party's endpoint
   * cannot turn this host into a reflector that sends events to a port that never asked.
   */
  readonly allowSubscriberEndpoint?: (peerAddress: string, endpoint: SdIpv4Option) => boolean;
}

type Phase = 'initial' | 'repetition' | 'main';
interface Schedule {
  phase: Phase;
  next: number;
  delay: number;
  sent: number;
}
interface Want {
  readonly serviceId: number;
  readonly instanceId: number;
  readonly majorVersion: number;
  readonly eventgroupId: number;
  readonly endpoint: SdIpv4Option;
  state: 'idle' | 'pending' | 'acked' | 'nacked';
}

const key2 = (s: number, i: number): string => `${s}.${i}`;
const key3 = (s: number, i: number, g: number): string => `${s}.${i}.${g}`;
const ANY16 = 0xffff;
const ANY8 = 0xff;

/** Service discovery for one SD endpoint (one unicast address plus the multicast group). */
export class SdEngine {
  readonly stats = { received: 0, ignoredEntries: 0, rejectedSubscriptions: 0, foreignEndpointSubscriptions: 0, droppedRemote: 0, reboots: 0 };
  readonly #o: SdEngineOptions;
  readonly #t: SdTimings;
  readonly #l: SdLimits;
  readonly #sessions = new SdSessionCounter();
  readonly #reboots: SdRebootDetector;
  readonly #offers = new Map<string, { offer: LocalOffer; s: Schedule }>();
  readonly #finds = new Map<string, { serviceId: number; instanceId: number; majorVersion: number; s: Schedule }>();
  readonly #remote = new Map<string, RemoteService>();
  readonly #wants = new Map<string, Want>();
  readonly #subscribers = new Map<string, Map<string, Subscriber>>();

  constructor(opts: SdEngineOptions) {
    this.#o = opts;
    this.#t = { ...SD_DEFAULT_TIMINGS, ...opts.timings };
    this.#l = { ...SD_DEFAULT_LIMITS, ...opts.limits };
    this.#reboots = new SdRebootDetector(this.#l.maxPeers);
  }

  #now(): number {
    return this.#o.clock.now();
  }

  #schedule(): Schedule {
    const r = (this.#o.random ?? Math.random)();
    const { initialDelayMin: lo, initialDelayMax: hi } = this.#t;
    return { phase: 'initial', next: this.#now() + lo + r * (hi - lo), delay: this.#t.repetitionBaseDelay, sent: 0 };
  }

  #emit(e: SdEvent): void {
    this.#o.onEvent?.(e);
  }

  #send(to: string | undefined, unicast: boolean, entries: SdEntryInit[]): void {
    if (entries.length === 0) return;
    const { sessionId, reboot } = this.#sessions.next(this.#o.sharedSessionCounter ? 'multicast' : (to ?? 'multicast'));
    this.#o.send({ to, sessionId, payload: buildSdPayload({ reboot, unicast }, entries) });
  }

  #offerEntry(o: LocalOffer, ttl: number): SdEntryInit {
    return { type: SdEntryType.OFFER_SERVICE, serviceId: o.serviceId, instanceId: o.instanceId, majorVersion: o.majorVersion, minorVersion: o.minorVersion, ttl, options: o.endpoints };
  }

  // #region local side: offers and subscribers

  /** Starts offering a service: initial wait, then repetition, then main phase. */
  offer(o: LocalOffer): void {
    this.#offers.set(key2(o.serviceId, o.instanceId), { offer: o, s: this.#schedule() });
  }

  /** Stops offering: sends StopOffer (TTL 0) and forgets the service's subscribers. */
  stopOffer(serviceId: number, instanceId: number): void {
    const k = key2(serviceId, instanceId);
    const entry = this.#offers.get(k);
    if (!entry) return;
    this.#offers.delete(k);
    this.#send(undefined, true, [this.#offerEntry(entry.offer, 0)]);
    for (const g of entry.offer.eventgroups) this.#subscribers.delete(key3(serviceId, instanceId, g));
  }

  /** Current subscribers of an eventgroup (expired ones are removed on `poll`). */
  subscribers(serviceId: number, instanceId: number, eventgroupId: number): Subscriber[] {
    return [...(this.#subscribers.get(key3(serviceId, instanceId, eventgroupId))?.values() ?? [])];
  }

  // #endregion

  // #region remote side: finds, remote services, subscriptions

  /** Looks for a service (instance 0xFFFF: any); sends finds until an offer arrives or repetitions end. */
  find(serviceId: number, instanceId = ANY16, majorVersion = ANY8): void {
    if (this.#findRemote(serviceId, instanceId)) return;
    this.#finds.set(key2(serviceId, instanceId), { serviceId, instanceId, majorVersion, s: this.#schedule() });
  }

  /**
   * Subscribes to an eventgroup: whenever the service is offered, sends SubscribeEventgroup with
   * `endpoint` (where this side receives events) and waits for the Ack.
   */
  subscribe(serviceId: number, instanceId: number, majorVersion: number, eventgroupId: number, endpoint: SdIpv4Option): void {
    const w: Want = { serviceId, instanceId, majorVersion, eventgroupId, endpoint, state: 'idle' };
    this.#wants.set(key3(serviceId, instanceId, eventgroupId), w);
    const remote = this.#remote.get(key2(serviceId, instanceId));
    if (remote) this.#subscribeAt(remote.peer, [w]);
    else this.find(serviceId, instanceId, majorVersion);
  }

  /** Sends StopSubscribe (TTL 0) when subscribed and forgets the subscription. */
  unsubscribe(serviceId: number, instanceId: number, eventgroupId: number): void {
    const k = key3(serviceId, instanceId, eventgroupId);
    const w = this.#wants.get(k);
    if (!w) return;
    this.#wants.delete(k);
    const remote = this.#remote.get(key2(serviceId, instanceId));
    if (remote && w.state !== 'idle') this.#send(remote.peer, true, [this.#subscribeEntry(w, 0)]);
  }

  /** The state of a subscription made with `subscribe`. */
  subscriptionState(serviceId: number, instanceId: number, eventgroupId: number): Want['state'] | undefined {
    return this.#wants.get(key3(serviceId, instanceId, eventgroupId))?.state;
  }

  /** Services currently offered by peers (expired ones are removed on `poll`). */
  remoteServices(): RemoteService[] {
    return [...this.#remote.values()];
  }

  #findRemote(serviceId: number, instanceId: number): RemoteService | undefined {
    if (instanceId !== ANY16) return this.#remote.get(key2(serviceId, instanceId));
    for (const r of this.#remote.values()) if (r.serviceId === serviceId) return r;
    return undefined;
  }

  #subscribeEntry(w: Want, ttl: number): SdEntryInit {
    return { type: SdEntryType.SUBSCRIBE_EVENTGROUP, serviceId: w.serviceId, instanceId: w.instanceId, majorVersion: w.majorVersion, ttl, eventgroupId: w.eventgroupId, counter: 0, initialDataRequested: true, options: [w.endpoint] };
  }

  #subscribeAt(peer: string, wants: Want[]): void {
    for (const w of wants) if (w.state === 'idle' || w.state === 'nacked') w.state = 'pending';
    this.#send(peer, true, wants.map((w) => this.#subscribeEntry(w, this.#t.ttl)));
  }

  #lose(k: string, reason: 'stop-offer' | 'ttl' | 'reboot'): void {
    const r = this.#remote.get(k);
    if (!r) return;
    this.#remote.delete(k);
    for (const w of this.#wants.values()) if (w.serviceId === r.serviceId && w.instanceId === r.instanceId) w.state = 'idle';
    this.#emit({ kind: 'service-lost', serviceId: r.serviceId, instanceId: r.instanceId, reason });
  }

  // #endregion

  /** The earliest time `poll` has work to do, or undefined when nothing is scheduled. */
  nextDeadline(): number | undefined {
    let t = Infinity;
    for (const { s } of this.#offers.values()) t = Math.min(t, s.next);
    for (const { s } of this.#finds.values()) t = Math.min(t, s.next);
    for (const r of this.#remote.values()) t = Math.min(t, r.expiresAt);
    for (const subs of this.#subscribers.values()) for (const s of subs.values()) t = Math.min(t, s.expiresAt);
    return Number.isFinite(t) ? t : undefined;
  }

  /** Sends what is due (offers and finds batched into one multicast message) and expires TTLs. */
  poll(): void {
    const now = this.#now();
    const out: SdEntryInit[] = [];
    for (const { offer, s } of this.#offers.values()) {
      if (this.#advance(s, now, true)) out.push(this.#offerEntry(offer, this.#t.ttl));
    }
    for (const [k, f] of this.#finds) {
      if (this.#findRemote(f.serviceId, f.instanceId)) {
        this.#finds.delete(k);
        continue;
      }
      if (this.#advance(f.s, now, false)) out.push({ type: SdEntryType.FIND_SERVICE, serviceId: f.serviceId, instanceId: f.instanceId, majorVersion: f.majorVersion, minorVersion: 0xffffffff, ttl: this.#t.ttl });
      if (f.s.phase === 'main') this.#finds.delete(k);
    }
    this.#send(undefined, true, out);
    for (const [k, r] of this.#remote) if (r.expiresAt <= now) this.#lose(k, 'ttl');
    for (const [k, subs] of this.#subscribers) {
      for (const [p, s] of subs) {
        if (s.expiresAt > now) continue;
        subs.delete(p);
        const [serviceId, instanceId, eventgroupId] = k.split('.').map(Number) as [number, number, number];
        this.#emit({ kind: 'subscriber-removed', serviceId, instanceId, eventgroupId, subscriber: s });
      }
    }
  }

  /** Moves one schedule on; true when a message is due now. Finds have no main phase. */
  #advance(s: Schedule, now: number, cyclic: boolean): boolean {
    if (s.next > now) return false;
    if (s.phase === 'initial' || s.phase === 'repetition') {
      if (s.phase === 'repetition') s.sent++;
      if (s.phase === 'initial' && this.#t.repetitionsMax > 0) {
        s.phase = 'repetition';
        s.next = now + s.delay;
      } else if (s.phase === 'repetition' && s.sent < this.#t.repetitionsMax) {
        s.delay *= 2;
        s.next = now + s.delay;
      } else {
        s.phase = 'main';
        s.next = cyclic && this.#t.cyclicOfferDelay > 0 ? now + this.#t.cyclicOfferDelay : Infinity;
      }
      return true;
    }
    s.next = cyclic && this.#t.cyclicOfferDelay > 0 ? now + this.#t.cyclicOfferDelay : Infinity;
    return cyclic;
  }

  /**
   * Handles one received SD message.
   * @param peer - the sender's SD address ("ip:port"); unicast answers go there.
   * @param viaMulticast - whether it arrived on the multicast group (reboot detection is per channel).
   */
  receive(peer: string, sessionId: number, sd: SdPayload, viaMulticast: boolean): void {
    this.stats.received++;
    const now = this.#now();
    if (this.#reboots.observe(peer, viaMulticast ? 'multicast' : 'unicast', { sessionId, reboot: sd.reboot })) this.#onReboot(peer);
    const replies: SdEntryInit[] = [];
    const resubscribe: Want[] = [];
    for (const e of sd.entries) {
      if (isServiceEntry(e)) {
        if (e.type === SdEntryType.FIND_SERVICE) this.#onFind(e.serviceId, e.instanceId, e.majorVersion, replies);
        else this.#onOffer(peer, e.serviceId, e.instanceId, e.majorVersion, e.minorVersion, e.ttl, optionsOf(sd, e), now, resubscribe);
        continue;
      }
      const k3 = key3(e.serviceId, e.instanceId, e.eventgroupId);
      if (e.type === SdEntryType.SUBSCRIBE_EVENTGROUP_ACK) {
        const w = this.#wants.get(k3);
        if (!w || w.state === 'idle') {
          this.stats.ignoredEntries++;
          continue;
        }
        const was = w.state;
        w.state = e.ttl === 0 ? 'nacked' : 'acked';
        if (w.state === 'nacked') this.#emit({ kind: 'subscribe-nack', serviceId: w.serviceId, instanceId: w.instanceId, eventgroupId: w.eventgroupId });
        else if (was !== 'acked') {
          const mc = optionsOf(sd, e).find((o) => o.type === 'ipv4-multicast') as SdIpv4Option | undefined;
          this.#emit({ kind: 'subscribed', serviceId: w.serviceId, instanceId: w.instanceId, eventgroupId: w.eventgroupId, ...(mc ? { multicast: mc } : {}) });
        }
        continue;
      }
      replies.push(...this.#onSubscribe(peer, e.serviceId, e.instanceId, e.majorVersion, e.eventgroupId, e.counter, e.ttl, optionsOf(sd, e), now));
    }
    this.#send(peer, true, replies);
    if (resubscribe.length) this.#subscribeAt(peer, resubscribe);
  }

  #onReboot(peer: string): void {
    this.stats.reboots++;
    this.#emit({ kind: 'peer-reboot', peer });
    for (const [k, r] of this.#remote) if (r.peer === peer) this.#lose(k, 'reboot');
    for (const [k, subs] of this.#subscribers) {
      const s = subs.get(peer);
      if (!s) continue;
      subs.delete(peer);
      const [serviceId, instanceId, eventgroupId] = k.split('.').map(Number) as [number, number, number];
      this.#emit({ kind: 'subscriber-removed', serviceId, instanceId, eventgroupId, subscriber: s });
    }
  }

  #onFind(serviceId: number, instanceId: number, major: number, replies: SdEntryInit[]): void {
    for (const { offer, s } of this.#offers.values()) {
      // During the initial wait the offer goes out soon anyway; answering early would skip the wait.
      if (s.phase === 'initial' || offer.serviceId !== serviceId) continue;
      if ((instanceId !== ANY16 && instanceId !== offer.instanceId) || (major !== ANY8 && major !== offer.majorVersion)) continue;
      replies.push(this.#offerEntry(offer, this.#t.ttl));
    }
  }

  #onOffer(peer: string, serviceId: number, instanceId: number, major: number, minor: number, ttl: number, opts: ReturnType<typeof optionsOf>, now: number, resubscribe: Want[]): void {
    const k = key2(serviceId, instanceId);
    if (ttl === 0) {
      this.#lose(k, 'stop-offer');
      return;
    }
    const known = this.#remote.get(k);
    if (!known && this.#remote.size >= this.#l.maxRemoteServices) {
      this.stats.droppedRemote++;
      return;
    }
    const endpoints = opts.filter((o): o is SdIpv4Option => o.type === 'ipv4-endpoint');
    const service: RemoteService = { serviceId, instanceId, majorVersion: major, minorVersion: minor, peer, endpoints, expiresAt: ttl === SD_TTL_INFINITE ? Infinity : now + ttl };
    this.#remote.set(k, service);
    if (!known || known.peer !== peer) this.#emit({ kind: 'service-available', service });
    // Every offer renews the subscriptions to it (the server expires them after their TTL).
    for (const w of this.#wants.values()) if (w.serviceId === serviceId && w.instanceId === instanceId && w.majorVersion === major) resubscribe.push(w);
  }

  #onSubscribe(peer: string, serviceId: number, instanceId: number, major: number, eventgroupId: number, counter: number, ttl: number, opts: ReturnType<typeof optionsOf>, now: number): SdEntryInit[] {
    const k3 = key3(serviceId, instanceId, eventgroupId);
    const subs = this.#subscribers.get(k3);
    if (ttl === 0) {
      const s = subs?.get(peer);
      if (s) {
        subs?.delete(peer);
        this.#emit({ kind: 'subscriber-removed', serviceId, instanceId, eventgroupId, subscriber: s });
      }
      return [];
    }
    const offer = this.#offers.get(key2(serviceId, instanceId))?.offer;
    const endpoint = opts.find((o): o is SdIpv4Option => o.type === 'ipv4-endpoint' && o.protocol === 'udp') ?? opts.find((o): o is SdIpv4Option => o.type === 'ipv4-endpoint');
    const ack = (t: number): SdEntryInit => ({ type: SdEntryType.SUBSCRIBE_EVENTGROUP_ACK, serviceId, instanceId, majorVersion: major, ttl: t, eventgroupId, counter, initialDataRequested: false });
    const full = (subs?.size ?? 0) >= this.#l.maxSubscribersPerEventgroup && !subs?.has(peer);
    const peerAddress = peer.slice(0, peer.lastIndexOf(':'));
    const allowed = endpoint !== undefined && (this.#o.allowSubscriberEndpoint ?? sameAddress)(peerAddress, endpoint);
    if (!offer || offer.majorVersion !== major || !offer.eventgroups.includes(eventgroupId) || !endpoint || full || !allowed) {
      this.stats.rejectedSubscriptions++;
      if (endpoint && !allowed) this.stats.foreignEndpointSubscriptions++;
      return [ack(0)];
    }
    const map = subs ?? new Map<string, Subscriber>();
    this.#subscribers.set(k3, map);
    const isNew = !map.has(peer);
    const granted = Math.min(ttl, this.#l.maxSubscriptionTtlS);
    const sub: Subscriber = { peer, endpoint, expiresAt: now + granted };
    map.set(peer, sub);
    if (isNew) this.#emit({ kind: 'subscriber-added', serviceId, instanceId, eventgroupId, subscriber: sub });
    return [ack(granted)];
  }
}

/** The default subscriber policy: events go only to the address the Subscribe came from. */
function sameAddress(peerAddress: string, endpoint: SdIpv4Option): boolean {
  return endpoint.address === peerAddress;
}
