/**
 * A model against its rule-based fallback on the same drives, with bootstrap intervals over drives.
 * Drives are resampled with replacement and each metric is recomputed by the domain's own scorer
 * from the pooled rows of the drawn drives, so pooled figures (recall, precision, false warnings per
 * hour) keep their meaning. The winner is read from the interval of the paired difference
 * model − rule on the same draws: two separate intervals that overlap can still hide a clear win.
 */
import type { DomainDefinition } from '../../runtime/service/domain.js';
import type { DomainDataset } from './dataset.js';
import type { Metrics, RowResults } from './evaluate.js';
import { metric } from '../../domains/common/scorers.js';
import { Prng } from './prng.js';

export interface ComparedMetric {
  readonly metric: string;
  readonly higherIsBetter: boolean;
}

export interface BootstrapOptions {
  /** Resamples of the drives (default 1000). */
  readonly resamples?: number;
  /** Seed of the resampling (default 15): the same data gives the same intervals. */
  readonly seed?: number;
}

/** A figure on all drives used, and its 95% bootstrap interval; null where there is no support. */
export interface Interval {
  readonly value: number | null;
  readonly ci_low: number | null;
  readonly ci_high: number | null;
}

/** `tie`: the interval of the difference includes 0 (or fewer than two drives give no interval). */
export type Winner = 'model' | 'rule' | 'tie';

export interface VariantComparison extends Interval {
  /** model − rule, paired on the same drawn drives. */
  readonly difference: Interval;
  readonly winner: Winner;
}

export interface MetricComparison {
  readonly metric: string;
  readonly higher_is_better: boolean;
  /** Drives on which the metric has support for the rule or a model variant; the others are left out. */
  readonly drives_used: number;
  readonly rule: Interval;
  readonly fp32?: VariantComparison;
  readonly int8?: VariantComparison;
}

export interface ScopeComparison {
  /** null: all drives; else the drives of that scenario. */
  readonly scenario: string | null;
  readonly drives: number;
  readonly metrics: readonly MetricComparison[];
}

export interface RuleComparison {
  readonly method: 'bootstrap over drives, metrics recomputed from pooled rows';
  readonly resamples: number;
  readonly confidence: 0.95;
  readonly overall: ScopeComparison;
  readonly scenarios: readonly ScopeComparison[];
}

type Side = 'fp32' | 'int8' | 'fallback';
const MODEL_SIDES = ['fp32', 'int8'] as const;

/** Row ranges [start, end) of each drive; a drive's rows are consecutive in a dataset. */
function driveRanges(ds: DomainDataset): { start: number; end: number }[] {
  const ranges = ds.runs.map(() => ({ start: 0, end: 0 }));
  for (let r = ds.rows - 1; r >= 0; r--) {
    const range = ranges[ds.run[r] as number] as { start: number; end: number };
    if (range.end === 0) range.end = r + 1;
    range.start = r;
  }
  return ranges;
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], p: number): number {
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (b - a) * (at - lo);
}

function interval(value: number | null, draws: readonly (number | null)[]): Interval {
  const valid = draws.filter((d): d is number => d !== null).sort((a, b) => a - b);
  if (value === null || valid.length === 0) return { value: metric(value), ci_low: null, ci_high: null };
  return { value: metric(value), ci_low: metric(quantile(valid, 0.025)), ci_high: metric(quantile(valid, 0.975)) };
}

function winnerOf(diff: Interval, drivesUsed: number, higherIsBetter: boolean): Winner {
  if (drivesUsed < 2 || diff.ci_low === null || diff.ci_high === null) return 'tie';
  if (diff.ci_low > 0) return higherIsBetter ? 'model' : 'rule';
  if (diff.ci_high < 0) return higherIsBetter ? 'rule' : 'model';
  return 'tie';
}

/** Scores the given drives (repeats allowed) pooled into one scorer, in the order given. */
class PooledScorer {
  readonly #ranges: { start: number; end: number }[];
  constructor(
    readonly def: DomainDefinition,
    readonly ds: DomainDataset,
    readonly rows: RowResults,
  ) {
    this.#ranges = driveRanges(ds);
  }
  score(side: Side, drives: ArrayLike<number>): Metrics {
    const results = this.rows[side] as readonly unknown[];
    const scorer = this.def.createScorer?.();
    if (!scorer) throw new Error(`domain ${this.def.domain} has no scorer`);
    let durationS = 0;
    for (let k = 0; k < drives.length; k++) {
      const d = drives[k] as number;
      const { start, end } = this.#ranges[d] as { start: number; end: number };
      for (let r = start; r < end; r++) scorer.add(this.ds.t[r] as number, results[r], this.ds.labels[r]);
      durationS += (this.ds.runs[d] as { durationS: number }).durationS;
    }
    return scorer.summary(durationS);
  }
}

