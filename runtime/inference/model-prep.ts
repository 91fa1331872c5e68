/**
 * What both inference engines do before and around onnxruntime, so they refuse the same things with
 * the same errors: resolving and verifying a domain's model, and checking a call against it.
 */
import { InferenceError, ModelLoadError } from '../errors.js';
import { LOCAL_VARIANTS, type LocalVariant, type ModelManifest } from './manifest.js';
import type { VariantLoad } from './protocol.js';
import { modelLabel, parseModelRef, type ModelRef, type ModelRegistry } from './registry.js';
import { checkFeeds, type Feeds, type TensorData } from './tensors.js';

/** A domain's model, resolved, verified and read, ready for sessions. */
export interface PreparedModel {
  readonly domain: string;
  readonly manifest: ModelManifest;
  readonly variants: readonly LocalVariant[];
  readonly defaultVariant: LocalVariant;
  /** One per variant: the verified bytes and the declared boundary a session is made from. */
  readonly loads: readonly Omit<VariantLoad, 'slot'>[];
}

/**
 * Resolves the model, checks it is the domain's, and reads and verifies each variant asked for
 * (default: every local variant of the manifest).
 * @throws ModelLoadError `MODEL_MISMATCH` when the manifest names another domain; the registry's errors otherwise
 */
export async function prepareModel(registry: ModelRegistry, domain: string, model: ModelRef | string, only?: readonly LocalVariant[]): Promise<PreparedModel> {
  const ref = typeof model === 'string' ? parseModelRef(model) : model;
  const { manifest } = registry.resolve(ref);
  if (manifest.domain !== domain) {
    throw new ModelLoadError('MODEL_MISMATCH', modelLabel(manifest), `domain: the manifest says "${manifest.domain}", opened for "${domain}"`);
  }
  const variants = only ?? LOCAL_VARIANTS.filter((v) => manifest.variants[v] !== undefined);
  const loaded = await Promise.all(variants.map((v) => registry.loadVariant({ name: manifest.name, version: manifest.version }, v)));
  const loads = loaded.map((l) => ({ domain, variant: l.variant, label: `${modelLabel(manifest)}#${l.variant}`, bytes: l.bytes, inputs: manifest.inputs, outputs: manifest.outputs }));
  const defaultVariant = ref.variant ?? (variants.includes('fp32') ? 'fp32' : 'int8');
  return { domain, manifest, variants, defaultVariant, loads };
}

/**
 * The variant a call runs and its feeds with explicit dims.
 * @throws InferenceError `INFERENCE_INPUT` for a variant not loaded or a bad feed
 */
export function checkCall(model: Pick<PreparedModel, 'manifest' | 'variants' | 'defaultVariant'>, domain: string, feeds: Feeds, variant?: LocalVariant): { readonly variant: LocalVariant; readonly feeds: Record<string, TensorData> } {
  const v = variant ?? model.defaultVariant;
  if (!model.variants.includes(v)) throw new InferenceError('INFERENCE_INPUT', domain, `variant ${v} is not loaded (${model.variants.join(', ')})`);
  return { variant: v, feeds: checkFeeds(domain, model.manifest.inputs, feeds) };
}

/** The error of a call to a domain with no model open. */
export function notOpenError(domain: string): InferenceError {
  return new InferenceError('WORKER_CRASHED', domain, 'no model is open for this domain');
}
