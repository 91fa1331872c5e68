/** The accuracy bars each domain's model must meet on held-out runs, and checking them. */
import type { DomainName } from '../../domains/index.js';
import type { Metrics } from './evaluate.js';

export interface Bar {
  readonly metric: string;
  readonly op: '>=' | '<=' | 'report';
  readonly value: number;
}

export const BARS: Readonly<Record<DomainName, readonly Bar[]>> = {
  adas: [{ metric: 'recall', op: '>=', value: 0.95 }, { metric: 'false_warnings_per_hour', op: '<=', value: 2 }],
  chassis: [{ metric: 'accuracy', op: '>=', value: 0.9 }],
  powertrain: [{ metric: 'recall', op: '>=', value: 0.95 }, { metric: 'precision', op: '>=', value: 0.9 }],
  cockpit: [{ metric: 'accuracy', op: '>=', value: 0.85 }],
  body: [{ metric: 'mae', op: 'report', value: 0 }],
};

/** Whether `m` meets a bar (a report-only bar always does). */
export function meets(bar: Bar, m: Metrics | undefined): boolean {
  const v = m?.[bar.metric];
  if (bar.op === 'report') return true;
  // A figure without support cannot show that a bar is met.
  if (v === undefined || v === null) return false;
  return bar.op === '>=' ? v >= bar.value : v <= bar.value;
}

/** The metric a model is compared with its fallback on, and whether higher is better. */
export const PRIMARY: Readonly<Record<DomainName, { metric: string; higherIsBetter: boolean }>> = {
  adas: { metric: 'recall', higherIsBetter: true },
  chassis: { metric: 'accuracy', higherIsBetter: true },
  powertrain: { metric: 'recall', higherIsBetter: true },
  cockpit: { metric: 'accuracy', higherIsBetter: true },
  body: { metric: 'mae', higherIsBetter: false },
};

/**
 * The metrics a model is set beside its fallback on: the primary one, then each bar's metric, with
 * the direction that counts as better.
 */
export function comparedMetrics(domain: DomainName): { metric: string; higherIsBetter: boolean }[] {
  const out = [PRIMARY[domain]];
  for (const b of BARS[domain]) {
    if (b.op !== 'report' && !out.some((m) => m.metric === b.metric)) out.push({ metric: b.metric, higherIsBetter: b.op === '>=' });
  }
  return out;
}
