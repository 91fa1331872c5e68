/**
 * ONNX export of a trained MLP, written with the project's graph builder (opset 17, IR 8).
 * The graph takes the domain's whole feature vector [1, F] and:
 *  - optionally reads only its first `modelFeatures` (Slice) and appends `auxFeatures` passed
 *    through unchanged (Concat) after the head: values the domain's result carries, such as a TTC;
 *  - optionally scores `perRow.rows` rows of `perRow.width` features with one shared network
 *    (Reshape [1, rows*width] → [rows, width] and back), as the battery model does per cell;
 *  - folds the training standardisation into the first Gemm (fp32), so serving feeds raw features;
 *    the int8 graph standardises explicitly instead (Sub, Mul) so that one per-tensor quantiser
 *    fits every input feature alike.
 * The same assembly writes the int8 graph (see quantize.ts): only the per-layer writer differs.
 */
import { OnnxGraphBuilder } from './onnx/index.js';
import { applyHead, type Layer, type Loss, type TrainedMlp } from './mlp-trainer.js';

export interface GraphSpec {
  readonly graphName: string;
  readonly inputName: string;
  readonly outputName: string;
  /** Length of the input vector. */
  readonly featureSize: number;
  /** Features the network reads (the first ones); default all. */
  readonly modelFeatures?: number;
  /** Features after those, copied to the end of the output; default 0. */
  readonly auxFeatures?: number;
  /** Score `rows` rows of `width` features with one network; output [1, rows * K]. */
  readonly perRow?: { readonly rows: number; readonly width: number };
  /**
   * Adds `feature · scale + offset` of the input to network output `output` (before the head): the
   * network then learns a correction to a strong baseline, e.g. the occupant count to the seat mats.
   */
  readonly residual?: { readonly output: number; readonly feature: number; readonly scale: number; readonly offset: number };
  readonly docString?: string;
}

/** Writes one dense layer from `input` to `output` (post-activation for hidden layers, logits for the last). */
export type LayerWriter = (b: OnnxGraphBuilder, index: number, layer: Layer, input: string, output: string, last: boolean) => void;

const HEAD_OP: Readonly<Record<Loss, 'Softmax' | 'Sigmoid' | undefined>> = { softmax: 'Softmax', sigmoid: 'Sigmoid', mse: undefined };

/** Size of the graph's output vector. */
export function outputSize(spec: GraphSpec, mlp: TrainedMlp): number {
  const k = mlp.sizes[mlp.sizes.length - 1] as number;
  return (spec.perRow ? spec.perRow.rows * k : k) + (spec.auxFeatures ?? 0);
}

/** The layers with (x - mean) / std folded into the first one: W' = W / std, b' = b - W' · mean. */
export function foldStandardisation(mlp: TrainedMlp): Layer[] {
  return mlp.layers.map((L, l) => {
    if (l > 0) return { ...L, weight: L.weight.slice(), bias: L.bias.slice() };
    const weight = new Float32Array(L.weight.length);
    const bias = new Float32Array(L.outSize);
    for (let o = 0; o < L.outSize; o++) {
      let shift = 0;
      for (let i = 0; i < L.inSize; i++) {
        const w = (L.weight[o * L.inSize + i] as number) / (mlp.std[i] as number);
        weight[o * L.inSize + i] = w;
        shift += w * (mlp.mean[i] as number);
      }
      bias[o] = (L.bias[o] as number) - shift;
    }
    return { inSize: L.inSize, outSize: L.outSize, weight, bias };
  });
}

const i64 = (values: readonly number[]): BigInt64Array => BigInt64Array.from(values.map((v) => BigInt(v)));

/**
 * Assembles the graph around the per-layer writer and encodes it.
 * @throws OnnxBuildError when the spec and the network's sizes do not fit
 */
