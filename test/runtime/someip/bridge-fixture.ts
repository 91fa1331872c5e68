/** A daemon-like SOME/IP setup for tests: the bridge on loopback with free ports, and fake domain results. */
import { pino } from 'pino';
import { SomeipClient, SomeipSd, SomeipUdpEndpoint } from '../../../bus/someip/index.js';
import { RealClock } from '../../../runtime/clock.js';
import { parseConfig } from '../../../runtime/config.js';
import type { ServiceResult } from '../../../runtime/service/runner.js';
import { startSomeipBridge, type SomeipBridge, type SignalSink } from '../../../runtime/someip/index.js';
import { DOMAINS, DOMAIN_LIST } from '../../../domains/index.js';
import { resolveDomains } from '../../../runtime/service/resolved.js';

export const FAST_SD = { initialDelayMin: 0.001, initialDelayMax: 0.005, repetitionBaseDelay: 0.01, repetitionsMax: 3, cyclicOfferDelay: 0.2, ttl: 2 };

export const silentLogger = pino({ level: 'silent' });

/** Starts the bridge for all five domains on ports picked by the OS. */
export async function startTestBridge(someip: Record<string, unknown> = {}, sink?: SignalSink): Promise<SomeipBridge> {
  const config = parseConfig({ someip: { sd_port: 0, service_port: 0, ...someip } }, DOMAIN_LIST);
  return startSomeipBridge({ config, domains: resolveDomains(DOMAIN_LIST, config), logger: silentLogger, clock: new RealClock(), ...(sink ? { sink } : {}) });
}

/** A consumer with its own SD socket pointing at the bridge's SD. */
export async function openConsumer(bridge: SomeipBridge): Promise<{ sd: SomeipSd; endpoint: SomeipUdpEndpoint; client: SomeipClient; close(): Promise<void> }> {
  const sd = await SomeipSd.open({ port: 0, peers: [bridge.sdAddress], timings: FAST_SD });
  const endpoint = await SomeipUdpEndpoint.open();
  const client = new SomeipClient({ endpoint, sd, timeoutMs: 2000 });
  return {
    sd,
    endpoint,
    client,
    async close() {
      client.close();
      await endpoint.close();
      await sd.close();
    },
  };
}

/** Domain results as the engine hands them out (each shaped like that domain's result type). */
export const SAMPLE_RESULTS: readonly ServiceResult[] = [
  { domain: 'adas', t: 12.5, variant: 'fp32', inputsValid: true, result: { level: 2, probability: 0.875, ttcS: 1.25, targetId: 7, source: 'model' } },
  { domain: 'chassis', t: 12.55, variant: 'int8', inputsValid: true, result: { frictionClass: 2, confidence: 0.6, mu: 0.3, source: 'model' } },
  { domain: 'powertrain', t: 13, variant: 'fallback', inputsValid: false, result: { score: 1, suspectCell: 42, flag: true, source: 'fallback' } },
  { domain: 'powertrain', t: 14, variant: 'fp32', inputsValid: true, result: { score: 0.1, suspectCell: null, flag: false, source: 'model' } },
  { domain: 'cockpit', t: 15, variant: 'cloud', inputsValid: true, result: { level: 1, confidence: 0.7, source: 'model' } },
  { domain: 'body', t: 16, variant: 'fp32', inputsValid: true, result: { setpointC: 21.5, occupancy: 3, source: 'model' } },
];

/** What a consumer should decode for a result: its JSON form, numbers as float32 where sent so. */
export function expectedJson(r: ServiceResult): Record<string, unknown> {
  const d = DOMAINS[r.domain as keyof typeof DOMAINS];
  return { t: r.t, variant: r.variant, inputs_valid: r.inputsValid, ...d.toJson(r.result) };
}

/** Compares decoded JSON with the expected one, floats within float32 precision. */
export function sameValues(got: Record<string, unknown>, want: Record<string, unknown>): boolean {
  if (Object.keys(got).sort().join() !== Object.keys(want).sort().join()) return false;
  return Object.entries(want).every(([k, v]) => {
    const g = got[k];
    if (typeof v === 'number' && typeof g === 'number') return Math.abs(g - v) <= Math.abs(v) * 1e-6 + 1e-9;
    return g === v;
  });
}
