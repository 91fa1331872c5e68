/**
 * Tensors as they cross the inference API: a typed array plus dims. Checking feeds against the
 * manifest happens here, once, before anything reaches a worker or onnxruntime.
 */
import { InferenceError } from '../errors.js';
import type { TensorSpec } from './manifest.js';
import type { TensorDtype } from './onnx-schema.js';
import { isDynamicDim } from './dims.js';
import type { TensorArray, TensorData } from '../../wire/tensor.js';

export type { Outputs, TensorArray, TensorData, TensorMap } from '../../wire/tensor.js';

/** A feed: a bare array (dims inferred from the manifest when one dimension is dynamic) or a tensor. */
export type Feed = TensorArray | TensorData;
export type Feeds = Readonly<Record<string, Feed>>;

/** The dtype a typed array carries; `bool` tensors travel as Uint8Array and are told apart by the manifest. */
export function dtypeOfArray(a: TensorArray, expected?: string): TensorDtype {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return expected === 'bool' ? 'bool' : 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  return 'int64';
}

/** A zero tensor of the declared type, dynamic dims set to 1: the warm-up feed. */
export function zeroTensor(spec: TensorSpec): TensorData {
  const dims = spec.shape.map((d) => (isDynamicDim(d) ? 1 : Number(d)));
  const n = dims.reduce((a, b) => a * b, 1);
  const ctor = {
    float32: Float32Array,
    float64: Float64Array,
    int8: Int8Array,
    uint8: Uint8Array,
    bool: Uint8Array,
    int16: Int16Array,
    uint16: Uint16Array,
    int32: Int32Array,
    int64: BigInt64Array,
  }[spec.dtype];
  return { data: new ctor(n), dims };
}

function isTensorData(f: Feed): f is TensorData {
  return !ArrayBuffer.isView(f);
}

function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.map((d) => (typeof d === 'string' ? -1 : d)).join(',')}]`;
}

/**
 * Checks feeds against the declared inputs and gives every feed explicit dims.
 * @throws InferenceError `INFERENCE_INPUT` naming the input: missing, unexpected, dtype, shape, length, NaN/Inf
 */
export function checkFeeds(domain: string, inputs: readonly TensorSpec[], feeds: Feeds): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const name of Object.keys(feeds)) {
    if (!inputs.some((i) => i.name === name)) {
      throw new InferenceError('INFERENCE_INPUT', domain, `input "${name}" is not an input of the model (${inputs.map((i) => i.name).join(', ')})`);
    }
  }
  for (const spec of inputs) {
    const feed = feeds[spec.name];
    if (feed === undefined) throw new InferenceError('INFERENCE_INPUT', domain, `input "${spec.name}" is missing`);
    const data = isTensorData(feed) ? feed.data : feed;
    const dtype = dtypeOfArray(data, spec.dtype);
    if (dtype !== spec.dtype) throw new InferenceError('INFERENCE_INPUT', domain, `input "${spec.name}" dtype ${dtype} expected ${spec.dtype}`);
    const dims = isTensorData(feed) ? [...feed.dims] : inferDims(domain, spec, data.length);
    const fits = dims.length === spec.shape.length && spec.shape.every((d, k) => isDynamicDim(d) || d === dims[k]);
    if (!fits || dims.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InferenceError('INFERENCE_INPUT', domain, `input "${spec.name}" shape [${dims.join(',')}] expected ${shapeText(spec.shape)}`);
    }
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new InferenceError('INFERENCE_INPUT', domain, `input "${spec.name}" shape [${dims.join(',')}] holds ${count} values, data has ${data.length}`);
    }
    if (data instanceof Float32Array || data instanceof Float64Array) {
      for (let k = 0; k < data.length; k++) {
        // A NaN would propagate silently through the model into a vehicle decision.
        if (!Number.isFinite(data[k])) throw new InferenceError('INFERENCE_INPUT', domain, `input "${spec.name}" has ${data[k]} at index ${k}`);
      }
    }
    out[spec.name] = { data, dims };
  }
  return out;
}

function inferDims(domain: string, spec: TensorSpec, length: number): number[] {
  const dynamic = spec.shape.filter(isDynamicDim).length;
  const fixed = spec.shape.reduce<number>((a, d) => (isDynamicDim(d) ? a : a * Number(d)), 1);
  if (dynamic > 1 || fixed === 0 || length % fixed !== 0) {
    throw new InferenceError('INFERENCE_INPUT', domain, `input "${spec.name}" has ${length} values, which do not fit ${shapeText(spec.shape)}; pass { data, dims }`);
  }
  return spec.shape.map((d) => (isDynamicDim(d) ? length / fixed : Number(d)));
}
