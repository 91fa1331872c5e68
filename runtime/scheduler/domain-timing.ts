/**
 * The default rate, deadline and criticality of each vehicle domain; the config may override rate
 * and deadline per domain (`domains.adas.rate_hz`, `domains.adas.deadline_ms`).
 */
import type { Criticality, ServiceSpec, Variant } from './types.js';

export interface DomainTiming {
  readonly rateHz: number;
  readonly deadlineMs: number;
  readonly criticality: Criticality;
}

export const DOMAIN_TIMING = {
  adas: { rateHz: 20, deadlineMs: 20, criticality: 'safety' },
  chassis: { rateHz: 50, deadlineMs: 10, criticality: 'safety' },
  powertrain: { rateHz: 10, deadlineMs: 50, criticality: 'safety' },
  cockpit: { rateHz: 5, deadlineMs: 100, criticality: 'comfort' },
  body: { rateHz: 1, deadlineMs: 500, criticality: 'comfort' },
} as const satisfies Record<string, DomainTiming>;

/**
 * Builds a service spec from a domain's timing (defaults, overridden where given) and its profiled costs.
 * @throws {RangeError} for a domain with no default timing when no override supplies it
 */
export function serviceSpec(
  domain: string,
  costMs: Readonly<Partial<Record<Variant, number>>>,
  overrides: { rateHz?: number; deadlineMs?: number; criticality?: Criticality; primary?: Variant; worker?: string } = {},
): ServiceSpec {
  const base: DomainTiming | undefined = (DOMAIN_TIMING as Record<string, DomainTiming>)[domain];
  const rateHz = overrides.rateHz ?? base?.rateHz;
  const deadlineMs = overrides.deadlineMs ?? base?.deadlineMs;
  const criticality = overrides.criticality ?? base?.criticality;
  if (rateHz === undefined || deadlineMs === undefined || criticality === undefined) {
    throw new RangeError(`domain ${domain} has no default timing: give rate_hz, deadline_ms and criticality`);
  }
  const worker = overrides.worker === undefined ? {} : { worker: overrides.worker };
  return { domain, criticality, periodMs: 1000 / rateHz, deadlineMs, primary: overrides.primary ?? 'fp32', costMs, ...worker };
}
