/**
 * Evaluation on held-out simulator runs: the fp32 model, the int8 model and the rule-based
 * fallback, each scored by the domain's own scorer on the same rows (same windows, same labels).
 */
import type { DomainDefinition, ResultStabilizer } from '../../runtime/service/domain.js';
import type { DomainDataset } from './dataset.js';
import { openVectorSession } from './ort.js';

/** A domain's figures; null where the data gave no support (no positives, no events). */
export type Metrics = Record<string, number | null>;

export interface EvalResult {
  readonly rows: number;
  readonly durationS: number;
  readonly fp32?: Metrics;
  readonly int8?: Metrics;
  readonly fallback: Metrics;
}

/** Sum of the runs' durations. */
export function datasetDuration(ds: DomainDataset): number {
  return ds.runs.reduce((a, r) => a + r.durationS, 0);
}

/**
 * Passes each row's result through the domain's stabilizer as serving does, a fresh one for each
 * drive of the dataset (its rows are consecutive); the identity where the domain has none.
 */
export function stabilizerFor(def: DomainDefinition, ds: DomainDataset): (row: number, result: unknown) => unknown {
  if (!def.createStabilizer) return (_row, result) => result;
  let run = -1;
  let current: ResultStabilizer<unknown> | undefined;
  return (row, result) => {
    const r = ds.run[row] as number;
    if (r !== run || current === undefined) {
      run = r;
      current = def.createStabilizer?.() as ResultStabilizer<unknown>;
    }
    return current.next(ds.t[row] as number, result);
  };
}

/**
 * Scores model outputs (one vector per row, via `predict`) with the domain's scorer.
 * @throws {Error} when the domain has no scorer
 */
export async function scoreModel(def: DomainDefinition, ds: DomainDataset, predict: (x: Float32Array) => Promise<Float32Array> | Float32Array): Promise<Metrics> {
  const scorer = def.createScorer?.();
  if (!scorer) throw new Error(`domain ${def.domain} has no scorer`);
  const F = ds.featureSize;
  const stable = stabilizerFor(def, ds);
  for (let r = 0; r < ds.rows; r++) {
    const out = await predict(ds.x.subarray(r * F, (r + 1) * F));
    scorer.add(ds.t[r] as number, stable(r, def.interpret(out)), ds.labels[r]);
  }
  return scorer.summary(datasetDuration(ds));
}

/** Scores the fallback answers recorded in the dataset. */
export function scoreFallback(def: DomainDefinition, ds: DomainDataset): Metrics {
  const scorer = def.createScorer?.();
  if (!scorer) throw new Error(`domain ${def.domain} has no scorer`);
  const stable = stabilizerFor(def, ds);
  for (let r = 0; r < ds.rows; r++) scorer.add(ds.t[r] as number, stable(r, ds.fallback[r]), ds.labels[r]);
  return scorer.summary(datasetDuration(ds));
}

/**
 * Evaluates the given ONNX variants (bytes) and the fallback on a held-out dataset.
 * @throws Error from onnxruntime when a model does not load
 */
export async function evaluateDomain(def: DomainDefinition, ds: DomainDataset, variants: { fp32?: Uint8Array; int8?: Uint8Array }): Promise<EvalResult> {
  const out: { fp32?: Metrics; int8?: Metrics } = {};
  for (const v of ['fp32', 'int8'] as const) {
    const bytes = variants[v];
    if (!bytes) continue;
    const s = await openVectorSession(bytes, ds.featureSize);
    try {
      out[v] = await scoreModel(def, ds, (x) => s.run(x.slice()));
    } finally {
      await s.release();
    }
  }
  return { rows: ds.rows, durationS: datasetDuration(ds), ...out, fallback: scoreFallback(def, ds) };
}
