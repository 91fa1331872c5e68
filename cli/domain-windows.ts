/** How much signal history each domain's feature window holds. */
import { DOMAINS } from '../domains/index.js';

/** Seconds of signal history a domain's window holds (0 for an unknown domain): a shorter drive never fills it. */
export function windowSeconds(domain: string): number {
  const d = (DOMAINS as Readonly<Record<string, { readonly window: { readonly length: number; readonly rateHz: number } } | undefined>>)[domain];
  return d ? d.window.length / d.window.rateHz : 0;
}
