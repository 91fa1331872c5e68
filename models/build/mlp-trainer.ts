/**
 * A small deterministic MLP trainer: Float32Array weights, ReLU hidden layers, softmax
 * cross-entropy, sigmoid binary cross-entropy or mean squared error, per-sample weights (class
 * weighting), Adam, seeded He initialisation and seeded mini-batch order. Inputs are standardised
 * with the training set's mean and spread; the export folds that into the first layer.
 * Single-threaded and in a fixed order, so one seed gives the same bytes every time.
 */
import { Prng } from './prng.js';

export type Loss = 'softmax' | 'sigmoid' | 'mse';

/** One dense layer, W stored [out, in] as Gemm with transB=1 reads it. */
export interface Layer {
  readonly inSize: number;
  readonly outSize: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export interface TrainedMlp {
  readonly sizes: readonly number[];
  readonly loss: Loss;
  readonly layers: readonly Layer[];
  /** Standardisation applied before the first layer: (x - mean) / std. */
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

export interface TrainSpec {
  /** Widths, input first: [F, 32, 16, K]. */
  readonly sizes: readonly number[];
  readonly loss: Loss;
  readonly epochs: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** L2 weight decay (added to the gradient). */
  readonly l2?: number;
  readonly seed: number;
}

export interface TrainData {
  /** Row-major [rows, F]. */
  readonly x: Float32Array;
  /** Row-major [rows, K]: one-hot for softmax, 0/1 for sigmoid, values for mse. */
  readonly y: Float32Array;
  readonly rows: number;
  /** Per-row loss weight (default 1). */
  readonly weight?: Float32Array;
}

/** Progress per epoch: mean weighted loss. */
export type EpochHook = (epoch: number, loss: number) => void;

/**
 * Trains an MLP.
 * @throws {RangeError} when sizes, data shapes or hyper-parameters do not fit together
 */
export function trainMlp(data: TrainData, spec: TrainSpec, onEpoch?: EpochHook): TrainedMlp {
  const sizes = spec.sizes;
  const F = sizes[0] ?? 0;
  const K = sizes[sizes.length - 1] ?? 0;
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`sizes [${sizes.join(',')}]: need 2+ positive integers`);
  if (data.x.length !== data.rows * F) throw new RangeError(`x has ${data.x.length} values, expected rows ${data.rows} x ${F}`);
  if (data.y.length !== data.rows * K) throw new RangeError(`y has ${data.y.length} values, expected rows ${data.rows} x ${K}`);
  if (data.rows === 0) throw new RangeError('no training rows');
  if (!(spec.epochs >= 1)) throw new RangeError(`epochs must be >= 1, got ${spec.epochs}`);
  const rng = new Prng(spec.seed);
  const { mean, std } = standardiser(data.x, data.rows, F);
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l] as number;
    const outSize = sizes[l + 1] as number;
    const limit = Math.sqrt(6 / inSize);
    const weight = new Float32Array(inSize * outSize);
    for (let i = 0; i < weight.length; i++) weight[i] = (rng.next() * 2 - 1) * limit * (l + 2 === sizes.length ? 0.5 : 1);
    layers.push({ inSize, outSize, weight, bias: new Float32Array(outSize) });
  }
  const batch = Math.max(1, Math.min(spec.batchSize ?? 64, data.rows));
  const lr = spec.learningRate ?? 0.003;
  const l2 = spec.l2 ?? 1e-5;
  const adam = layers.map((L) => ({
    mw: new Float32Array(L.weight.length), vw: new Float32Array(L.weight.length), mb: new Float32Array(L.bias.length), vb: new Float32Array(L.bias.length),
    gw: new Float32Array(L.weight.length), gb: new Float32Array(L.bias.length),
  }));
  // Activations per layer for one batch: acts[0] is the standardised input.
  const acts = sizes.map((s) => new Float32Array(batch * s));
  const deltas = sizes.map((s) => new Float32Array(batch * s));
  const order = Int32Array.from({ length: data.rows }, (_, i) => i);
  let step = 0;
  const b1 = 0.9;
  const b2 = 0.999;
  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    let weightSum = 0;
    for (let start = 0; start < data.rows; start += batch) {
      const n = Math.min(batch, data.rows - start);
      const a0 = acts[0] as Float32Array;
      for (let r = 0; r < n; r++) {
        const src = (order[start + r] as number) * F;
        for (let i = 0; i < F; i++) a0[r * F + i] = ((data.x[src + i] as number) - (mean[i] as number)) / (std[i] as number);
      }
      forward(layers, acts, n);
      // Output delta = dLoss/dz for the head (softmax/sigmoid with cross-entropy, or identity with MSE).
      const out = acts[acts.length - 1] as Float32Array;
      const dOut = deltas[deltas.length - 1] as Float32Array;
      let bw = 0;
      for (let r = 0; r < n; r++) {
        const row = order[start + r] as number;
        const wgt = data.weight ? (data.weight[row] as number) : 1;
        bw += wgt;
        lossSum += wgt * headLoss(spec.loss, out, r * K, data.y, row * K, K, dOut, wgt);
      }
      weightSum += bw;
      const scale = 1 / Math.max(bw, 1e-9);
      for (let i = 0; i < n * K; i++) dOut[i] = (dOut[i] as number) * scale;
      backward(layers, acts, deltas, adam, n);
      step++;
      const c1 = 1 / (1 - b1 ** step);
      const c2 = 1 / (1 - b2 ** step);
      layers.forEach((L, li) => {
        const s = adam[li] as (typeof adam)[number];
        adamUpdate(L.weight, s.gw, s.mw, s.vw, lr, c1, c2, l2);
        adamUpdate(L.bias, s.gb, s.mb, s.vb, lr, c1, c2, 0);
      });
    }
    onEpoch?.(epoch, lossSum / Math.max(weightSum, 1e-9));
  }
  return { sizes: [...sizes], loss: spec.loss, layers, mean, std };
}

