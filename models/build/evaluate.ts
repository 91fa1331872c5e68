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

/** Each row's result as serving would release it (stabilized), one array per variant scored. */
export interface RowResults {
  readonly fp32?: readonly unknown[];
  readonly int8?: readonly unknown[];
  readonly fallback: readonly unknown[];
}

/** Scores per-row results (stabilized, in dataset order) with the domain's scorer. */
export function scoreRows(def: DomainDefinition, ds: DomainDataset, results: readonly unknown[]): Metrics {
  const scorer = def.createScorer?.();
  if (!scorer) throw new Error(`domain ${def.domain} has no scorer`);
  for (let r = 0; r < ds.rows; r++) scorer.add(ds.t[r] as number, results[r], ds.labels[r]);
  return scorer.summary(datasetDuration(ds));
}

/** Model outputs (one vector per row, via `predict`), interpreted and stabilized. */
export async function predictRows(def: DomainDefinition, ds: DomainDataset, predict: (x: Float32Array) => Promise<Float32Array> | Float32Array): Promise<unknown[]> {
  const F = ds.featureSize;
  const stable = stabilizerFor(def, ds);
  const out: unknown[] = new Array(ds.rows);
  for (let r = 0; r < ds.rows; r++) out[r] = stable(r, def.interpret(await predict(ds.x.subarray(r * F, (r + 1) * F))));
  return out;
}

/** The fallback answers recorded in the dataset, stabilized. */
export function fallbackRows(def: DomainDefinition, ds: DomainDataset): unknown[] {
  const stable = stabilizerFor(def, ds);
  return ds.fallback.map((f, r) => stable(r, f));
}

/**
 * Scores model outputs (one vector per row, via `predict`) with the domain's scorer.
 * @throws {Error} when the domain has no scorer
 */
export async function scoreModel(def: DomainDefinition, ds: DomainDataset, predict: (x: Float32Array) => Promise<Float32Array> | Float32Array): Promise<Metrics> {
  return scoreRows(def, ds, await predictRows(def, ds, predict));
}

/** Scores the fallback answers recorded in the dataset. */
export function scoreFallback(def: DomainDefinition, ds: DomainDataset): Metrics {
  return scoreRows(def, ds, fallbackRows(def, ds));
}

/**
 * Runs the given ONNX variants (bytes) and takes the fallback's answers on every row of a dataset.
 * @throws Error from onnxruntime when a model does not load
 */
export async function predictDomain(def: DomainDefinition, ds: DomainDataset, variants: { fp32?: Uint8Array; int8?: Uint8Array }): Promise<RowResults> {
  const out: { fp32?: unknown[]; int8?: unknown[] } = {};
  for (const v of ['fp32', 'int8'] as const) {
    const bytes = variants[v];
    if (!bytes) continue;
    const s = await openVectorSession(bytes, ds.featureSize);
    try {
      out[v] = await predictRows(def, ds, (x) => s.run(x.slice()));
    } finally {
      await s.release();
    }
  }
  return { ...out, fallback: fallbackRows(def, ds) };
}

/** Scores each variant's and the fallback's per-row results. */
export function scoreDomain(def: DomainDefinition, ds: DomainDataset, rows: RowResults): EvalResult {
  const out: { fp32?: Metrics; int8?: Metrics } = {};
  for (const v of ['fp32', 'int8'] as const) {
    const r = rows[v];
    if (r) out[v] = scoreRows(def, ds, r);
  }
  return { rows: ds.rows, durationS: datasetDuration(ds), ...out, fallback: scoreRows(def, ds, rows.fallback) };
}

/**
 * Evaluates the given ONNX variants (bytes) and the fallback on a held-out dataset.
 * @throws Error from onnxruntime when a model does not load
 */
export async function evaluateDomain(def: DomainDefinition, ds: DomainDataset, variants: { fp32?: Uint8Array; int8?: Uint8Array }): Promise<EvalResult> {
  return scoreDomain(def, ds, await predictDomain(def, ds, variants));
}
