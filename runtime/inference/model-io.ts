/**
 * Reads what a model declares at its boundary (input/output names, dtypes, shapes) straight from the
 * ONNX bytes, without onnxruntime: the registry checks manifests in the parent process, which never
 * loads the native runtime.
 */
import protobuf from 'protobufjs';
import { ModelLoadError } from '../errors.js';
import type { Dim } from './dims.js';
import { dtypeOfElemType, onnxModelType, type TensorDtype } from './onnx-schema.js';

export { isDynamicDim, type Dim } from './dims.js';

/** One dimension: a size, or a symbolic name / -1 for a dimension fixed only at run time. */

/** A declared graph input or output. */
export interface TensorIo {
  readonly name: string;
  /** `unknown(N)` for an ONNX element type ecu-ai does not handle. */
  readonly dtype: TensorDtype | `unknown(${number})`;
  readonly shape: readonly Dim[];
}

/** What a model declares, plus the header fields worth checking. */
export interface ModelIo {
  readonly irVersion: number;
  readonly opset: number;
  readonly producer: string;
  readonly inputs: readonly TensorIo[];
  readonly outputs: readonly TensorIo[];
}

interface RawDim {
  dim_value?: number;
  dim_param?: string;
}
interface RawValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: RawDim[] } } };
}
interface RawModel {
  ir_version?: number;
  producer_name?: string;
  opset_import?: { domain?: string; version?: number }[];
  graph?: { input?: RawValueInfo[]; output?: RawValueInfo[]; initializer?: { name?: string }[] };
}

/**
 * Decodes the model header and graph boundary.
 * @param bytes the .onnx file contents
 * @param label names the model in errors (file path or name@version)
 * @throws ModelLoadError `MODEL_LOAD` when the bytes are not a decodable ONNX model (names the byte offset)
 */
export function readModelIo(bytes: Uint8Array, label = 'model'): ModelIo {
  let raw: RawModel;
  const reader = protobuf.Reader.create(bytes);
  try {
    const type = onnxModelType();
    raw = type.toObject(type.decode(reader), { longs: Number, defaults: false, arrays: true }) as RawModel;
  } catch (err) {
    // The reader stops where the bytes stopped making sense; that offset is what a person needs.
    const where = ` at byte ${reader.pos}`;
    throw new ModelLoadError('MODEL_LOAD', label, `not an ONNX model${where}: ${String(err instanceof Error ? err.message : err)}`, {
      cause: err,
    });
  }
  if (raw.graph === undefined || raw.ir_version === undefined) {
    throw new ModelLoadError('MODEL_LOAD', label, 'not an ONNX model: no graph or ir_version field');
  }
  const initializers = new Set((raw.graph.initializer ?? []).map((t) => t.name ?? ''));
  const io = (list: RawValueInfo[] | undefined, what: string): TensorIo[] =>
    (list ?? []).map((v, i) => toTensorIo(v, `${label}: graph ${what}[${i}]`));
  const defaultOpset = (raw.opset_import ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  return {
    irVersion: raw.ir_version,
    opset: defaultOpset?.version ?? 0,
    producer: raw.producer_name ?? '',
    // IR < 4 listed initializers among the inputs; they are not fed by callers.
    inputs: io(raw.graph.input, 'input').filter((t) => !initializers.has(t.name)),
    outputs: io(raw.graph.output, 'output'),
  };
}

function toTensorIo(v: RawValueInfo, where: string): TensorIo {
  if (v.name === undefined || v.name === '') throw new ModelLoadError('MODEL_LOAD', where, 'value without a name');
  const tensor = v.type?.tensor_type;
  if (tensor === undefined) throw new ModelLoadError('MODEL_LOAD', where, `"${v.name}" is not a tensor`);
  const code = tensor.elem_type ?? 0;
  const shape = (tensor.shape?.dim ?? []).map((d): Dim => d.dim_value ?? d.dim_param ?? -1);
  return { name: v.name, dtype: dtypeOfElemType(code) ?? `unknown(${code})`, shape };
}
