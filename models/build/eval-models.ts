/**
 * `ecu-ai models eval`: loads model folders through the registry (sha256 and boundary checked, and
 * the boundary against the domain's contract), and scores each local variant (fp32, int8) and the
 * fallback on held-out simulator runs. A folder of one's own holds only the models it replaces; the
 * other domains asked for are scored with the shipped models.
 */
import type { DomainName, ShippedDomain } from '../../domains/index.js';
import { LOCAL_VARIANTS, ModelRegistry, overlayShippedModels, type LoadedVariant, type ModelSource } from '../../runtime/inference/index.js';
import { checkFits } from './contract-fit.js';
import { DOMAINS } from '../../domains/index.js';
import { SCENARIO_NAMES } from '../../sim/scenarios/index.js';
import { BARS, comparedMetrics, meets } from './bars.js';
import { DEFAULT_BUILD } from './pipeline.js';
import { RECIPES } from './recipes.js';
import { cachedDatasets } from './dataset-cache.js';
import type { DomainDataset } from './dataset.js';
import { predictDomain, scoreDomain, type EvalResult } from './evaluate.js';
import { compareWithRule, type RuleComparison } from './rule-comparison.js';

export interface EvalOptions {
  readonly modelsDir: string;
  readonly domains: readonly DomainName[];
  /** Held-out seeds for every domain; default: each domain's own (its recipe's, else the build's). */
  readonly seeds?: readonly number[];
  readonly durationS: number;
  readonly scenarios?: readonly string[];
  readonly cacheDir?: string;
  /** Bootstrap resamples of the drives for the model-vs-rule intervals (default 1000). */
  readonly resamples?: number;
  /** Steps done of the total (simulated held-out runs, then one per domain evaluated). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DomainEval {
  readonly domain: DomainName;
  readonly model: string;
  readonly seeds: readonly number[];
  readonly result: EvalResult;
  /** Bars (not report-only) met by every variant scored. */
  readonly barsMet: boolean;
  /** `user`: the model came from the folder given; `shipped`: from the installation's models/. */
  readonly source: ModelSource['source'];
  /** The model folder scored. */
  readonly dir: string;
  /** Each variant beside the fallback on the same drives, overall and per scenario, with intervals. */
  readonly comparison: RuleComparison;
}

/**
 * @throws ModelLoadError when a model is missing, fails its sha256 or its boundary check
 */
export async function evaluateShipped(o: EvalOptions): Promise<DomainEval[]> {
  const registry = await ModelRegistry.create({ roots: [o.modelsDir] });
  const defs = o.domains.map((d) => DOMAINS[d]);
  const sources = new Map((await overlayShippedModels(registry, defs.map((d) => ({ domain: d.domain, model: d.model })))).map((s) => [s.domain, s]));
  // Every model is loaded and checked before the held-out drives are simulated (minutes).
  const loaded = new Map<DomainName, LoadedVariant[]>();
  for (const def of defs) {
    const { manifest } = registry.resolve({ name: def.model });
    const variants = await Promise.all(LOCAL_VARIANTS.filter((v) => manifest.variants[v] !== undefined).map((v) => registry.loadVariant({ name: def.model }, v)));
    for (const v of variants) await checkFits(def, v.path, v.bytes, v.io);
    loaded.set(def.domain, variants);
  }
  const seedsOf = (d: DomainName): readonly number[] => o.seeds ?? RECIPES[d].evalSeeds ?? DEFAULT_BUILD.evalSeeds;
  // Domains with the same held-out seeds share one simulation of those drives.
  const groups = new Map<string, ShippedDomain[]>();
  for (const def of defs) {
    const key = seedsOf(def.domain).join(',');
    groups.set(key, [...(groups.get(key) ?? []), def]);
  }
  const data = new Map<DomainName, DomainDataset>();
  const runsOf = (members: readonly ShippedDomain[]): { scenario: string; seed: number; durationS: number }[] =>
    seedsOf((members[0] as ShippedDomain).domain).flatMap((seed) => (o.scenarios ?? SCENARIO_NAMES).map((scenario) => ({ scenario, seed, durationS: o.durationS })));
  const total = [...groups.values()].reduce((a, m) => a + runsOf(m).length, 0) + defs.length;
  let done = 0;
  for (const members of groups.values()) {
    const runs = runsOf(members);
    const onRun = (n: number): void => o.onProgress?.(done + n, total);
    for (const [d, ds] of cachedDatasets(members, runs, { stride: DEFAULT_BUILD.stride, onRun, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}) })) data.set(d, ds);
    done += runs.length;
    o.onProgress?.(done, total);
  }
  const out: DomainEval[] = [];
  for (const def of defs) {
    const seeds = seedsOf(def.domain);
    const variants = loaded.get(def.domain) ?? [];
    const ds = data.get(def.domain) as DomainDataset;
    const rows = await predictDomain(def, ds, Object.fromEntries(variants.map((v) => [v.variant, v.bytes])));
    const result = scoreDomain(def, ds, rows);
    const comparison = compareWithRule(def, ds, rows, comparedMetrics(def.domain), o.resamples === undefined ? {} : { resamples: o.resamples });
    const barsMet = BARS[def.domain].every((b) => variants.every((v) => meets(b, result[v.variant])));
    const source = sources.get(def.domain);
    out.push({ domain: def.domain, model: def.model, seeds, result, barsMet, source: source?.source ?? 'shipped', dir: source?.dir ?? registry.resolve({ name: def.model }).dir, comparison });
    o.onProgress?.(++done, total);
  }
  return out;
}
