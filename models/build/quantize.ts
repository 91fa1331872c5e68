/**
 * Post-training static int8 quantisation in QDQ form, as onnxruntime expects it to fuse into
 * integer kernels (QGemm): per layer
 *
 *   x ─Q(s_x,z_x)─DQ─┐
 *   W_int8 ─DQ(axis 0)─ Gemm ─Q(s_z,z_z)─DQ─ Relu ─ (next layer's Q)
 *   B_int32 ─DQ(axis 0)┘
 *
 * Weights: per output channel, symmetric int8 (scale = max|w| / 127, zero point 0).
 * Bias: int32 at scale s_x · s_w (the integer kernel's accumulator scale).
 * Activations: per tensor, asymmetric uint8, from the min/max seen on calibration data (the
 * range always includes 0 so that zero, and ReLU's floor, are exact). The network input is
 * standardised in float first (Sub, Mul), so features of very different scales share one quantiser.
 */
import { assembleGraph, runGraphJs, type GraphSpec, type LayerWriter } from './export.js';
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
    const s = max > 0 ? Math.max(Math.fround(max / 127), MIN_SCALE) : 1;
    scale[o] = s;
    for (let i = 0; i < inSize; i++) q[o * inSize + i] = Math.max(-127, Math.min(127, Math.round((weight[o * inSize + i] as number) / s)));
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

/**
 * Runs the float graph on calibration rows and records the activation ranges.
 * @throws {RangeError} when no calibration rows are given
 */
export function calibrate(spec: GraphSpec, mlp: TrainedMlp, rows: readonly Float32Array[]): Calibration {
  if (rows.length === 0) throw new RangeError('calibration needs at least one feature row');
  const layers = mlp.layers;
  const inMin = layers.map(() => Infinity);
  const inMax = layers.map(() => -Infinity);
  const outMin = layers.map(() => Infinity);
  const outMax = layers.map(() => -Infinity);
  for (const x of rows) {
    runGraphJs(spec, mlp, layers, x, (l, input, pre) => {
      for (const v of input) {
        if (v < (inMin[l] as number)) inMin[l] = v;
        if (v > (inMax[l] as number)) inMax[l] = v;
      }
      for (const v of pre) {
        if (v < (outMin[l] as number)) outMin[l] = v;
        if (v > (outMax[l] as number)) outMax[l] = v;
      }
    }, true);
  }
  return {
    inputs: layers.map((_, l) => activationQuant(inMin[l] as number, inMax[l] as number)),
    outputs: layers.map((_, l) => activationQuant(outMin[l] as number, outMax[l] as number)),
    samples: rows.length,
  };
}

function qdqLayer(cal: Calibration): LayerWriter {
  return (b, l, L: Layer, input, output, last) => {
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
 * @throws {RangeError} without calibration rows; OnnxBuildError when the spec does not fit the network
 */
export function exportInt8(spec: GraphSpec, mlp: TrainedMlp, calibration: Calibration): Uint8Array {
  return assembleGraph(spec, mlp, mlp.layers, qdqLayer(calibration), true);
}