export function assembleGraph(spec: GraphSpec, mlp: TrainedMlp, layers: readonly Layer[], writeLayer: LayerWriter, standardise = false): Uint8Array {
  const modelFeatures = spec.modelFeatures ?? spec.featureSize;
  const aux = spec.auxFeatures ?? 0;
  const k = mlp.sizes[mlp.sizes.length - 1] as number;
  const b = new OnnxGraphBuilder(spec.graphName).input(spec.inputName, 'float32', [1, spec.featureSize]);
  let cur = spec.inputName;
  if (modelFeatures !== spec.featureSize) {
    b.initializer('mlp_starts', i64([0]), [1]).initializer('mlp_ends', i64([modelFeatures]), [1]).initializer('feat_axes', i64([1]), [1]);
    b.node('Slice', [cur, 'mlp_starts', 'mlp_ends', 'feat_axes'], ['mlp_in']);
    cur = 'mlp_in';
  }
  if (spec.perRow) {
    b.initializer('rows_shape', i64([spec.perRow.rows, spec.perRow.width]), [2]);
    b.node('Reshape', [cur, 'rows_shape'], ['rows_in']);
    cur = 'rows_in';
  }
  if (standardise) {
    b.initializer('in_mean', mlp.mean, [mlp.mean.length]).initializer('in_inv_std', mlp.std.map((v) => 1 / v), [mlp.std.length]);
    b.node('Sub', [cur, 'in_mean'], ['centred']);
    b.node('Mul', ['centred', 'in_inv_std'], ['standardised']);
    cur = 'standardised';
  }
  layers.forEach((L, l) => {
    const last = l === layers.length - 1;
    const out = last ? 'logits' : `a${l}`;
    writeLayer(b, l, L, cur, out, last);
    cur = out;
  });
  if (spec.residual) {
    const res = spec.residual;
    const mask = new Float32Array(k);
    mask[res.output] = res.scale;
    const bias = new Float32Array(k);
    bias[res.output] = res.offset;
    b.initializer('res_starts', i64([res.feature]), [1]).initializer('res_ends', i64([res.feature + 1]), [1]).initializer('res_axes', i64([1]), [1]);
    b.initializer('res_mask', mask, [1, k]).initializer('res_offset', bias, [1, k]);
    b.node('Slice', [spec.inputName, 'res_starts', 'res_ends', 'res_axes'], ['res_feature']);
    b.node('Mul', ['res_feature', 'res_mask'], ['res_scaled']);
    b.node('Add', ['res_scaled', 'res_offset'], ['res_base']);
    b.node('Add', [cur, 'res_base'], ['with_residual']);
    cur = 'with_residual';
  }
  const head = HEAD_OP[mlp.loss];
  if (head) {
    b.node(head, [cur], ['head'], head === 'Softmax' ? { axis: -1 } : {});
    cur = 'head';
  }
  if (spec.perRow) {
    b.initializer('out_shape', i64([1, spec.perRow.rows * k]), [2]);
    b.node('Reshape', [cur, 'out_shape'], ['head_flat']);
    cur = 'head_flat';
  }
  if (aux > 0) {
    b.initializer('aux_starts', i64([modelFeatures]), [1]).initializer('aux_ends', i64([modelFeatures + aux]), [1]);
    if (modelFeatures === spec.featureSize) b.initializer('feat_axes', i64([1]), [1]);
    b.node('Slice', [spec.inputName, 'aux_starts', 'aux_ends', 'feat_axes'], ['aux']);
    b.node('Concat', [cur, 'aux'], [spec.outputName], { axis: 1 });
  } else {
    b.node('Identity', [cur], [spec.outputName]);
  }
  b.output(spec.outputName, 'float32', [1, outputSize(spec, mlp)]);
  return b.build({ opset: 17, producer: 'ecu-ai', docString: spec.docString ?? '' });
}

/** Float32 Gemm (+ ReLU for hidden layers). */
export const fp32Layer: LayerWriter = (b, l, L, input, output, last) => {
  b.initializer(`W${l}`, L.weight, [L.outSize, L.inSize]).initializer(`B${l}`, L.bias, [L.outSize]);
  const z = last ? output : `z${l}`;
  b.node('Gemm', [input, `W${l}`, `B${l}`], [z], { transB: 1, alpha: { float: 1 }, beta: { float: 1 } });
  if (!last) b.node('Relu', [z], [output]);
};

/**
 * The fp32 ONNX model of a trained network.
 * @throws OnnxBuildError when the spec and the network's sizes do not fit
 */
export function exportFp32(spec: GraphSpec, mlp: TrainedMlp): Uint8Array {
  return assembleGraph(spec, mlp, foldStandardisation(mlp), fp32Layer);
}

/**
 * What the exported graph computes, in JS, on one feature vector (for tests and calibration):
 * the per-layer inputs and pre-activation outputs are reported to `observe` when given.
 */
export function runGraphJs(
  spec: GraphSpec,
  mlp: TrainedMlp,
  layers: readonly Layer[],
  x: Float32Array,
  observe?: (layer: number, input: Float32Array, preActivation: Float32Array) => void,
  standardise = false,
): Float32Array {
  const modelFeatures = spec.modelFeatures ?? spec.featureSize;
  const aux = spec.auxFeatures ?? 0;
  const rows = spec.perRow?.rows ?? 1;
  const width = spec.perRow?.width ?? modelFeatures;
  const k = mlp.sizes[mlp.sizes.length - 1] as number;
  const out = new Float32Array(rows * k + aux);
  let a = x.subarray(0, rows * width);
  if (standardise) {
    const inv = mlp.std.map((v) => 1 / v);
    a = a.map((v, i) => Math.fround(Math.fround(v - (mlp.mean[i % width] as number)) * (inv[i % width] as number)));
  }
  let inSize = width;
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l] as Layer;
    const z = new Float32Array(rows * L.outSize);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < L.outSize; o++) {
        let s = L.bias[o] as number;
        for (let i = 0; i < inSize; i++) s += (L.weight[o * inSize + i] as number) * (a[r * inSize + i] as number);
        z[r * L.outSize + o] = s;
      }
    }
    observe?.(l, a, z);
    if (l < layers.length - 1) for (let i = 0; i < z.length; i++) if ((z[i] as number) < 0) z[i] = 0;
    a = z;
    inSize = L.outSize;
  }
  if (spec.residual) {
    const res = spec.residual;
    a[res.output] = (a[res.output] as number) + ((x[res.feature] as number) * res.scale + res.offset);
  }
  for (let r = 0; r < rows; r++) {
    // Rows are independent: the head (softmax over K) applies per row.
    const seg = Float32Array.from(a.subarray(r * k, (r + 1) * k));
    out.set(applyHead(mlp.loss, seg), r * k);
  }
  for (let j = 0; j < aux; j++) out[rows * k + j] = x[modelFeatures + j] as number;
  return out;
}