function standardiser(x: Float32Array, rows: number, F: number): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(F);
  const std = new Float32Array(F);
  const m = new Float64Array(F);
  const m2 = new Float64Array(F);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < F; i++) {
      const v = x[r * F + i] as number;
      m[i] = (m[i] as number) + v;
      m2[i] = (m2[i] as number) + v * v;
    }
  }
  for (let i = 0; i < F; i++) {
    const mu = (m[i] as number) / rows;
    const sd = Math.sqrt(Math.max(0, (m2[i] as number) / rows - mu * mu));
    mean[i] = mu;
    // A constant feature keeps scale 1: dividing by ~0 would blow up the folded first layer.
    std[i] = sd > 1e-4 ? sd : 1;
  }
  return { mean, std };
}

function forward(layers: readonly Layer[], acts: Float32Array[], n: number): void {
  const last = layers.length - 1;
  layers.forEach((L, l) => {
    const a = acts[l] as Float32Array;
    const z = acts[l + 1] as Float32Array;
    const W = L.weight;
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < L.outSize; o++) {
        let s = L.bias[o] as number;
        const wo = o * L.inSize;
        const ar = r * L.inSize;
        for (let i = 0; i < L.inSize; i++) s += (W[wo + i] as number) * (a[ar + i] as number);
        z[r * L.outSize + o] = l < last && s < 0 ? 0 : s;
      }
    }
  });
}

/** Applies the head to the logits in `out[o..o+K)` (in place), writes dLoss/dz to `d`, returns the unweighted loss. */
function headLoss(loss: Loss, out: Float32Array, o: number, y: Float32Array, yo: number, K: number, d: Float32Array, wgt: number): number {
  let l = 0;
  if (loss === 'softmax') {
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, out[o + k] as number);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp((out[o + k] as number) - max);
    for (let k = 0; k < K; k++) {
      const p = Math.exp((out[o + k] as number) - max) / sum;
      const t = y[yo + k] as number;
      if (t > 0) l -= t * Math.log(Math.max(p, 1e-12));
      d[o + k] = wgt * (p - t);
    }
  } else if (loss === 'sigmoid') {
    for (let k = 0; k < K; k++) {
      const z = out[o + k] as number;
      const p = 1 / (1 + Math.exp(-z));
      const t = y[yo + k] as number;
      l -= t * Math.log(Math.max(p, 1e-12)) + (1 - t) * Math.log(Math.max(1 - p, 1e-12));
      d[o + k] = wgt * (p - t);
    }
  } else {
    for (let k = 0; k < K; k++) {
      const e = (out[o + k] as number) - (y[yo + k] as number);
      l += e * e;
      d[o + k] = wgt * 2 * e;
    }
  }
  return l;
}

