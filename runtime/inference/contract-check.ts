/**
 * Whether a model's boundary fits the domain that runs it: the runner feeds one float32 tensor of
 * [1, featureSize] and its interpretation reads the first `outputSize` values of the first output.
 * Checked on the manifest at start and on the ONNX file itself by `models eval` and `models
 * quantize`, so a model made elsewhere is refused before it serves, with what it has and what fits.
 */
import { ModelLoadError } from '../errors.js';
import { isDynamicDim, type Dim } from './dims.js';

/** What a domain feeds and reads. */
export interface TensorContract {
  readonly domain: string;
  readonly featureSize: number;
  /** Values of the first output the domain reads; absent: not checked. */
  readonly outputSize?: number;
}

/** A model's boundary as declared by its manifest or read from its file. */
export interface BoundaryTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly Dim[];
}

const fmt = (shape: readonly Dim[]): string => `[${shape.join(',')}]`;

/** Values in one batch row of `shape`, or undefined when a non-batch dimension is dynamic. */
function rowSize(shape: readonly Dim[]): number | undefined {
  let n = 1;
  for (const [i, d] of shape.entries()) {
    if (i === 0 && shape.length > 1) continue;
    if (isDynamicDim(d)) return undefined;
    n *= d as number;
  }
  return n;
}

/**
 * @param where names the model file (or manifest) in the error
 * @throws {ModelLoadError} `MODEL_MISMATCH` naming the tensor, its shape and the shape the domain needs
 */
export function checkTensorContract(where: string, c: TensorContract, io: { readonly inputs: readonly BoundaryTensor[]; readonly outputs: readonly BoundaryTensor[] }): void {
  const hint = `(ecu-ai models describe ${c.domain})`;
  const expected = `[1,${c.featureSize}] float32`;
  if (io.inputs.length !== 1) {
    throw new ModelLoadError('MODEL_MISMATCH', where, `inputs: the model takes ${io.inputs.length} inputs (${io.inputs.map((t) => t.name).join(', ')}), the domain ${c.domain} feeds one, ${expected} ${hint}`);
  }
  const input = io.inputs[0] as BoundaryTensor;
  const width = input.shape[input.shape.length - 1];
  const batch = input.shape[0];
  const batchFits = batch !== undefined && (isDynamicDim(batch) || batch === 1);
  if (input.shape.length !== 2 || !batchFits || (typeof width === 'number' && width >= 0 && width !== c.featureSize)) {
    const takes = typeof width === 'number' && width >= 0 ? ` the model takes ${width} features, the domain ${c.domain} builds ${c.featureSize}:` : '';
    throw new ModelLoadError('MODEL_MISMATCH', where, `inputs[0].shape: "${input.name}" is ${fmt(input.shape)};${takes} expected ${expected} ${hint}`);
  }
  if (input.dtype !== 'float32') throw new ModelLoadError('MODEL_MISMATCH', where, `inputs[0].dtype: "${input.name}" is ${input.dtype}, expected ${expected} ${hint}`);
  const output = io.outputs[0];
  if (output === undefined) throw new ModelLoadError('MODEL_MISMATCH', where, `outputs: the model has none, the domain ${c.domain} reads one float32 tensor ${hint}`);
  if (output.dtype !== 'float32') throw new ModelLoadError('MODEL_MISMATCH', where, `outputs[0].dtype: "${output.name}" is ${output.dtype}, expected float32 ${hint}`);
  const size = rowSize(output.shape);
  if (c.outputSize !== undefined && size !== undefined && size < c.outputSize) {
    throw new ModelLoadError('MODEL_MISMATCH', where, `outputs[0].shape: "${output.name}" is ${fmt(output.shape)} (${size} values), the domain ${c.domain} reads ${c.outputSize}: expected [1,${c.outputSize}] ${hint}`);
  }
}

/**
 * The same check on an output as computed (a dynamic shape is only known once the model ran).
 * @throws {ModelLoadError} `MODEL_MISMATCH` when the model gave fewer values than the domain reads
 */
export function checkOutputLength(where: string, c: TensorContract, outputName: string, values: number): void {
  if (c.outputSize !== undefined && values < c.outputSize) {
    throw new ModelLoadError('MODEL_MISMATCH', where, `outputs[0]: "${outputName}" gave ${values} values for one input row, the domain ${c.domain} reads ${c.outputSize}: expected [1,${c.outputSize}] (ecu-ai models describe ${c.domain})`);
  }
}