/** Each resample's figures for one side on one drive set; the draws are shared by every side (paired). */
class Resampler {
  readonly #draws = new Map<string, Int32Array[]>();
  readonly #scored = new Map<string, Metrics[]>();
  constructor(
    readonly pooled: PooledScorer,
    readonly resamples: number,
    readonly seed: number,
  ) {}
  #drawsOf(drives: readonly number[]): Int32Array[] {
    const key = drives.join(',');
    let draws = this.#draws.get(key);
    if (!draws) {
      const prng = new Prng(this.seed);
      draws = Array.from({ length: this.resamples }, () => Int32Array.from(drives, () => drives[prng.int(drives.length)] as number));
      this.#draws.set(key, draws);
    }
    return draws;
  }
  figures(side: Side, drives: readonly number[]): Metrics[] {
    const key = `${side}:${drives.join(',')}`;
    let out = this.#scored.get(key);
    if (!out) {
      out = this.#drawsOf(drives).map((d) => this.pooled.score(side, d));
      this.#scored.set(key, out);
    }
    return out;
  }
}

/** A figure the scorer gave (null: no support; absent: the scorer has no such metric). */
function hasSupport(x: number | null | undefined): x is number {
  return x !== null && x !== undefined;
}

function compareScope(scenario: string | null, drives: readonly number[], compared: readonly ComparedMetric[], rs: Resampler, perDrive: Map<Side, Metrics[]>, sides: readonly Side[]): ScopeComparison {
  const metrics = compared.map(({ metric: name, higherIsBetter }): MetricComparison => {
    const used = drives.filter((d) => sides.some((s) => hasSupport((perDrive.get(s)?.[d] as Metrics)[name])));
    const valueOf = (side: Side): number | null => (used.length === 0 ? null : (rs.pooled.score(side, used)[name] ?? null));
    const drawsOf = (side: Side): (number | null)[] => (used.length === 0 ? [] : rs.figures(side, used).map((m) => m[name] ?? null));
    const ruleValue = valueOf('fallback');
    const ruleDraws = drawsOf('fallback');
    const out: { -readonly [K in keyof MetricComparison]: MetricComparison[K] } = { metric: name, higher_is_better: higherIsBetter, drives_used: used.length, rule: interval(ruleValue, ruleDraws) };
    for (const v of MODEL_SIDES) {
      if (!sides.includes(v)) continue;
      const value = valueOf(v);
      const draws = drawsOf(v);
      const diffs = draws.map((m, k) => (m === null || !hasSupport(ruleDraws[k]) ? null : m - (ruleDraws[k] as number)));
      const difference = interval(value === null || ruleValue === null ? null : value - ruleValue, diffs);
      out[v] = { ...interval(value, draws), difference, winner: winnerOf(difference, used.length, higherIsBetter) };
    }
    return out;
  });
  return { scenario, drives: drives.length, metrics };
}

/**
 * Compares each scored variant with the fallback on all drives and per scenario.
 * @throws {Error} when the domain has no scorer
 */
export function compareWithRule(def: DomainDefinition, ds: DomainDataset, rows: RowResults, compared: readonly ComparedMetric[], o: BootstrapOptions = {}): RuleComparison {
  const resamples = o.resamples ?? 1000;
  const pooled = new PooledScorer(def, ds, rows);
  const rs = new Resampler(pooled, resamples, o.seed ?? 15);
  const sides: Side[] = [...MODEL_SIDES.filter((v) => rows[v] !== undefined), 'fallback'];
  const all = ds.runs.map((_r, d) => d);
  const perDrive = new Map(sides.map((s) => [s, all.map((d) => pooled.score(s, [d]))]));
  const scenarios = [...new Set(ds.runs.map((r) => r.scenario))];
  return {
    method: 'bootstrap over drives, metrics recomputed from pooled rows',
    resamples,
    confidence: 0.95,
    overall: compareScope(null, all, compared, rs, perDrive, sides),
    scenarios: scenarios.map((s) => compareScope(s, all.filter((d) => ds.runs[d]?.scenario === s), compared, rs, perDrive, sides)),
  };
}
