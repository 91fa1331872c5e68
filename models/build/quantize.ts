/**
 * Post-training static int8 quantisation in QDQ form, as onnxruntime expects it to fuse into
 * integer kernels (QGemm): per layer
 *
 *   x ─Q(s_x,z_x)─DQ─┐
 *   W_int8 ─DQ(axis 0)─ Gemm ─Q(s_z,z_z)─DQ─ Relu ─ (next layer's Q)
 *   B_int32 ─DQ(axis 0)┘
 *
 * Weights: per output channel, symmetric int8 in 7 bits (scale = max|w| / 63, zero point 0; see WEIGHT_QMAX).
 * Bias: int32 at scale s_x · s_w (the integer kernel's accumulator scale).
 * Activations: per tensor, asymmetric uint8, from the min/max seen on calibration data (the
 * range always includes 0 so that zero, and ReLU's floor, are exact). The network input is
 * standardised in float first (Sub, Mul), so features of very different scales share one quantiser.
 */
import { assembleGraph, fp32Layer, runGraphJs, type GraphSpec, type LayerWriter } from './export.js';
import type { Layer, TrainedMlp } from './mlp-trainer.js';

/** A per-tensor asymmetric uint8 quantiser. */
export interface ActivationQuant {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** Per-channel symmetric int8 weights of one layer. */
export interface QuantizedWeights {
  readonly q: Int8Array;
  /** One scale per output channel. */
  readonly scale: Float32Array;
}

const MIN_SCALE = Math.fround(1e-30);

/**
 * Weights use 7 bits (-63..63), not 8. On x86 without VNNI (AVX2 only) onnxruntime multiplies uint8
 * activations by int8 weights with vpmaddubsw, which adds two u8·s8 products into a saturating int16:
 * 255·127·2 overflows it and the int8 model drifts from fp32 (measured: body's MAE gap 0.046 against
 * 0.005 on a VNNI machine), while 255·63·2 fits. This is onnxruntime's own `reduce_range`; ARM and
 * VNNI kernels lose one bit of weight precision by it, and every CPU computes the same numbers.
 */
export const WEIGHT_QMAX = 63;

/**
 * Quantises a [out, in] weight matrix per output channel.
 * Every dequantised weight q·scale lies within scale/2 of the original.
 */
export function quantizeWeights(weight: Float32Array, outSize: number, inSize: number): QuantizedWeights {
  const q = new Int8Array(weight.length);
  const scale = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let max = 0;
    for (let i = 0; i < inSize; i++) max = Math.max(max, Math.abs(weight[o * inSize + i] as number));
    // An all-zero (or vanishingly small) channel still needs a positive, normal float32 scale.
    const s = max > 0 ? Math.max(Math.fround(max / WEIGHT_QMAX), MIN_SCALE) : 1;
    scale[o] = s;
    for (let i = 0; i < inSize; i++) q[o * inSize + i] = Math.max(-WEIGHT_QMAX, Math.min(WEIGHT_QMAX, Math.round((weight[o * inSize + i] as number) / s)));
  }
  return { q, scale };
}

/** uint8 quantiser for values in [min, max] (widened to include 0). */
export function activationQuant(min: number, max: number): ActivationQuant {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  const scale = Math.fround(hi - lo > 1e-8 ? (hi - lo) / 255 : 1 / 255);
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-lo / scale))) };
}

/** Ranges seen per layer: its input and its Gemm output (before ReLU). */
export interface Calibration {
  readonly inputs: readonly ActivationQuant[];
  readonly outputs: readonly ActivationQuant[];
  readonly samples: number;
}

/** The value at quantile `q` (0..1) of `values` (sorted in place). */
function quantile(values: Float32Array, q: number): number {
  values.sort();
  return values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))] as number;
}

