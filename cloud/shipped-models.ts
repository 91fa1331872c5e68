/**
 * The models a cloud worker serves, from the layout the project ships and vehicles install:
 * `{dir}/{model}/manifest.json` beside the variant files. Every variant is checked as the vehicle
 * checks it (manifest schema, sha256, min_runtime, the file's real boundary against the manifest)
 * before it is served, so the cloud never answers with a model the vehicle would have refused.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ModelLoadError } from '../wire/errors.js';
import { LOCAL_VARIANTS, ModelRegistry, modelLabel, type ModelManifest } from '../runtime/inference/index.js';
import type { ModelFile } from './model-runner.js';

/** A model folder or variant that could not be served, and why. */
export interface RefusedModel {
  readonly where: string;
  readonly reason: string;
}

export interface ShippedModels {
  /** `name#variant` of everything served, sorted (the `cloud` variant included where it resolves). */
  readonly served: readonly string[];
  readonly refused: readonly RefusedModel[];
  /** The worker's resolver: verified bytes for a model name and variant, undefined when not served. */
  resolve(model: string, variant: string): ModelFile | undefined;
}

/** The model a `cloud` request runs: its own, or the one the manifest names as `remote_model`. */
function cloudTarget(manifest: ModelManifest): string {
  return manifest.variants.cloud?.remote_model ?? manifest.name;
}

/**
 * Scans `dir` for model folders and verifies every local variant of each.
 * @throws {ModelLoadError} MODEL_LOAD when nothing in `dir` can be served (naming what was refused)
 * @throws {Error} ENOENT/ENOTDIR when `dir` is not a readable folder
 */
export async function loadShippedModels(dir: string): Promise<ShippedModels> {
  const refused: RefusedModel[] = [];
  const files = new Map<string, ModelFile>();
  const manifests = new Map<string, ModelManifest>();
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.some((e) => e.isFile() && e.name === 'manifest.json') ? [dir] : entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  for (const folder of folders.sort()) {
    let registry: ModelRegistry;
    try {
      const inner = await readdir(folder);
      if (!inner.includes('manifest.json')) continue;
      registry = await ModelRegistry.create();
      await registry.addFolder(folder);
    } catch (err) {
      if (!(err instanceof ModelLoadError)) throw err;
      refused.push({ where: folder, reason: err.message });
      continue;
    }
    for (const { manifest } of registry.list()) {
      const known = manifests.get(manifest.name);
      if (known !== undefined) {
        refused.push({ where: folder, reason: `${modelLabel(manifest)}: ${manifest.name} is already served from another folder (${modelLabel(known)})` });
        continue;
      }
      manifests.set(manifest.name, manifest);
      for (const variant of LOCAL_VARIANTS) {
        if (manifest.variants[variant] === undefined) continue;
        try {
          const v = await registry.loadVariant({ name: manifest.name }, variant);
          files.set(`${manifest.name}#${variant}`, { path: v.path, bytes: v.bytes });
        } catch (err) {
          if (!(err instanceof ModelLoadError)) throw err;
          refused.push({ where: folder, reason: err.message });
        }
      }
    }
  }
  const resolve = (model: string, variant: string): ModelFile | undefined => {
    if (variant !== 'cloud') return files.get(`${model}#${variant || 'fp32'}`);
    const manifest = manifests.get(model);
    if (manifest?.variants.cloud === undefined) return undefined;
    // The cloud has the cores for full precision; int8 only when that is all that was verified.
    const target = cloudTarget(manifest);
    return files.get(`${target}#fp32`) ?? files.get(`${target}#int8`);
  };
  const served = [...files.keys(), ...[...manifests.keys()].filter((m) => resolve(m, 'cloud') !== undefined).map((m) => `${m}#cloud`)].sort();
  if (served.length === 0) {
    const why = refused.length > 0 ? `; refused:\n  ${refused.map((r) => r.reason).join('\n  ')}` : '';
    throw new ModelLoadError('MODEL_LOAD', dir, `no model to serve: expected model folders with a manifest.json ({dir}/{model}/manifest.json)${why}`);
  }
  return { served, refused, resolve };
}
