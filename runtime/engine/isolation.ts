/**
 * Where each domain's model runs, from its config and criticality. By default the safety domains
 * share one process and the comfort domains another: each Node + onnxruntime process costs about
 * 18 MB, and five of them do not fit a 150 MB budget. The daemon, with the bus and every rule-based
 * fallback, never loads onnxruntime, so no model can take it down; a domain whose call crashes or
 * hangs its shared process is moved out to a process of its own (see the pool), so it does so once.
 * A shared process stopped from outside (SIGSTOP) is no member's fault: it is killed and restarted
 * whole as soon as a call outlives its caller's deadline, the members' fallbacks answering meanwhile.
 * `isolation: process` gives a domain its own process from the start.
 */
import type { DomainConfig } from '../config.js';
import type { Criticality } from '../scheduler/types.js';

export interface IsolationChoice {
  readonly isolation: 'process' | 'thread' | 'shared';
  readonly group?: string;
}

export function isolationFor(dc: DomainConfig | undefined, criticality: Criticality): IsolationChoice {
  const isolation = dc?.isolation ?? 'shared';
  if (isolation !== 'shared') return { isolation };
  return { isolation, group: dc?.group ?? criticality };
}

/** The shared process a domain's inference runs in, for admission (none without local inference). */
export function sharedWorkerOf(dc: DomainConfig | undefined, criticality: Criticality, local: boolean): { worker?: string } {
  const choice = isolationFor(dc, criticality);
  return local && choice.group !== undefined ? { worker: choice.group } : {};
}
