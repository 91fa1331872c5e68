/** The evaluation report of a model: `eval.json` (machine-readable) and `EVAL.md` (for people). */
import type { DomainName } from '../../domains/index.js';
import { BARS, PRIMARY, meets } from './bars.js';
import type { EvalResult, Metrics } from './evaluate.js';
import type { LatencyProfile } from './ort.js';
import type { Int8Options } from './quantize.js';

export interface ModelReport {
  readonly model: string;
  readonly version: string;
  readonly domain: DomainName;
  readonly seed: number;
  readonly train: { readonly runs: number; readonly rows: number; readonly seeds: readonly number[]; readonly durationS: number; readonly extraSeeds?: Readonly<Record<string, readonly number[]>>; readonly validation?: number };
  readonly heldOut: { readonly seeds: readonly number[]; readonly durationS: number; readonly scenarios: readonly string[] };
  readonly eval: EvalResult;
  readonly latencyMs: { readonly fp32: LatencyProfile; readonly int8: LatencyProfile };
  readonly sizeBytes: { readonly fp32: number; readonly int8: number };
  /** The recipe's int8 export choices, when it has any (the int8 variant is then not plain QDQ). */
  readonly int8Options?: Int8Options & { readonly calibrationKeep?: number };
  /** Sigmoid threshold chosen on the training rows and folded into the head's bias. */
  readonly operatingPoint?: { readonly threshold: number; readonly trainingMetrics: Metrics };
}

/**
 * Largest |fp32 - int8| over the metrics both report (the "within one point" check). Metrics with
 * a unit (a count, a rate per hour, seconds: names ending in `_s`) are no fractions, so no points.
 */
export function int8Gap(fp32: Metrics | undefined, int8: Metrics | undefined): number {
  if (!fp32 || !int8) return Number.NaN;
  let gap = 0;
  for (const [k, v] of Object.entries(fp32)) {
    if (k === 'warnings' || k === 'false_warnings_per_hour' || k.endsWith('_s')) continue;
    const w = int8[k];
    if (v !== null && w !== undefined && w !== null) gap = Math.max(gap, Math.abs(v - w));
  }
  return gap;
}

/** Whether the fp32 model does better than the fallback on the domain's primary metric. */
export function beatsFallback(r: ModelReport): boolean {
  const p = PRIMARY[r.domain];
  const m = r.eval.fp32?.[p.metric];
  const f = r.eval.fallback[p.metric];
  // A model beats its fallback only on a figure both have with support.
  if (m === undefined || f === undefined || m === null || f === null) return false;
  return p.higherIsBetter ? m > f : m < f;
}

export function reportJson(r: ModelReport): Record<string, unknown> {
  return {
    ...r,
    bars: BARS[r.domain].map((b) => ({ ...b, fp32: meets(b, r.eval.fp32), int8: meets(b, r.eval.int8), fallback: meets(b, r.eval.fallback) })),
    int8_max_metric_gap: int8Gap(r.eval.fp32, r.eval.int8),
    beats_fallback: beatsFallback(r),
  };
}

const fmt = (v: number | null | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : v === null ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(4));

/** What a recipe's int8 options make of the int8 variant, in words. */
export function int8Description(o: Int8Options & { readonly calibrationKeep?: number }): string {
  if (o.weightOnly) return 'int8 weights (per output channel) with float activations, no activation calibration';
  const parts = ['QDQ int8 weights and uint8 activations'];
  if (o.floatLayers && o.floatLayers.length > 0) parts.push(`layer${o.floatLayers.length > 1 ? 's' : ''} ${o.floatLayers.join(', ')} kept in float`);
  if (o.calibrationKeep !== undefined) parts.push(o.calibrationKeep >= 1 ? 'activation ranges min..max' : `activation ranges the ${o.calibrationKeep} quantile range`);
  return parts.join('; ');
}

/** Extra training seeds in words; scenarios that share a seed list are named together ("every other scenario"). */
export function extraSeedsText(extra: Readonly<Record<string, readonly number[]>>, scenarios: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const [name, seeds] of Object.entries(extra)) {
    const key = seeds.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  const common = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  return [...groups.entries()]
    .map(([seeds, names]) => {
      if (names === common?.[1] && names.length > 1) {
        const who = names.length === scenarios.length ? 'every scenario' : names.length === Object.keys(extra).length ? names.join(', ') : 'every other scenario';
        return `${who} seeds ${seeds}`;
      }
      return `${names.join(', ')} seeds ${seeds}`;
    })
    .join('; ');
}

