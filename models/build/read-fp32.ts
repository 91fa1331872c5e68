/**
 * Reads the dense layers back out of an fp32 model this pipeline exported (initializers W0/B0,
 * W1/B1, ...; the standardisation already folded in), so a model folder can be re-quantised
 * without retraining.
 */
import { onnxModelType } from '../../runtime/inference/onnx-schema.js';
import type { Layer, Loss, TrainedMlp } from './mlp-trainer.js';
import { OnnxBuildError } from './onnx/index.js';

interface TensorMsg {
  name?: string;
  dims?: (number | { toNumber(): number })[];
  raw_data?: Uint8Array;
  float_data?: number[];
}

function floats(t: TensorMsg): Float32Array {
  if (t.raw_data && t.raw_data.length > 0) {
    // A fresh copy: the decoder may hand out a view at an odd offset into the file's buffer.
    const copy = new Uint8Array(t.raw_data);
    return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  }
  return Float32Array.from(t.float_data ?? []);
}

const dimsOf = (t: TensorMsg): number[] => (t.dims ?? []).map((d) => (typeof d === 'number' ? d : d.toNumber()));

/**
 * The network of an exported fp32 model (identity standardisation).
 * @throws OnnxBuildError when the file lacks W0/B0 or a layer's shapes do not chain
 */
export function readFp32Mlp(bytes: Uint8Array, source: string): TrainedMlp {
  const type = onnxModelType();
  const model = type.toObject(type.decode(bytes), { defaults: false }) as { graph?: { initializer?: TensorMsg[]; node?: { op_type?: string }[] } };
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  const layers: Layer[] = [];
  for (let l = 0; inits.has(`W${l}`); l++) {
    const w = inits.get(`W${l}`) as TensorMsg;
    const b = inits.get(`B${l}`);
    if (!b) throw new OnnxBuildError(`${source}: initializer B${l} missing beside W${l}`);
    const [outSize, inSize] = dimsOf(w) as [number, number];
    if (layers.length > 0 && (layers[layers.length - 1] as Layer).outSize !== inSize) throw new OnnxBuildError(`${source}: W${l} takes ${inSize} inputs, the layer before gives ${(layers[layers.length - 1] as Layer).outSize}`);
    layers.push({ inSize, outSize, weight: floats(w), bias: floats(b) });
  }
  if (layers.length === 0) throw new OnnxBuildError(`${source}: no dense layers (initializers W0, B0, ...) found`);
  const ops = new Set((model.graph?.node ?? []).map((n) => n.op_type));
  const loss: Loss = ops.has('Softmax') ? 'softmax' : ops.has('Sigmoid') ? 'sigmoid' : 'mse';
  const F = (layers[0] as Layer).inSize;
  return {
    sizes: [F, ...layers.map((L) => L.outSize)],
    loss,
    layers,
    mean: new Float32Array(F),
    std: new Float32Array(F).fill(1),
  };
}
