/**
 * The shared process a domain's inference runs in, as admission sees it: the isolation itself is
 * resolved with the domain's spec (`isolationFor` in runtime/service/resolved.ts, where the default
 * grouping is explained).
 */
import type { IsolationChoice } from '../service/resolved.js';

/** The shared process a domain's inference runs in, for admission (none without local inference). */
export function sharedWorkerOf(isolation: IsolationChoice, local: boolean): { worker?: string } {
  return local && isolation.group !== undefined ? { worker: isolation.group } : {};
}
