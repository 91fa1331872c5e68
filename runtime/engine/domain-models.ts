/**
 * Opens each resolved domain's model in its worker and reads what the engine needs from the
 * manifest: the boundary names and the profiled cost per variant. A model whose boundary does not
 * fit the domain (its input is not [1, featureSize] float32, its output shorter than what the
 * domain reads) is refused here, at start, not at the first inference. A models folder of one's
 * own holds only the models it replaces; the others are the shipped ones (`overlayShippedModels`).
 */
import path from 'node:path';
import { checkTensorContract, overlayShippedModels, type ModelSource, type InferenceEngine, type ModelManifest, type ModelRegistry, type OpenOptions } from '../inference/index.js';
import type { ResolvedDomain } from '../service/resolved.js';
import type { DomainModelInfo } from './engine.js';

/** What the domain feeds and reads, for the boundary check. */
export interface DomainBoundary {
  readonly domain?: string;
  readonly featureSize: number;
  readonly outputSize?: number;
  /** The model file or folder named in errors; default the model's name. */
  readonly source?: string;
}

/**
 * The engine's view of a manifest; costs are the p99 the model was profiled at.
 * @throws {ModelLoadError} `MODEL_MISMATCH` when the boundary does not fit the domain
 */
export function modelInfo(m: ModelManifest, boundary: number | DomainBoundary): DomainModelInfo {
  const b = typeof boundary === 'number' ? { featureSize: boundary } : boundary;
  checkTensorContract(b.source ?? m.name, { domain: b.domain ?? m.domain, featureSize: b.featureSize, ...(b.outputSize === undefined ? {} : { outputSize: b.outputSize }) }, m);
  const input = m.inputs[0]!;
  return {
    model: m.name,
    inputName: input.name,
    outputName: m.outputs[0]!.name,
    costMs: {
      ...(m.variants.fp32 ? { fp32: m.variants.fp32.cost_ms.p99 } : {}),
      ...(m.variants.int8 ? { int8: m.variants.int8.cost_ms.p99 } : {}),
      ...(m.variants.cloud ? { cloud: m.variants.cloud.cost_ms.p99 } : {}),
    },
  };
}

/** What opening needs of the pool (InferencePool satisfies it). */
export type ModelOpener = Pick<InferenceEngine, 'open' | 'openGroup'>;

/**
 * Opens the models one worker after another (each warms onnxruntime up, and the cores are few); the
 * domains of a shared process start together in it.
 * @param minWatchdogMs - a floor under the configured watchdog (replay tolerates a loaded machine)
 * @throws {ModelLoadError} for a missing, tampered or mismatched model
 */
export async function openDomainModels(
  pool: ModelOpener,
  registry: ModelRegistry,
  domains: readonly ResolvedDomain[],
  opts: { minWatchdogMs?: number; onReady?: (domain: string, m: ModelManifest) => void; shippedDir?: string; onSources?: (sources: readonly ModelSource[]) => void } = {},
): Promise<Partial<Record<string, DomainModelInfo>>> {
  const models: Partial<Record<string, DomainModelInfo>> = {};
  const groups = new Map<string, { domain: string; model: string; opts: OpenOptions; manifest: ModelManifest }[]>();
  const sources = await overlayShippedModels(registry, domains, opts.shippedDir);
  opts.onSources?.(sources);
  for (const d of domains) {
    const name = d.model;
    const { manifest, dir } = registry.resolve({ name });
    const file = manifest.variants.fp32?.file ?? manifest.variants.int8?.file ?? 'manifest.json';
    models[d.domain] = modelInfo(manifest, boundaryOf(d, path.join(dir, file)));
    const open: OpenOptions = {
      ...d.isolation,
      watchdogMs: Math.max(d.watchdogMs, opts.minWatchdogMs ?? 0),
      maxRssMb: d.maxRssMb,
    };
    if (open.group !== undefined) {
      groups.set(open.group, [...(groups.get(open.group) ?? []), { domain: d.domain, model: name, opts: open, manifest }]);
      continue;
    }
    await pool.open(d.domain, name, open);
    opts.onReady?.(d.domain, manifest);
  }
  for (const [group, members] of groups) {
    await pool.openGroup(group, members);
    for (const m of members) opts.onReady?.(m.domain, m.manifest);
  }
  return models;
}

/** What a resolved domain feeds its model and reads from it. */
export function boundaryOf(d: ResolvedDomain, source: string): DomainBoundary {
  const outputs = d.definition.modelContract?.outputs.length;
  return { domain: d.domain, featureSize: d.definition.featureSize, source, ...(outputs === undefined ? {} : { outputSize: outputs }) };
}
