import { describe, expect, it } from 'vitest';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import type { DomainDataset } from '../../../models/build/dataset.js';
import { AccuracyCounter } from '../../../domains/common/scorers.js';
import { Prng } from '../../../models/build/prng.js';
import { compareWithRule, type MetricComparison } from '../../../models/build/rule-comparison.js';

/** Scores class answers; a null label (nothing to judge) adds no support. */
const classes = {
  domain: 'chassis',
  createScorer: () => {
    const acc = new AccuracyCounter();
    return {
      add: (_t: number, result: number, label: number | null) => label !== null && acc.add(result, label),
      summary: () => ({ accuracy: acc.accuracy() }),
    };
  },
} as unknown as DomainDefinition;

const ROWS_PER_DRIVE = 30;

/** Drives of the given scenarios; labels cycle through 3 classes, null on drives listed in `unlabelled`. */
function dataset(scenarios: readonly string[], unlabelled: readonly number[] = []): DomainDataset {
  const run: number[] = [];
  const t: number[] = [];
  const labels: (number | null)[] = [];
  scenarios.forEach((_s, d) => {
    for (let k = 0; k < ROWS_PER_DRIVE; k++) {
      run.push(d);
      t.push(k * 0.5);
      labels.push(unlabelled.includes(d) ? null : (k + d) % 3);
    }
  });
  return {
    rows: run.length,
    run: Int32Array.from(run),
    t: Float64Array.from(t),
    labels,
    fallback: labels,
    runs: scenarios.map((scenario, seed) => ({ scenario, seed, durationS: ROWS_PER_DRIVE * 0.5 })),
  } as unknown as DomainDataset;
}

/** The labels with a share of answers wrong, at seeded places. */
function noisy(labels: readonly (number | null)[], errorRate: number, seed: number): number[] {
  const prng = new Prng(seed);
  return labels.map((l) => ((l ?? 0) + (prng.next() < errorRate ? 1 : 0)) % 3);
}

const ACCURACY = [{ metric: 'accuracy', higherIsBetter: true }];
const SCENARIOS = ['highway', 'city', 'highway', 'city', 'rural', 'rural'];

function overall(m: ReturnType<typeof compareWithRule>): MetricComparison {
  return m.overall.metrics[0] as MetricComparison;
}

describe('compareWithRule', () => {
  const ds = dataset(SCENARIOS);
  const truth = ds.labels as (number | null)[];
  const better = { fp32: noisy(truth, 0.05, 1), int8: noisy(truth, 0.05, 2), fallback: noisy(truth, 0.5, 3) };

  it('gives the same intervals on two runs over the same data', () => {
    const a = compareWithRule(classes, ds, better, ACCURACY, { resamples: 300 });
    const b = compareWithRule(classes, ds, better, ACCURACY, { resamples: 300 });
    expect(b).toEqual(a);
    expect(a.resamples).toBe(300);
  });

  it('names the model the winner when it is clearly better, with intervals around the point figures', () => {
    const m = overall(compareWithRule(classes, ds, better, ACCURACY, { resamples: 300 }));
    expect(m.fp32?.winner).toBe('model');
    expect(m.int8?.winner).toBe('model');
    for (const i of [m.rule, m.fp32, m.int8, m.fp32?.difference]) {
      expect(i?.ci_low).not.toBeNull();
      expect(i?.ci_low as number).toBeLessThanOrEqual(i?.value as number);
      expect(i?.ci_high as number).toBeGreaterThanOrEqual(i?.value as number);
    }
    expect(m.fp32?.difference.ci_low as number).toBeGreaterThan(0);
  });

  it('calls identical answers a tie', () => {
    const same = noisy(truth, 0.3, 4);
    const m = overall(compareWithRule(classes, ds, { fp32: same, fallback: same }, ACCURACY, { resamples: 200 }));
    expect(m.fp32?.winner).toBe('tie');
    expect(m.fp32?.difference).toEqual({ value: 0, ci_low: 0, ci_high: 0 });
    expect(m.int8).toBeUndefined();
  });

  it('names the rule the winner when a lower-is-better metric is lower for the rule', () => {
    const m = overall(compareWithRule(classes, ds, better, [{ metric: 'accuracy', higherIsBetter: false }], { resamples: 200 }));
    expect(m.fp32?.winner).toBe('rule');
  });

  it('has a row for each scenario evaluated, counting its drives', () => {
    const c = compareWithRule(classes, ds, better, ACCURACY, { resamples: 100 });
    expect(c.scenarios.map((s) => [s.scenario, s.drives])).toEqual([['highway', 2], ['city', 2], ['rural', 2]]);
    expect(c.overall).toMatchObject({ scenario: null, drives: 6 });
    for (const s of c.scenarios) expect(s.metrics.map((m) => m.metric)).toEqual(['accuracy']);
  });

  it('leaves drives without support out of the resample and counts the drives used', () => {
    const partly = dataset(SCENARIOS, [0, 4]);
    const rows = { fp32: noisy(partly.labels as (number | null)[], 0.05, 1), fallback: noisy(partly.labels as (number | null)[], 0.5, 3) };
    const c = compareWithRule(classes, partly, rows, ACCURACY, { resamples: 100 });
    expect(overall(c).drives_used).toBe(4);
    expect(c.scenarios.map((s) => [s.scenario, s.metrics[0]?.drives_used])).toEqual([['highway', 1], ['city', 2], ['rural', 1]]);
    // One drive gives no interval to judge by.
    expect(c.scenarios[0]?.metrics[0]?.fp32?.winner).toBe('tie');
  });
});
