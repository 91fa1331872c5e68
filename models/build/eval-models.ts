/**
 * `ecu-ai models eval`: loads shipped model folders through the registry (sha256 and boundary
 * checked), and scores fp32, int8 and the fallback on held-out simulator runs.
 */
import type { DomainName } from '../../runtime/config.js';
import { ModelRegistry } from '../../runtime/inference/registry.js';
import { DOMAINS } from '../../domains/index.js';
import { SCENARIO_NAMES } from '../../sim/scenarios/index.js';
import { BARS, meets } from './bars.js';
import { cachedDatasets } from './dataset-cache.js';
import type { DomainDataset } from './dataset.js';
import { evaluateDomain, type EvalResult } from './evaluate.js';

export interface EvalOptions {
  readonly modelsDir: string;
  readonly domains: readonly DomainName[];
  readonly seeds: readonly number[];
  readonly durationS: number;
  readonly scenarios?: readonly string[];
  readonly cacheDir?: string;
}

export interface DomainEval {
  readonly domain: DomainName;
  readonly model: string;
  readonly result: EvalResult;
  /** Bars (not report-only) met by fp32 and int8. */
  readonly barsMet: boolean;
}

/**
 * @throws ModelLoadError when a model is missing, fails its sha256 or its boundary check
 */
export async function evaluateShipped(o: EvalOptions): Promise<DomainEval[]> {
  const registry = await ModelRegistry.create({ roots: [o.modelsDir] });
  const defs = o.domains.map((d) => DOMAINS[d]);
  const runs = o.seeds.flatMap((seed) => (o.scenarios ?? SCENARIO_NAMES).map((scenario) => ({ scenario, seed, durationS: o.durationS })));
  const data = cachedDatasets(defs, runs, { stride: { chassis: 5, powertrain: 2 }, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}) });
  const out: DomainEval[] = [];
  for (const def of defs) {
    const fp32 = await registry.loadVariant({ name: def.model }, 'fp32');
    const int8 = await registry.loadVariant({ name: def.model }, 'int8');
    const result = await evaluateDomain(def, data.get(def.domain) as DomainDataset, { fp32: fp32.bytes, int8: int8.bytes });
    const barsMet = BARS[def.domain].every((b) => meets(b, result.fp32) && meets(b, result.int8));
    out.push({ domain: def.domain, model: def.model, result, barsMet });
  }
  return out;
}
