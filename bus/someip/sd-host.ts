/**
 * Runs an SdEngine on a real UDP socket: receives SD messages, sends what the engine emits, and
 * wakes the engine at its next deadline. "Multicast" messages go to the multicast group, or, where
 * the interface has no multicast (loopback), to a fixed list of unicast peers.
 */
import { SD_DEFAULT_MULTICAST, SD_PORT } from './constants.js';
import { decodeSdMessage, encodeSdMessage, isSdMessage, type SdIpv4Option } from './sd-codec.js';
import { SdEngine, type LocalOffer, type SdEvent, type SdLimits, type SdTimings } from './sd-engine.js';
import type { NowSource } from './tp.js';
import { SomeipUdpEndpoint, wallClock, type SomeipAddress } from './udp-endpoint.js';

export interface SomeipSdOptions {
  /** Local unicast address, default 127.0.0.1. */
  readonly address?: string;
  /** SD port, default 30490. */
  readonly port?: number;
  /** Join and send to this group (default 224.224.224.245) when `peers` is not given. */
  readonly multicastGroup?: string;
  /** Unicast fan-out instead of multicast: where "multicast" SD messages go. */
  readonly peers?: readonly SomeipAddress[];
  readonly timings?: Partial<SdTimings>;
  readonly limits?: Partial<SdLimits>;
  readonly random?: () => number;
  /** Seconds; default monotonic wall time. Timers still fire by wall time. */
  readonly clock?: NowSource;
  /** Which event endpoints a Subscribe may name (see SdEngineOptions); default the sender's own address. */
  readonly allowSubscriberEndpoint?: (peerAddress: string, endpoint: SdIpv4Option) => boolean;
}

export class SomeipSd {
  readonly engine: SdEngine;
  readonly #endpoint: SomeipUdpEndpoint;
  readonly #clock: NowSource;
  readonly #handlers = new Set<(e: SdEvent) => void>();
  readonly #peers: SomeipAddress[] | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(endpoint: SomeipUdpEndpoint, opts: SomeipSdOptions) {
    this.#endpoint = endpoint;
    this.#clock = opts.clock ?? wallClock;
    this.#peers = opts.peers ? [...opts.peers] : undefined;
    const group: SomeipAddress = { address: opts.multicastGroup ?? SD_DEFAULT_MULTICAST, port: opts.port ?? SD_PORT };
    this.engine = new SdEngine({
      clock: this.#clock,
      ...(opts.timings ? { timings: opts.timings } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.allowSubscriberEndpoint ? { allowSubscriberEndpoint: opts.allowSubscriberEndpoint } : {}),
      // One socket receives both channels here, so keep one rising session sequence for peers.
      sharedSessionCounter: true,
      onEvent: (e) => {
        for (const h of this.#handlers) h(e);
      },
      send: (out) => {
        const bytes = encodeSdMessage(out.sessionId, out.payload);
        const targets = out.to ? [parseAddress(out.to)] : (this.#peers ?? [group]);
        for (const t of targets) void endpoint.sendRaw(bytes, t).catch(() => undefined);
      },
    });
    endpoint.onMessage((m, from) => {
      if (!isSdMessage(m)) return;
      try {
        this.engine.receive(`${from.address}:${from.port}`, m.sessionId, decodeSdMessage(m), true);
      } catch {
        endpoint.stats.malformed++;
      }
      this.#kick();
    });
  }

  /**
   * Binds the SD socket.
   * @throws {BusInitError} when the port cannot be bound or the group joined.
   */
  static async open(opts: SomeipSdOptions = {}): Promise<SomeipSd> {
    const address = opts.address ?? '127.0.0.1';
    const endpoint = await SomeipUdpEndpoint.open({
      address,
      port: opts.port ?? SD_PORT,
      ...(opts.peers ? {} : { multicast: { group: opts.multicastGroup ?? SD_DEFAULT_MULTICAST, interfaceAddress: address } }),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    return new SomeipSd(endpoint, opts);
  }

  get local(): SomeipAddress {
    return this.#endpoint.local;
  }

  /** The SD socket's own counters: datagrams that did not parse or came too fast, TP reassembly. */
  get socketStats(): { readonly malformed: number; readonly rateLimited: number; readonly tp: SomeipUdpEndpoint['tpStats'] } {
    return { malformed: this.#endpoint.stats.malformed, rateLimited: this.#endpoint.stats.rateLimited, tp: this.#endpoint.tpStats };
  }

  /** Adds a unicast fan-out peer (only when opened with `peers`, i.e. without multicast). */
  addPeer(peer: SomeipAddress): void {
    this.#peers?.push(peer);
  }

  onEvent(handler: (e: SdEvent) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  offer(o: LocalOffer): void {
    this.engine.offer(o);
    this.#kick();
  }

  stopOffer(serviceId: number, instanceId: number): void {
    this.engine.stopOffer(serviceId, instanceId);
    this.#kick();
  }

  find(serviceId: number, instanceId?: number, majorVersion?: number): void {
    this.engine.find(serviceId, instanceId, majorVersion);
    this.#kick();
  }

  subscribe(serviceId: number, instanceId: number, majorVersion: number, eventgroupId: number, endpoint: SdIpv4Option): void {
    this.engine.subscribe(serviceId, instanceId, majorVersion, eventgroupId, endpoint);
    this.#kick();
  }

  unsubscribe(serviceId: number, instanceId: number, eventgroupId: number): void {
    this.engine.unsubscribe(serviceId, instanceId, eventgroupId);
    this.#kick();
  }

  /** Polls now and re-arms the timer for the engine's next deadline. */
  #kick(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.engine.poll();
    const next = this.engine.nextDeadline();
    if (next === undefined) return;
    const ms = Math.max(0, (next - this.#clock.now()) * 1000);
    // Deadlines far out (TTL of an idle table) need no sub-second timer; cap keeps the timer fresh.
    this.#timer = setTimeout(() => this.#kick(), Math.min(ms, 60_000) + 1);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#endpoint.close();
  }
}

function parseAddress(s: string): SomeipAddress {
  const i = s.lastIndexOf(':');
  return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
}
