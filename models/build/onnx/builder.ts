/**
 * A minimal ONNX graph builder: inputs, initializers, nodes and outputs in, `.onnx` bytes out.
 * Enough for MLPs and int8 QDQ graphs (Gemm, MatMul, Add, Relu, Sigmoid, Softmax, Tanh,
 * QuantizeLinear, DequantizeLinear, Concat, Reshape, Identity); any op is written as given,
 * onnx's checker and onnxruntime judge its semantics.
 */
import { ONNX_ELEM_TYPE, ONNX_IR_VERSION, onnxModelType, type TensorDtype } from '../../../runtime/inference/onnx-schema.js';
import type { Dim } from '../../../runtime/inference/model-io.js';
import { OnnxBuildError } from './errors.js';

/** Typed arrays accepted as initializer data; the dtype follows from the array type. */
export type InitializerData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | BigInt64Array;

/**
 * A node attribute. A plain number is an INT (ONNX keeps ints and floats apart: `alpha: 1` would be
 * rejected by Gemm), so floats are spelled `{ float: 0.5 }`; `number[]` is INTS.
 */
export type AttrValue = number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] };

/** Options of {@link OnnxGraphBuilder.build}. */
export interface BuildOptions {
  /** Default-domain opset; 17 is the newest onnx 1.12 checks. */
  readonly opset?: number;
  readonly producer?: string;
  readonly producerVersion?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
}

const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

interface ValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
}

function dtypeOf(data: InitializerData): TensorDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  return 'int64';
}

function valueInfo(name: string, dtype: TensorDtype, shape: readonly Dim[]): ValueInfo {
  const dim = shape.map((d, i) => {
    if (typeof d === 'string') return { dim_param: d };
    if (d < 0) return { dim_param: `${name}_dim${i}` };
    if (!Number.isInteger(d)) throw new OnnxBuildError(`value "${name}": dimension ${i} is ${d}, not an integer`);
    return { dim_value: d };
  });
  return { name, type: { tensor_type: { elem_type: ONNX_ELEM_TYPE[dtype], shape: { dim } } } };
}

function encodeAttr(node: string, name: string, v: AttrValue): Record<string, unknown> {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new OnnxBuildError(`node "${node}" attribute "${name}": ${v} is not an int; write { float: ${v} }`);
    return { name, type: ATTR_TYPE.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    const ints = v as readonly number[];
    const bad = ints.find((x) => !Number.isInteger(x));
    if (bad !== undefined) throw new OnnxBuildError(`node "${node}" attribute "${name}": ${bad} is not an int; write { floats: [...] }`);
    return { name, type: ATTR_TYPE.INTS, ints: [...ints] };
  }
  if ('float' in v) return { name, type: ATTR_TYPE.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: ATTR_TYPE.FLOATS, floats: [...v.floats] };
  throw new OnnxBuildError(`node "${node}" attribute "${name}": unsupported value`);
}

/** Builds one ONNX graph; every call checks names so a broken graph fails here, naming the culprit. */
export class OnnxGraphBuilder {
  readonly #name: string;
  readonly #inputs: ValueInfo[] = [];
  readonly #outputs: ValueInfo[] = [];
  readonly #initializers: Record<string, unknown>[] = [];
  readonly #nodes: Record<string, unknown>[] = [];
  /** Every value name defined so far (inputs, initializers, node outputs). */
  readonly #defined = new Set<string>();

  constructor(name: string) {
    this.#name = name;
  }

  #define(name: string, what: string): void {
    if (name === '') throw new OnnxBuildError(`${what}: empty name`);
    if (this.#defined.has(name)) throw new OnnxBuildError(`${what} "${name}": name already defined`);
    this.#defined.add(name);
  }

  /**
   * Declares a graph input; a negative dimension or a string is dynamic (symbolic).
   * @throws OnnxBuildError on a duplicate name or a non-integer dimension
   */
  input(name: string, dtype: TensorDtype, shape: readonly Dim[]): this {
    this.#define(name, 'input');
    this.#inputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  /**
   * Adds a constant tensor, stored as little-endian raw_data; `dims` [] is a scalar.
   * @throws OnnxBuildError when the dims' product differs from the data length, or on a duplicate name
   */
  initializer(name: string, data: InitializerData, dims: readonly number[]): this {
    const count = dims.reduce((a, b) => a * b, 1);
    if (dims.some((d) => !Number.isInteger(d) || d < 0) || count !== data.length) {
      throw new OnnxBuildError(`initializer "${name}": dims [${dims.join(',')}] hold ${count} values, data has ${data.length}`);
    }
    this.#define(name, 'initializer');
    // Copy: raw_data must be exactly the tensor's bytes even when `data` views a larger buffer.
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.#initializers.push({ name, dims: [...dims], data_type: ONNX_ELEM_TYPE[dtypeOf(data)], raw_data: raw });
    return this;
  }

  /**
   * Appends a node; inputs must already be defined (an empty string marks an omitted optional input).
   * @throws OnnxBuildError naming the node and the undefined input or redefined output
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, name?: string): this {
    const nodeName = name ?? `${opType}_${this.#nodes.length}`;
    for (const i of inputs) {
      if (i !== '' && !this.#defined.has(i)) throw new OnnxBuildError(`node "${nodeName}" (${opType}): input "${i}" is not defined yet`);
    }
    if (outputs.length === 0) throw new OnnxBuildError(`node "${nodeName}" (${opType}): no outputs`);
    const clash = outputs.find((o, k) => o === '' || this.#defined.has(o) || outputs.indexOf(o) !== k);
    if (clash !== undefined) throw new OnnxBuildError(`node "${nodeName}" (${opType}) output "${clash}": empty or already defined`);
    for (const o of outputs) this.#defined.add(o);
    this.#nodes.push({
      name: nodeName,
      op_type: opType,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attrs).map(([k, v]) => encodeAttr(nodeName, k, v)),
    });
    return this;
  }

  /**
   * Declares a graph output; the value must be produced by a node, an input or an initializer.
   * @throws OnnxBuildError when the value is not defined
   */
  output(name: string, dtype: TensorDtype, shape: readonly Dim[]): this {
    if (!this.#defined.has(name)) throw new OnnxBuildError(`output "${name}": no node produces it`);
    if (this.#outputs.some((o) => o.name === name)) throw new OnnxBuildError(`output "${name}": declared twice`);
    this.#outputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  /**
   * Encodes the model (IR version 8).
   * @throws OnnxBuildError when the graph has no inputs or no outputs
   */
  build(opts: BuildOptions = {}): Uint8Array {
    if (this.#inputs.length === 0) throw new OnnxBuildError(`graph "${this.#name}": no inputs`);
    if (this.#outputs.length === 0) throw new OnnxBuildError(`graph "${this.#name}": no outputs`);
    const type = onnxModelType();
    const model = {
      ir_version: ONNX_IR_VERSION,
      opset_import: [{ domain: '', version: opts.opset ?? 17 }],
      producer_name: opts.producer ?? 'ecu-ai',
      producer_version: opts.producerVersion ?? '0.1.0',
      model_version: opts.modelVersion ?? 1,
      doc_string: opts.docString ?? '',
      graph: {
        name: this.#name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    };
    return type.encode(type.fromObject(model)).finish();
  }
}
