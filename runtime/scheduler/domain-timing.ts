/**
 * A domain's timing as the scheduler sees it: the rate, deadline and criticality each domain's
 * definition declares, with the config's overrides already applied (runtime/service/resolved.ts).
 */
import type { Criticality, ServiceSpec, Variant } from './types.js';

export interface DomainTiming {
  readonly domain: string;
  readonly rateHz: number;
  readonly deadlineMs: number;
  readonly criticality: Criticality;
}

/** Builds a service spec from a domain's resolved timing and its profiled costs. */
export function serviceSpec(timing: DomainTiming, costMs: Readonly<Partial<Record<Variant, number>>>, o: { primary?: Variant; worker?: string } = {}): ServiceSpec {
  const worker = o.worker === undefined ? {} : { worker: o.worker };
  return { domain: timing.domain, criticality: timing.criticality, periodMs: 1000 / timing.rateHz, deadlineMs: timing.deadlineMs, primary: o.primary ?? 'fp32', costMs, ...worker };
}