/** Values seen at one point of the graph during calibration. */
class Seen {
  #chunks: Float32Array[] = [];
  push(v: Float32Array): void {
    this.#chunks.push(v.slice());
  }
  /** The [1 - keep, keep] quantile range (keep = 1: min and max). */
  range(keep: number): [number, number] {
    const all = new Float32Array(this.#chunks.reduce((a, c) => a + c.length, 0));
    let o = 0;
    for (const c of this.#chunks) {
      all.set(c, o);
      o += c.length;
    }
    if (all.length === 0) return [0, 0];
    return [quantile(all, 1 - keep), quantile(all, keep)];
  }
}

/**
 * Runs the float graph on calibration rows and records the activation ranges. With `keep` below 1
 * each range is the [1 - keep, keep] quantile range instead of min..max: a few extreme values (a
 * faulty cell's resistance, standardised, is hundreds of standard deviations out) would otherwise
 * stretch a per-tensor uint8 step so wide that every ordinary value rounds to the zero point.
 * Values beyond the range saturate, which keeps an extreme input extreme.
 * @throws {RangeError} when no calibration rows are given
 */
export function calibrate(spec: GraphSpec, mlp: TrainedMlp, rows: readonly Float32Array[], keep = 1): Calibration {
  if (rows.length === 0) throw new RangeError('calibration needs at least one feature row');
  const layers = mlp.layers;
  const ins = layers.map(() => new Seen());
  const outs = layers.map(() => new Seen());
  for (const x of rows) {
    runGraphJs(spec, mlp, layers, x, (l, input, pre) => {
      ins[l]?.push(input);
      outs[l]?.push(pre);
    }, true);
  }
  return {
    inputs: layers.map((_, l) => activationQuant(...(ins[l] as Seen).range(keep))),
    outputs: layers.map((_, l) => activationQuant(...(outs[l] as Seen).range(keep))),
    samples: rows.length,
  };
}

/** Per-recipe int8 export choices. */
export interface Int8Options {
  /**
   * Layers (0-based) kept as float Gemms: a recipe whose decision rests on a fine margin (a TTC of
   * 2.4 s against 2.6 s) can keep the layer that reads the raw features, or the one that makes the
   * logit, at full precision while the others run in int8. Default none.
   */
  readonly floatLayers?: readonly number[];
  /**
   * int8 weights (per output channel) with float activations: no activation calibration at all.
   * For a model whose decision flickers when its activations are rounded to 8 bits (a warning that
   * toggles at a near miss counts as several false warnings). Default false: full QDQ.
   */
  readonly weightOnly?: boolean;
}

/** A layer with int8 per-channel weights dequantised in the graph and float activations. */
const weightOnlyLayer: LayerWriter = (b, l, L, input, output, last) => {
  const w = quantizeWeights(L.weight, L.outSize, L.inSize);
  b.initializer(`W${l}_q`, w.q, [L.outSize, L.inSize]).initializer(`W${l}_scale`, w.scale, [L.outSize]).initializer(`W${l}_zp`, new Int8Array(L.outSize), [L.outSize]);
  b.node('DequantizeLinear', [`W${l}_q`, `W${l}_scale`, `W${l}_zp`], [`W${l}_dq`], { axis: 0 });
  b.initializer(`B${l}`, L.bias, [L.outSize]);
  const z = last ? output : `z${l}`;
  b.node('Gemm', [input, `W${l}_dq`, `B${l}`], [z], { transB: 1, alpha: { float: 1 }, beta: { float: 1 } });
  if (!last) b.node('Relu', [z], [output]);
};

function qdqLayer(cal: Calibration, options: Int8Options = {}): LayerWriter {
  const float = new Set(options.floatLayers ?? []);
  return (b, l, L: Layer, input, output, last) => {
    if (float.has(l)) {
      fp32Layer(b, l, L, input, output, last);
      return;
    }
    if (options.weightOnly) {
      weightOnlyLayer(b, l, L, input, output, last);
      return;
    }
    const inQ = cal.inputs[l] as ActivationQuant;
    const outQ = cal.outputs[l] as ActivationQuant;
    const w = quantizeWeights(L.weight, L.outSize, L.inSize);
    const biasScale = new Float32Array(L.outSize);
    const biasQ = new Int32Array(L.outSize);
    for (let o = 0; o < L.outSize; o++) {
      const s = Math.fround(inQ.scale * (w.scale[o] as number));
      biasScale[o] = s;
      biasQ[o] = Math.round((L.bias[o] as number) / s);
    }
    b.initializer(`x${l}_scale`, Float32Array.of(inQ.scale), []).initializer(`x${l}_zp`, Uint8Array.of(inQ.zeroPoint), []);
    b.node('QuantizeLinear', [input, `x${l}_scale`, `x${l}_zp`], [`x${l}_q`]);
    b.node('DequantizeLinear', [`x${l}_q`, `x${l}_scale`, `x${l}_zp`], [`x${l}_dq`]);
    b.initializer(`W${l}_q`, w.q, [L.outSize, L.inSize]).initializer(`W${l}_scale`, w.scale, [L.outSize]).initializer(`W${l}_zp`, new Int8Array(L.outSize), [L.outSize]);
    b.node('DequantizeLinear', [`W${l}_q`, `W${l}_scale`, `W${l}_zp`], [`W${l}_dq`], { axis: 0 });
    b.initializer(`B${l}_q`, biasQ, [L.outSize]).initializer(`B${l}_scale`, biasScale, [L.outSize]).initializer(`B${l}_zp`, new Int32Array(L.outSize), [L.outSize]);
    b.node('DequantizeLinear', [`B${l}_q`, `B${l}_scale`, `B${l}_zp`], [`B${l}_dq`], { axis: 0 });
    b.node('Gemm', [`x${l}_dq`, `W${l}_dq`, `B${l}_dq`], [`z${l}`], { transB: 1, alpha: { float: 1 }, beta: { float: 1 } });
    b.initializer(`z${l}_scale`, Float32Array.of(outQ.scale), []).initializer(`z${l}_zp`, Uint8Array.of(outQ.zeroPoint), []);
    b.node('QuantizeLinear', [`z${l}`, `z${l}_scale`, `z${l}_zp`], [`z${l}_q`]);
    b.node('DequantizeLinear', [`z${l}_q`, `z${l}_scale`, `z${l}_zp`], [last ? output : `z${l}_dq`]);
    if (!last) b.node('Relu', [`z${l}_dq`], [output]);
  };
}

/**
 * The int8 QDQ ONNX model of a trained network, calibrated on `calibration`.
 * @throws {RangeError} without calibration rows or for a float layer the network lacks; OnnxBuildError when the spec does not fit the network
 */
export function exportInt8(spec: GraphSpec, mlp: TrainedMlp, calibration: Calibration, options: Int8Options = {}): Uint8Array {
  for (const l of options.floatLayers ?? []) {
    if (!Number.isInteger(l) || l < 0 || l >= mlp.layers.length) throw new RangeError(`floatLayers: no layer ${l} in a ${mlp.layers.length}-layer network`);
  }
  return assembleGraph(spec, mlp, mlp.layers, qdqLayer(calibration, options), true);
}
