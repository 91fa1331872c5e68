/**
 * A models folder given with `--models` or `models_dir:` holds only the models it replaces: which
 * domains run a model from it and which the shipped one, said once before the models open, and
 * the embedded cloud worker's models resolved the same way.
 */
import path from 'node:path';
import { loadShippedModels, type ModelResolver } from '../cloud/index.js';
import { ModelRegistry, overlayShippedModels, type ModelSource, type WantedModel } from '../runtime/inference/index.js';
import { bundledModels } from './paths.js';

/**
 * Where each domain's model comes from, without opening any.
 * @throws {ModelLoadError} when `modelsDir` holds none of the wanted models, or for an invalid manifest
 */
export async function modelSources(modelsDir: string, wanted: readonly WantedModel[]): Promise<ModelSource[]> {
  const registry = await ModelRegistry.create({ roots: [modelsDir] });
  return overlayShippedModels(registry, wanted, bundledModels);
}

/** One line per domain that runs a model of one's own, then one for the shipped rest; none when all are shipped. */
export function describeSources(sources: readonly ModelSource[]): string[] {
  const own = sources.filter((s) => s.source === 'user');
  if (own.length === 0) return [];
  const shipped = sources.filter((s) => s.source === 'shipped').map((s) => s.domain);
  return [
    ...own.map((s) => `${s.domain} runs your model ${s.label ?? s.model} from ${s.dir ?? '?'}`),
    ...(shipped.length > 0 ? [`${shipped.join(', ')} run${shipped.length === 1 ? 's' : ''} the shipped model${shipped.length === 1 ? '' : 's'}`] : []),
  ];
}

/**
 * The embedded cloud worker's models: a model the folder holds (any variant) only from there, every
 * other from the shipped folder, so the cloud answers with the model the vehicle runs.
 * @throws {ModelLoadError} when a folder holds nothing that can be served
 */
export async function cloudModelResolver(modelsDir: string): Promise<ModelResolver> {
  const own = await loadShippedModels(modelsDir);
  if (path.resolve(modelsDir) === path.resolve(bundledModels)) return own.resolve;
  const shipped = await loadShippedModels(bundledModels);
  const ownNames = new Set(own.served.map((s) => s.slice(0, s.indexOf('#'))));
  return (model, variant) => (ownNames.has(model) ? own.resolve(model, variant) : shipped.resolve(model, variant));
}