function backward(layers: readonly Layer[], acts: Float32Array[], deltas: Float32Array[], grads: { gw: Float32Array; gb: Float32Array }[], n: number): void {
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l] as Layer;
    const a = acts[l] as Float32Array;
    const d = deltas[l + 1] as Float32Array;
    const g = grads[l] as { gw: Float32Array; gb: Float32Array };
    g.gw.fill(0);
    g.gb.fill(0);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < L.outSize; o++) {
        const dv = d[r * L.outSize + o] as number;
        if (dv === 0) continue;
        g.gb[o] = (g.gb[o] as number) + dv;
        const wo = o * L.inSize;
        const ar = r * L.inSize;
        for (let i = 0; i < L.inSize; i++) g.gw[wo + i] = (g.gw[wo + i] as number) + dv * (a[ar + i] as number);
      }
    }
    if (l === 0) break;
    const dPrev = deltas[l] as Float32Array;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < L.inSize; i++) {
        // ReLU derivative: the hidden activation is zero where the unit was off.
        if ((a[r * L.inSize + i] as number) <= 0) {
          dPrev[r * L.inSize + i] = 0;
          continue;
        }
        let s = 0;
        for (let o = 0; o < L.outSize; o++) s += (L.weight[o * L.inSize + i] as number) * (d[r * L.outSize + o] as number);
        dPrev[r * L.inSize + i] = s;
      }
    }
  }
}

function adamUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, c1: number, c2: number, l2: number): void {
  for (let i = 0; i < p.length; i++) {
    const gi = (g[i] as number) + l2 * (p[i] as number);
    const mi = 0.9 * (m[i] as number) + 0.1 * gi;
    const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = (p[i] as number) - (lr * mi * c1) / (Math.sqrt(vi * c2) + 1e-8);
  }
}

/**
 * Runs the trained network on one raw (unstandardised) row; returns the head's output (softmax
 * probabilities, sigmoid probabilities, or values).
 */
export function predictMlp(model: TrainedMlp, row: Float32Array): Float32Array {
  const F = model.sizes[0] as number;
  let a = new Float32Array(F);
  for (let i = 0; i < F; i++) a[i] = ((row[i] as number) - (model.mean[i] as number)) / (model.std[i] as number);
  const last = model.layers.length - 1;
  model.layers.forEach((L, l) => {
    const z = new Float32Array(L.outSize);
    for (let o = 0; o < L.outSize; o++) {
      let s = L.bias[o] as number;
      for (let i = 0; i < L.inSize; i++) s += (L.weight[o * L.inSize + i] as number) * (a[i] as number);
      z[o] = l < last && s < 0 ? 0 : s;
    }
    a = z;
  });
  return applyHead(model.loss, a);
}

/** Softmax, sigmoid or identity, in place. */
export function applyHead(loss: Loss, z: Float32Array): Float32Array {
  if (loss === 'softmax') {
    let max = -Infinity;
    for (const v of z) max = Math.max(max, v);
    let sum = 0;
    for (let k = 0; k < z.length; k++) sum += Math.exp((z[k] as number) - max);
    for (let k = 0; k < z.length; k++) z[k] = Math.exp((z[k] as number) - max) / sum;
  } else if (loss === 'sigmoid') {
    for (let k = 0; k < z.length; k++) z[k] = 1 / (1 + Math.exp(-(z[k] as number)));
  }
  return z;
}
