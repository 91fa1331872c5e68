/**
 * Where each domain's model runs, from its config and criticality: safety domains in their own
 * process by default, comfort domains together in one shared process (they degrade first anyway,
 * and a process less saves the memory of a Node + onnxruntime set-up).
 */
import type { DomainConfig } from '../config.js';
import type { Criticality } from '../scheduler/types.js';

export interface IsolationChoice {
  readonly isolation: 'process' | 'thread' | 'shared';
  readonly group?: string;
}

export function isolationFor(dc: DomainConfig | undefined, criticality: Criticality): IsolationChoice {
  const isolation = dc?.isolation ?? (criticality === 'safety' ? 'process' : 'shared');
  if (isolation !== 'shared') return { isolation };
  return { isolation, group: dc?.group ?? 'comfort' };
}
