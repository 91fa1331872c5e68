/**
 * The daemon's SOME/IP side: offers one service per domain through SD, sends every domain result
 * as a notification to the eventgroup's subscribers (those SD has acknowledged), answers each
 * domain's method with its latest result (the cockpit's `getDriverState`), and optionally reads
 * remote events into the signal store.
 *
 * Loopback has no multicast, so unless `someip.multicast` is set, SD "multicast" (cyclic offers)
 * goes by unicast to `someip.sd_peers` and to every peer that subscribed, which keeps their
 * subscriptions renewed; anyone else finds the services with a FindService, answered by unicast.
 */
import type { Logger } from 'pino';
import { SomeipSd, SomeipServer, SomeipUdpEndpoint, compileInterface, type MethodHandler, type SomeipAddress, type SomeipValue } from '../../bus/someip/index.js';
import type { Clock } from '../clock.js';
import type { EcuAiConfig } from '../config.js';
import type { DomainDefinition } from '../service/domain.js';
import type { ResolvedDomain } from '../service/resolved.js';
import type { ServiceResult } from '../service/runner.js';
import { RESULT_EVENT, domainServices, eventFields, hex4, jsonToPayload, type DomainService } from './service-interfaces.js';
import { SomeipSignalSource, someipInputsFromConfig, type SignalSink } from './signal-source.js';

export interface SomeipBridgeOptions {
  readonly config: Readonly<EcuAiConfig>;
  /** The domains served (resolved, so enabled ones only): their services are offered, their results published. */
  readonly domains: readonly ResolvedDomain[];
  readonly logger: Logger;
  /** Time base of the signal store, for SOME/IP inputs. */
  readonly clock: Clock;
  /** Where `someip.inputs` events go (the engine's signal store); without it inputs are not read. */
  readonly sink?: SignalSink;
}

export interface SomeipBridgeStats {
  /** Results handed to `publish`. */
  published: number;
  /** Notifications sent (one per subscriber). */
  notifications: number;
  /** Results that could not be put on the wire (a value outside its field's range or labels). */
  errors: number;
}

/** What arrived on the SOME/IP sockets (SD and services together) and was not used. */
export interface SomeipInputStats {
  /** Datagrams that did not parse. */
  readonly malformed: number;
  /** Datagrams dropped undecoded because their sender exceeded its datagram rate. */
  readonly rateLimited: number;
  /** TP drops by reason (rejected segments, limit evictions, timeouts), summed over both sockets. */
  readonly tpDrops: Readonly<Record<TpDropReason, number>>;
  /** Subscribes refused for naming someone else's endpoint (reflection attempts). */
  readonly foreignEndpointSubscriptions: number;
}

export const TP_DROP_REASONS = ['tooLarge', 'inconsistent', 'badSegment', 'peerLimit', 'byteLimit', 'concurrencyLimit', 'timedOut'] as const;
export type TpDropReason = (typeof TP_DROP_REASONS)[number];

export interface SomeipBridge {
  readonly services: readonly DomainService[];
  /** Where SD and the services listen (ports resolved when configured as 0). */
  readonly sdAddress: SomeipAddress;
  readonly serviceAddress: SomeipAddress;
  readonly inputs: SomeipSignalSource | undefined;
  readonly stats: Readonly<SomeipBridgeStats>;
  /** Input counters as of now (cumulative). */
  inputStats(): SomeipInputStats;
  /** Sends a domain result to its subscribers; never throws (failures are counted and logged once). */
  publish(r: ServiceResult): void;
  /** Subscribers of a domain's eventgroup right now. */
  subscribers(domain: string): number;
  /** Stops offering (StopOffer), unsubscribes inputs and closes the sockets. Idempotent. */
  close(): Promise<void>;
}

/** Unicast fan-out peers added for subscribers are capped so a churn of clients cannot grow it without bound. */
const MAX_LEARNT_PEERS = 64;

