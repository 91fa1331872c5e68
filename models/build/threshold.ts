/**
 * Operating-point tuning for sigmoid heads: the domain flags at probability 0.5, but the best
 * threshold for the domain's own metric (a pack-level precision over 96 per-cell scores, false
 * warnings per hour) is rarely 0.5. The pipeline picks the threshold on the TRAINING rows with the
 * domain's scorer and folds it into the last layer's bias (logit(p) - logit(t) = z - logit(t)),
 * so that serving, fp32 and int8 alike, still compares with 0.5.
 */
import type { DomainDefinition } from '../../runtime/service/domain.js';
import type { DomainDataset } from './dataset.js';
import type { Metrics } from './evaluate.js';
import { datasetDuration, stabilizerFor } from './evaluate.js';
import { foldStandardisation, runGraphJs, type GraphSpec } from './export.js';
import type { Layer, TrainedMlp } from './mlp-trainer.js';

/** What a recipe asks of its operating point: maximise `maximise` while `constraint` holds. */
export interface ThresholdGoal {
  readonly maximise: string;
  readonly constraint: { readonly metric: string; readonly op: '>=' | '<='; readonly value: number };
  /** Which outputs are sigmoid probabilities (default all but pass-through ones). */
  readonly outputs: number;
  /** Thresholds to try (default CANDIDATE_THRESHOLDS): a finer grid where the metric moves in steps. */
  readonly candidates?: readonly number[];
}

export const CANDIDATE_THRESHOLDS: readonly number[] = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99];

const logit = (p: number): number => Math.log(p / (1 - p));

export interface ThresholdChoice {
  readonly threshold: number;
  readonly metrics: Metrics;
  /** Every candidate's training metrics, for the report. */
  readonly tried: readonly { threshold: number; metrics: Metrics }[];
}

/**
 * Scores each candidate threshold on the training rows and returns the best that meets the goal
 * (or the one closest to meeting it when none does).
 */
export function chooseThreshold(def: DomainDefinition, ds: DomainDataset, spec: GraphSpec, mlp: TrainedMlp, goal: ThresholdGoal): ThresholdChoice {
  const layers = foldStandardisation(mlp);
  const F = ds.featureSize;
  const outs: Float32Array[] = [];
  for (let r = 0; r < ds.rows; r++) outs.push(runGraphJs(spec, mlp, layers, ds.x.subarray(r * F, (r + 1) * F)));
  const tried = (goal.candidates ?? CANDIDATE_THRESHOLDS).map((threshold) => {
    const scorer = def.createScorer?.();
    if (!scorer) throw new Error(`domain ${def.domain} has no scorer`);
    const shift = logit(threshold);
    const stable = stabilizerFor(def, ds);
    for (let r = 0; r < ds.rows; r++) {
      const o = (outs[r] as Float32Array).slice();
      for (let k = 0; k < goal.outputs; k++) o[k] = 1 / (1 + Math.exp(-(logit(Math.min(Math.max(o[k] as number, 1e-7), 1 - 1e-7)) - shift)));
      scorer.add(ds.t[r] as number, stable(r, def.interpret(o)), ds.labels[r]);
    }
    return { threshold, metrics: scorer.summary(datasetDuration(ds)) };
  });
  const c = goal.constraint;
  const ok = (m: Metrics): boolean => {
    const v = m[c.metric];
    // A constraint on a figure without support is not met.
    if (v === undefined || v === null) return false;
    return c.op === '>=' ? v >= c.value : v <= c.value;
  };
  const feasible = tried.filter((t) => ok(t.metrics));
  const best = feasible.length > 0
    ? feasible.reduce((a, b) => ((b.metrics[goal.maximise] ?? 0) > (a.metrics[goal.maximise] ?? 0) ? b : a))
    : tried.reduce((a, b) => {
        const gap = (m: Metrics): number => Math.abs((m[c.metric] ?? 0) - c.value);
        return gap(b.metrics) < gap(a.metrics) ? b : a;
      });
  return { threshold: best.threshold, metrics: best.metrics, tried };
}

/** The network with its last-layer bias shifted so that sigmoid output 0.5 means probability `threshold`. */
export function withThreshold(mlp: TrainedMlp, threshold: number): TrainedMlp {
  const layers = mlp.layers.map((L, i): Layer => (i === mlp.layers.length - 1 ? { ...L, bias: L.bias.map((b) => b - logit(threshold)) } : L));
  return { ...mlp, layers };
}
