/**
 * A consumer's view of SD for tools (the `ecu-ai someip` command, tests, benchmarks): an SD socket
 * on a free port that talks to one SD address by unicast, finds services (re-asking while the
 * offerer may still be in its initial wait, when it ignores finds), and waits for a subscription's
 * Ack or Nack.
 */
import { SomeipSd, SomeipUdpEndpoint, type RemoteService, type SomeipAddress } from '../../bus/someip/index.js';

/** FindService with service ID 0xFFFF asks for every service (answered by stacks that support it). */
export const ANY_SERVICE = 0xffff;
const ANY_INSTANCE = 0xffff;
/** How often a find is re-sent for services not seen yet. */
const REFIND_S = 0.5;

export interface SdProbe {
  readonly sd: SomeipSd;
  /** Where this side receives events and responses. */
  readonly endpoint: SomeipUdpEndpoint;
  close(): Promise<void>;
}

/**
 * Opens an SD socket and an endpoint on free ports of `bind`, talking to the SD at `target`.
 * @throws {BusInitError} when a socket cannot be bound.
 */
export async function openSdProbe(target: SomeipAddress, bind = '127.0.0.1'): Promise<SdProbe> {
  // Fast repetitions: a tool wants its answer within a fraction of a second.
  const sd = await SomeipSd.open({ address: bind, port: 0, peers: [target], timings: { initialDelayMin: 0, initialDelayMax: 0.005, repetitionBaseDelay: 0.02, repetitionsMax: 3 } });
  let endpoint: SomeipUdpEndpoint;
  try {
    endpoint = await SomeipUdpEndpoint.open({ address: bind });
  } catch (err) {
    await sd.close();
    throw err;
  }
  return {
    sd,
    endpoint,
    async close() {
      await endpoint.close();
      await sd.close();
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Asks for the given services (and for any service) for `waitS` seconds and returns every offer heard.
 * @param serviceIds - services to ask for by ID; offers of others are listed too when they come.
 */
export async function listServices(sd: SomeipSd, serviceIds: readonly number[], waitS: number, signal?: AbortSignal): Promise<RemoteService[]> {
  const until = performance.now() + waitS * 1000;
  while (performance.now() < until && !signal?.aborted) {
    const seen = new Set(sd.engine.remoteServices().map((r) => r.serviceId));
    for (const id of [...serviceIds, ANY_SERVICE]) if (!seen.has(id)) sd.find(id);
    await sleep(Math.min(REFIND_S * 1000, Math.max(0, until - performance.now())), signal);
  }
  return sd.engine.remoteServices().sort((a, b) => a.serviceId - b.serviceId || a.instanceId - b.instanceId);
}

/** Finds one service (any instance unless given); undefined when nobody offered it within `waitS`. */
export async function findService(sd: SomeipSd, serviceId: number, instanceId: number | undefined, waitS: number, signal?: AbortSignal): Promise<RemoteService | undefined> {
  const until = performance.now() + waitS * 1000;
  const hit = (): RemoteService | undefined => sd.engine.remoteServices().find((r) => r.serviceId === serviceId && (instanceId === undefined || r.instanceId === instanceId));
  while (!hit() && performance.now() < until && !signal?.aborted) {
    sd.find(serviceId, instanceId ?? ANY_INSTANCE);
    const step = performance.now() + REFIND_S * 1000;
    while (!hit() && performance.now() < Math.min(step, until) && !signal?.aborted) await sleep(5, signal);
  }
  return hit();
}

/** Subscribes with the probe's endpoint and waits for the Ack ('acked'), a Nack or the timeout. */
export async function subscribeAndWait(probe: SdProbe, service: RemoteService, eventgroupId: number, waitS: number, signal?: AbortSignal): Promise<'acked' | 'nacked' | 'timeout'> {
  const { sd, endpoint } = probe;
  const local = endpoint.local;
  sd.subscribe(service.serviceId, service.instanceId, service.majorVersion, eventgroupId, { type: 'ipv4-endpoint', address: local.address, protocol: 'udp', port: local.port });
  const until = performance.now() + waitS * 1000;
  for (;;) {
    const state = sd.engine.subscriptionState(service.serviceId, service.instanceId, eventgroupId);
    if (state === 'acked' || state === 'nacked') return state;
    if (performance.now() >= until || signal?.aborted) return 'timeout';
    await sleep(5, signal);
  }
}