function parseHostPort(s: string): SomeipAddress {
  const i = s.lastIndexOf(':');
  return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/**
 * Opens SD and the service endpoint and offers the domains' services.
 * @throws {BusInitError} when a port cannot be bound (nothing stays open).
 * @throws {ConfigInvalidError} on clashing IDs or an invalid input payload schema.
 */
export async function startSomeipBridge(o: SomeipBridgeOptions): Promise<SomeipBridge> {
  const cfg = o.config.someip;
  const log = o.logger.child({ component: 'someip' });
  const definitions = o.domains.map((d) => d.definition);
  const services = domainServices(cfg, definitions);
  const inputs = o.sink ? someipInputsFromConfig(cfg) : [];
  const peers = cfg.sd_peers.map(parseHostPort);
  const extra = new Set(cfg.subscriber_endpoints);
  const sd = await SomeipSd.open({
    address: cfg.address,
    port: cfg.sd_port,
    ...(cfg.multicast ? { multicastGroup: cfg.multicast } : { peers }),
    allowSubscriberEndpoint: (from, endpoint) => endpoint.address === from || extra.has(endpoint.address),
  });
  let endpoint: SomeipUdpEndpoint;
  try {
    endpoint = await SomeipUdpEndpoint.open({ address: cfg.address, port: cfg.service_port });
  } catch (err) {
    await sd.close();
    throw err;
  }
  const server = new SomeipServer({ endpoint, sd });
  const known = new Set(peers.map((p) => `${p.address}:${p.port}`));
  const offSd = sd.onEvent((e) => {
    if (e.kind !== 'subscriber-added' || cfg.multicast || known.has(e.subscriber.peer) || known.size >= MAX_LEARNT_PEERS) return;
    known.add(e.subscriber.peer);
    sd.addPeer(parseHostPort(e.subscriber.peer));
  });

  const byDomain = new Map<string, { service: DomainService; definition: DomainDefinition; fields: ReturnType<typeof eventFields>; last?: SomeipValue }>();
  for (const service of services) {
    const definition = definitions.find((d) => d.domain === service.domain) as DomainDefinition;
    const entry: { service: DomainService; definition: DomainDefinition; fields: ReturnType<typeof eventFields>; last?: SomeipValue } = { service, definition, fields: eventFields(service) };
    byDomain.set(service.domain, entry);
    compileInterface(service.iface);
    const handlers: Record<string, MethodHandler> =
      service.method !== undefined
        ? {
            [service.method]: (): SomeipValue => {
              // No answer yet is E_NOT_OK, not a made-up one (an "awake" driver).
              if (entry.last === undefined) throw new Error(`no ${service.domain} result yet`);
              return entry.last;
            },
          }
        : {};
    server.offer(service.iface, handlers);
  }
  const source = inputs.length > 0 && o.sink ? new SomeipSignalSource({ sd, endpoint, sink: o.sink, clock: o.clock, inputs, logger: log }) : undefined;
  log.info({ sd: sd.local, endpoint: endpoint.local, services: services.map((s) => `${s.domain}=0x${hex4(s.ids.serviceId)}`) }, 'SOME/IP services offered');

  const stats: SomeipBridgeStats = { published: 0, notifications: 0, errors: 0 };
  const failedOnce = new Set<string>();
  const subscribers = (s: DomainService): number => sd.engine.subscribers(s.ids.serviceId, s.ids.instanceId, s.ids.eventgroupId).length;
  let closed: Promise<void> | undefined;
  return {
    services,
    sdAddress: sd.local,
    serviceAddress: endpoint.local,
    inputs: source,
    stats,
    inputStats() {
      const sdSocket = sd.socketStats;
      const tp = [sdSocket.tp, endpoint.tpStats];
      const tpDrops = Object.fromEntries(TP_DROP_REASONS.map((r) => [r, tp.reduce((sum, t) => sum + t[r], 0)])) as Record<TpDropReason, number>;
      return { malformed: sdSocket.malformed + endpoint.stats.malformed, rateLimited: sdSocket.rateLimited + endpoint.stats.rateLimited, tpDrops, foreignEndpointSubscriptions: sd.engine.stats.foreignEndpointSubscriptions };
    },
    publish(r) {
      const d = byDomain.get(r.domain);
      if (!d || closed) return;
      stats.published++;
      let value: SomeipValue;
      try {
        value = jsonToPayload(d.fields, { t: r.t, variant: r.variant, inputs_valid: r.inputsValid, ...d.definition.toJson(r.result) });
      } catch (err) {
        stats.errors++;
        if (!failedOnce.has(r.domain)) log.warn({ domain: r.domain, err: (err as Error).message }, 'result has no SOME/IP form; not published');
        failedOnce.add(r.domain);
        return;
      }
      if (d.service.method !== undefined) d.last = value;
      // Encoding costs more than asking SD; most of the time nobody listens.
      if (subscribers(d.service) === 0) return;
      server.notify(d.service.ids.serviceId, RESULT_EVENT, value).then(
        (n) => {
          stats.notifications += n;
        },
        (err: unknown) => {
          stats.errors++;
          if (!failedOnce.has(r.domain)) log.warn({ domain: r.domain, err: (err as Error).message }, 'SOME/IP notification failed');
          failedOnce.add(r.domain);
        },
      );
    },
    subscribers(domain) {
      const d = byDomain.get(domain);
      return d ? subscribers(d.service) : 0;
    },
    close() {
      closed ??= (async () => {
        offSd();
        source?.close();
        server.close();
        // Let the StopOffer and StopSubscribe datagrams leave before the sockets go.
        await new Promise<void>((r) => setImmediate(r));
        await endpoint.close();
        await sd.close();
        log.info('SOME/IP services stopped');
      })();
      return closed;
    },
  };
}