export function reportMarkdown(r: ModelReport): string {
  const keys = [...new Set([...Object.keys(r.eval.fallback), ...Object.keys(r.eval.fp32 ?? {})])];
  const rows = keys.map((k) => `| ${k} | ${fmt(r.eval.fp32?.[k])} | ${fmt(r.eval.int8?.[k])} | ${fmt(r.eval.fallback[k])} |`);
  const bars = BARS[r.domain].map((b) =>
    b.op === 'report'
      ? `| ${b.metric} (reported) | ${fmt(r.eval.fp32?.[b.metric])} (fp32) | ${fmt(r.eval.int8?.[b.metric])} (int8) | | fallback ${fmt(r.eval.fallback[b.metric])} |`
      : `| ${b.metric} ${b.op} ${b.value} | ${meets(b, r.eval.fp32) ? 'met' : 'NOT met'} (fp32) | ${meets(b, r.eval.int8) ? 'met' : 'NOT met'} (int8) | | fallback ${meets(b, r.eval.fallback) ? 'met' : 'not met'} |`,
  );
  const gap = int8Gap(r.eval.fp32, r.eval.int8);
  const p = PRIMARY[r.domain];
  return [
    `# ${r.model} ${r.version} (${r.domain})`,
    '',
    `Held-out evaluation: ${r.eval.rows} rows from ${r.heldOut.scenarios.length} scenarios x seeds ${r.heldOut.seeds.join(', ')} x ${r.heldOut.durationS} s (${(r.eval.durationS / 3600).toFixed(2)} h of driving); trained on seeds ${r.train.seeds.join(', ')}${r.train.extraSeeds && Object.keys(r.train.extraSeeds).length > 0 ? ` plus ${extraSeedsText(r.train.extraSeeds, r.heldOut.scenarios)}` : ''} (${r.train.runs} runs, ${r.train.rows} rows), seed ${r.seed}${r.train.validation && r.operatingPoint ? `; operating point chosen on ${r.train.validation} separate validation runs` : ''}.`,
    '',
    '| metric | fp32 | int8 | fallback |',
    '|---|---|---|---|',
    ...rows,
    '',
    '| bar | fp32 | int8 | | |',
    '|---|---|---|---|---|',
    ...bars,
    '',
    `int8 vs fp32: largest metric gap ${fmt(gap)} (${gap <= 0.01 ? 'within' : 'NOT within'} 0.01).`,
    ...(r.int8Options ? [`int8 variant: ${int8Description(r.int8Options)}.`] : []),
    `Model vs fallback on ${p.metric}: ${beatsFallback(r) ? 'the model is better' : 'the model does NOT beat the fallback'}.`,
    ...(r.operatingPoint ? [`Operating point: probability ${r.operatingPoint.threshold}, chosen on the ${r.train.validation ? 'validation' : 'training'} runs (${JSON.stringify(r.operatingPoint.trainingMetrics)}) and folded into the output bias.`] : []),
    '',
    '| variant | size (bytes) | latency p50 (ms) | p99 (ms) | mean (ms) | runs |',
    '|---|---|---|---|---|---|',
    `| fp32 | ${r.sizeBytes.fp32} | ${fmt(r.latencyMs.fp32.p50)} | ${fmt(r.latencyMs.fp32.p99)} | ${fmt(r.latencyMs.fp32.mean)} | ${r.latencyMs.fp32.runs} |`,
    `| int8 | ${r.sizeBytes.int8} | ${fmt(r.latencyMs.int8.p50)} | ${fmt(r.latencyMs.int8.p99)} | ${fmt(r.latencyMs.int8.mean)} | ${r.latencyMs.int8.runs} |`,
    '',
    'Latency: onnxruntime-node, one intra-op thread, one [1, F] vector per call, measured on the build machine after warm-up (wall time per call, including the Node binding).',
    '',
  ].join('\n');
}

/**
 * The line after which an `EVAL.md` is written by hand (a model's history, further seed sets):
 * a rebuild rewrites what comes before it from the report and keeps the rest as it was.
 */
export const HAND_WRITTEN_MARK = '<!-- written by hand below this line: ecu-ai models build keeps it -->';

/** The generated report followed by the hand-written part of the previous `EVAL.md`, if it had one. */
export function withHandWritten(generated: string, previous: string | undefined): string {
  const at = previous?.indexOf(HAND_WRITTEN_MARK) ?? -1;
  if (previous === undefined || at < 0) return generated;
  return `${generated.replace(/\n*$/, '\n\n')}${previous.slice(at)}`;
}
