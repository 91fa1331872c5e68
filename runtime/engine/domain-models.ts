/**
 * Opens each resolved domain's model in its worker and reads what the engine needs from the
 * manifest: the boundary names and the profiled cost per variant. A model whose input does not
 * take the domain's feature vector is refused here, at start, not at the first inference.
 */
import { ModelLoadError } from '../errors.js';
import type { InferenceEngine, ModelManifest, ModelRegistry, OpenOptions } from '../inference/index.js';
import type { ResolvedDomain } from '../service/resolved.js';
import type { DomainModelInfo } from './engine.js';

/** The engine's view of a manifest; costs are the p99 the model was profiled at. */
export function modelInfo(m: ModelManifest, featureSize: number): DomainModelInfo {
  const input = m.inputs[0]!;
  const width = input.shape[input.shape.length - 1];
  if (typeof width === 'number' && width > 0 && width !== featureSize) {
    throw new ModelLoadError('MODEL_MISMATCH', m.name, `inputs[0].shape: the model takes ${width} features, the domain ${m.domain} builds ${featureSize}`);
  }
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
  opts: { minWatchdogMs?: number; onReady?: (domain: string, m: ModelManifest) => void } = {},
): Promise<Partial<Record<string, DomainModelInfo>>> {
  const models: Partial<Record<string, DomainModelInfo>> = {};
  const groups = new Map<string, { domain: string; model: string; opts: OpenOptions; manifest: ModelManifest }[]>();
  for (const d of domains) {
    const name = d.model;
    const manifest = registry.resolve({ name }).manifest;
    models[d.domain] = modelInfo(manifest, d.definition.featureSize);
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
