/**
 * Compares a model's real boundary (read from its bytes, or from the onnxruntime session) with what its
 * manifest declares; a difference is a MODEL_MISMATCH naming the tensor and the field.
 */
import { ModelLoadError } from '../errors.js';
import type { TensorSpec } from './manifest.js';
import { isDynamicDim, type Dim } from './dims.js';

/** What a model actually has; `dtype`/`shape` undefined when the source cannot tell. */
export interface ActualTensor {
  readonly name: string;
  readonly dtype?: string;
  readonly shape?: readonly Dim[];
}

function fmt(shape: readonly Dim[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * @param model names the model (name@version/variant) in the error
 * @param kind 'inputs' or 'outputs', the manifest field compared
 * @throws ModelLoadError `MODEL_MISMATCH` on a missing, extra or differently typed/shaped tensor
 */
export function matchIo(model: string, kind: 'inputs' | 'outputs', declared: readonly TensorSpec[], actual: readonly ActualTensor[]): void {
  const byName = new Map(actual.map((a) => [a.name, a]));
  declared.forEach((d, i) => {
    const a = byName.get(d.name);
    const field = `${kind}[${i}]`;
    if (a === undefined) {
      throw new ModelLoadError('MODEL_MISMATCH', model, `${field}.name: "${d.name}" is not among the model's ${kind} (${actual.map((x) => x.name).join(', ')})`);
    }
    if (a.dtype !== undefined && a.dtype !== d.dtype) {
      throw new ModelLoadError('MODEL_MISMATCH', model, `${field}.dtype: "${d.name}" is ${a.dtype} in the model, ${d.dtype} in the manifest`);
    }
    // ORT reports an unknown rank as []; only a known shape is compared.
    if (a.shape !== undefined && a.shape.length > 0) {
      const same =
        a.shape.length === d.shape.length &&
        d.shape.every((dd, k) => {
          const ad = a.shape?.[k] ?? -1;
          return isDynamicDim(dd) ? isDynamicDim(ad) : ad === dd;
        });
      if (!same) throw new ModelLoadError('MODEL_MISMATCH', model, `${field}.shape: "${d.name}" is ${fmt(a.shape)} in the model, ${fmt(d.shape)} in the manifest`);
    }
  });
  const extra = actual.find((a) => !declared.some((d) => d.name === a.name));
  if (extra !== undefined) throw new ModelLoadError('MODEL_MISMATCH', model, `${kind}: the model has "${extra.name}", which the manifest does not declare`);
}
