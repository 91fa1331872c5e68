/**
 * A dense MLP (Gemm + activation per layer) written with the builder: the shape of most domain
 * models, and the fixture the inference tests and benchmarks run.
 */
import { OnnxGraphBuilder } from './builder.js';
import { OnnxBuildError } from './errors.js';

/** One dense layer: y = x · Wᵀ + b, W stored [out, in] (Gemm transB=1, as exporters write it). */
export interface DenseLayer {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly inSize: number;
  readonly outSize: number;
}

export interface MlpSpec {
  /** Layer widths, input first: [32, 64, 64, 4]. */
  readonly sizes: readonly number[];
  /** Hidden activation. */
  readonly activation?: 'Relu' | 'Tanh' | 'Sigmoid';
  /** Applied to the last layer's output. */
  readonly head?: 'Softmax' | 'Sigmoid' | 'none';
  /** Batch dimension: a fixed size, or -1/a name for dynamic. */
  readonly batch?: number | string;
  /** Seed of the deterministic weights. */
  readonly seed?: number;
  readonly inputName?: string;
  readonly outputName?: string;
  readonly graphName?: string;
}

export interface BuiltMlp {
  readonly bytes: Uint8Array;
  readonly layers: readonly DenseLayer[];
}

/** xorshift32 in [-0.5, 0.5): reproducible weights without a dependency. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32 - 0.5;
  };
}

/**
 * Builds the MLP and returns its bytes with the weights it used.
 * @throws OnnxBuildError when fewer than two sizes are given or a size is not a positive integer
 */
export function buildMlp(spec: MlpSpec): BuiltMlp {
  const sizes = spec.sizes;
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new OnnxBuildError(`MLP sizes [${sizes.join(',')}]: need two or more positive integers`);
  }
  const next = rng(spec.seed ?? 1);
  const input = spec.inputName ?? 'x';
  const output = spec.outputName ?? 'y';
  const batch = spec.batch ?? -1;
  const b = new OnnxGraphBuilder(spec.graphName ?? 'mlp').input(input, 'float32', [batch, sizes[0] ?? 0]);
  const layers: DenseLayer[] = [];
  let cur = input;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l] ?? 0;
    const outSize = sizes[l + 1] ?? 0;
    const weight = Float32Array.from({ length: inSize * outSize }, () => next() / Math.sqrt(inSize) * 2);
    const bias = Float32Array.from({ length: outSize }, () => next() * 0.2);
    layers.push({ weight, bias, inSize, outSize });
    b.initializer(`W${l}`, weight, [outSize, inSize]).initializer(`B${l}`, bias, [outSize]);
    const last = l + 2 === sizes.length;
    const gemmOut = last && (spec.head ?? 'none') === 'none' ? output : `h${l}`;
    b.node('Gemm', [cur, `W${l}`, `B${l}`], [gemmOut], { transB: 1, alpha: { float: 1 }, beta: { float: 1 } });
    cur = gemmOut;
    if (!last) {
      b.node(spec.activation ?? 'Relu', [cur], [`a${l}`]);
      cur = `a${l}`;
    } else if ((spec.head ?? 'none') !== 'none') {
      b.node(spec.head ?? 'Softmax', [cur], [output], spec.head === 'Softmax' ? { axis: -1 } : {});
    }
  }
  b.output(output, 'float32', [batch, sizes[sizes.length - 1] ?? 0]);
  return { bytes: b.build({ opset: 17, producer: 'ecu-ai' }), layers };
}
