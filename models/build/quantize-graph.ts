/**
 * Static int8 quantisation of a float model made anywhere (PyTorch, Keras, by hand), in the QDQ form
 * onnxruntime fuses into integer kernels. Every MatMul and Gemm whose weight is a 2-D float
 * initializer gets
 *
 *   A ─Q(s_a,z_a)─DQ─┐
 *   W_int8 ─DQ(per output channel)─ MatMul/Gemm ─ (rest of the graph unchanged)
 *
 * with the activation's uint8 range from the minimum and maximum it takes on calibration rows (run
 * through the fp32 model with those activations exposed as extra outputs) and the weights symmetric
 * int8 per output channel in 7 bits (`quantizeWeights`, WEIGHT_QMAX). Every other op stays float.
 * The model is rewritten through the project's ONNX schema subset; a model using fields outside it
 * (external data, functions, training info) is refused rather than silently changed.
 */
import { ONNX_ELEM_TYPE, onnxModelType } from '../../runtime/inference/onnx-schema.js';
import { OnnxBuildError } from './onnx/index.js';
import { loadOrt } from './ort.js';
import { activationQuant, quantizeWeights, type ActivationQuant } from './quantize.js';

interface Tensor {
  name?: string;
  dims?: (string | number)[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
}
interface Attr {
  name?: string;
  i?: string | number;
}
interface Node {
  name?: string;
  op_type?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: Attr[];
}
interface Graph {
  node?: Node[];
  initializer?: Tensor[];
  input?: { name?: string }[];
  output?: { name?: string; type?: unknown }[];
}
interface Model {
  opset_import?: { domain?: string; version?: string | number }[];
  graph?: Graph;
  producer_name?: string;
}

export interface GraphQuantization {
  readonly bytes: Uint8Array;
  /** MatMul and Gemm nodes quantised. */
  readonly nodes: number;
  readonly calibrationRows: number;
}

const FLOAT = ONNX_ELEM_TYPE.float32;

function decode(bytes: Uint8Array): Model {
  const type = onnxModelType();
  return type.toObject(type.decode(bytes), { longs: String, defaults: false, arrays: true }) as Model;
}

function encode(model: Model): Uint8Array {
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

function floats(t: Tensor): Float32Array {
  if (t.raw_data && t.raw_data.length > 0) {
    const copy = new Uint8Array(t.raw_data);
    return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  }
  return Float32Array.from(t.float_data ?? []);
}

const raw = (a: Float32Array | Int8Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();

/** One MatMul or Gemm to quantise: its activation input, its weight and the weight's output-channel axis. */
interface Target {
  readonly node: Node;
  readonly activation: string;
  readonly weight: Tensor;
  /** 0: W is [N, K] (Gemm transB=1); 1: W is [K, N]. */
  readonly axis: 0 | 1;
}

function targetsOf(graph: Graph): Target[] {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const out: Target[] = [];
  for (const node of graph.node ?? []) {
    if ((node.domain ?? '') !== '' || (node.op_type !== 'MatMul' && node.op_type !== 'Gemm')) continue;
    const [a, w] = node.input ?? [];
    const weight = w === undefined ? undefined : inits.get(w);
    if (a === undefined || inits.has(a) || weight === undefined || weight.data_type !== FLOAT || weight.dims?.length !== 2) continue;
    const attr = (n: string): number => Number(node.attribute?.find((x) => x.name === n)?.i ?? 0);
    // Gemm's transA would make the activation's channels its rows: left float.
    if (node.op_type === 'Gemm' && attr('transA') !== 0) continue;
    out.push({ node, activation: a, weight, axis: node.op_type === 'Gemm' && attr('transB') !== 0 ? 0 : 1 });
  }
  return out;
}

/**
 * Each activation's range over the rows, from the fp32 model with those activations as extra outputs.
 * @throws Error from onnxruntime when the model does not run on [1, featureSize] rows
 */
async function activationRanges(model: Model, names: readonly string[], rows: readonly Float32Array[], featureSize: number): Promise<Map<string, ActivationQuant>> {
  const graph = model.graph as Graph;
  const inputNames = new Set((graph.input ?? []).map((i) => i.name));
  const exposed = names.filter((n) => !inputNames.has(n) && !(graph.output ?? []).some((o) => o.name === n));
  const probe: Model = { ...model, graph: { ...graph, output: [...(graph.output ?? []), ...exposed.map((name) => ({ name, type: { tensor_type: { elem_type: FLOAT } } }))] } };
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(encode(probe), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  const lo = new Map(names.map((n) => [n, Infinity]));
  const hi = new Map(names.map((n) => [n, -Infinity]));
  try {
    const inputName = session.inputNames[0] as string;
    for (const x of rows) {
      const feeds = { [inputName]: new ort.Tensor('float32', x, [1, featureSize]) };
      const got = await session.run(feeds);
      for (const n of names) {
        const data = (inputNames.has(n) ? x : (got[n]?.data as Float32Array | undefined)) ?? new Float32Array(0);
        let a = lo.get(n) as number;
        let b = hi.get(n) as number;
        for (const v of data) {
          if (v < a) a = v;
          if (v > b) b = v;
        }
        lo.set(n, a);
        hi.set(n, b);
      }
    }
  } finally {
    await session.release();
  }
  return new Map(names.map((n) => [n, activationQuant(Number.isFinite(lo.get(n)) ? (lo.get(n) as number) : 0, Number.isFinite(hi.get(n)) ? (hi.get(n) as number) : 0)]));
}

/** A [rows, cols] matrix transposed. */
function transpose(m: Float32Array | Int8Array, rows: number, cols: number): Float32Array | Int8Array {
  const t = m instanceof Float32Array ? new Float32Array(m.length) : new Int8Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c] as number;
  return t;
}

/**
 * Quantises every MatMul and Gemm with a constant float weight, calibrated on `rows`.
 * @param source names the model file in errors
 * @throws {OnnxBuildError} for a model using ONNX fields the rewrite would drop, or with nothing to quantise
 */
export async function quantizeGraph(bytes: Uint8Array, source: string, rows: readonly Float32Array[], featureSize: number): Promise<GraphQuantization> {
  const model = decode(bytes);
  if (encode(model).length !== bytes.length) {
    throw new OnnxBuildError(`${source}: uses ONNX fields ecu-ai does not rewrite (external data, functions or training info); quantise it with onnxruntime.quantization.quantize_static and list the file as variants.int8`);
  }
  const graph = model.graph ?? {};
  const targets = targetsOf(graph);
  if (targets.length === 0) throw new OnnxBuildError(`${source}: no MatMul or Gemm with a constant 2-D float weight to quantise`);
  const opset = Number((model.opset_import ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')?.version ?? 0);
  // Per-channel DequantizeLinear (its axis attribute) came with opset 13; before it, one scale per weight.
  const perChannel = opset >= 13;
  const ranges = await activationRanges(model, [...new Set(targets.map((t) => t.activation))], rows, featureSize);
  const inits = [...(graph.initializer ?? [])];
  const nodes: Node[] = [];
  const quantised = new Map<string, string>();
  const byNode = new Map(targets.map((t) => [t.node, t]));
  let k = 0;
  for (const node of graph.node ?? []) {
    const t = byNode.get(node);
    if (t === undefined) {
      nodes.push(node);
      continue;
    }
    const id = `ecu_q${k++}`;
    let a = quantised.get(t.activation);
    if (a === undefined) {
      const q = ranges.get(t.activation) as ActivationQuant;
      inits.push({ name: `${id}_a_scale`, dims: [], data_type: FLOAT, raw_data: raw(Float32Array.of(q.scale)) });
      inits.push({ name: `${id}_a_zp`, dims: [], data_type: ONNX_ELEM_TYPE.uint8, raw_data: Uint8Array.of(q.zeroPoint) });
      nodes.push({ name: `${id}_a_q`, op_type: 'QuantizeLinear', input: [t.activation, `${id}_a_scale`, `${id}_a_zp`], output: [`${id}_a_u8`] });
      nodes.push({ name: `${id}_a_dq`, op_type: 'DequantizeLinear', input: [`${id}_a_u8`, `${id}_a_scale`, `${id}_a_zp`], output: [`${id}_a`] });
      a = `${id}_a`;
      quantised.set(t.activation, a);
    }
    const [d0, d1] = (t.weight.dims ?? []).map(Number) as [number, number];
    // quantizeWeights takes [out, in]: a [K, N] weight (axis 1) is transposed there and back.
    const w = floats(t.weight);
    const [outSize, inSize] = t.axis === 0 ? [d0, d1] : [d1, d0];
    const qw = perChannel ? quantizeWeights(t.axis === 0 ? w : (transpose(w, d0, d1) as Float32Array), outSize, inSize) : quantizeWeights(w, 1, w.length);
    const scale = qw.scale;
    const stored = perChannel && t.axis === 1 ? (transpose(qw.q, outSize, inSize) as Int8Array) : qw.q;
    inits.push({ name: `${id}_w_q`, dims: [d0, d1], data_type: ONNX_ELEM_TYPE.int8, raw_data: raw(stored) });
    inits.push({ name: `${id}_w_scale`, dims: perChannel ? [outSize] : [], data_type: FLOAT, raw_data: raw(scale) });
    inits.push({ name: `${id}_w_zp`, dims: perChannel ? [outSize] : [], data_type: ONNX_ELEM_TYPE.int8, raw_data: raw(new Int8Array(scale.length)) });
    const axisAttr = perChannel ? [{ name: 'axis', type: 2, i: String(t.axis) }] : [];
    nodes.push({ name: `${id}_w_dq`, op_type: 'DequantizeLinear', input: [`${id}_w_q`, `${id}_w_scale`, `${id}_w_zp`], output: [`${id}_w`], attribute: axisAttr });
    nodes.push({ ...node, input: [a, `${id}_w`, ...(node.input ?? []).slice(2)] });
  }
  // Float weights no node reads any more are dropped: the int8 file is the smaller one.
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  // A graph output or (before IR 4) a graph input may name an initializer too: those stay.
  const named = new Set([...(graph.output ?? []), ...(graph.input ?? [])].map((o) => o.name));
  const kept = inits.filter((t) => used.has(t.name ?? '') || named.has(t.name ?? ''));
  const out = encode({ ...model, graph: { ...graph, node: nodes, initializer: kept } });
  return { bytes: out, nodes: targets.length, calibrationRows: rows.length };
}
