/**
 * The binary frames that carry the hot path between the supervisor and a process worker: runs,
 * results, errors, faults and close. Node's IPC channel costs tens of microseconds per message
 * (serialisation, framing, object graph), far more than the model itself; these frames are one
 * length-prefixed buffer with the raw tensor bytes, written and read without a serializer.
 *
 * Frame: u32 LE body length, then the body:
 *   u8 kind, u8 variant, u8 slot, u8 tensor count, u32 call id, tensors      (run 0x01)
 *   u8 kind, u8 0, u8 0, u8 tensor count, u32 call id, tensors                (result 0x81)
 *   u8 kind, u8 0, u8 0, u8 0, u32 call id, UTF-8 JSON {name, code, message}  (error 0x82)
 *   u8 kind, u8 fault index[, u8 slot whose next run fires it]                   (fault 0x02)
 *   u8 kind                                                                    (close 0x03)
 * The slot picks the domain within a shared worker (0 in a worker of its own).
 * Tensor: u8 dtype code, u8 rank, u16 name length, u32 data bytes, rank × u32 dims, name (UTF-8),
 *   zero padding to a multiple of 8 from the frame start (length prefix included), data
 *   (little-endian, as in memory). A receiver views aligned data in place instead of copying.
 */
import { InferenceError } from '../errors.js';
import { LOCAL_VARIANTS, type LocalVariant } from './dims.js';
import type { TensorDtype } from './onnx-schema.js';
import { FAULT_KINDS, type FaultMessage, type WireError } from './protocol.js';
import type { Outputs, TensorArray, TensorData, TensorMap } from './tensors.js';

export const FRAME_RUN = 0x01;
export const FRAME_FAULT = 0x02;
export const FRAME_CLOSE = 0x03;
export const FRAME_RESULT = 0x81;
export const FRAME_ERROR = 0x82;

/** Bytes before the tensors of a run or result body. */
const CALL_HEADER = 8;
/** Bytes of the length before every frame body. */
export const LENGTH_PREFIX = 4;
/** A frame longer than this is a corrupt length, not a tensor anyone sends. */
export const MAX_FRAME_BYTES = 1 << 30;

type ArrayCtor = { new (n: number): TensorArray; new (b: ArrayBufferLike, off: number, n: number): TensorArray; readonly BYTES_PER_ELEMENT: number };

/** onnxruntime's element type numbers, so a frame reads the same in any tool that knows ONNX. */
const DTYPES: readonly { readonly code: number; readonly dtype: TensorDtype; readonly ctor: ArrayCtor }[] = [
  { code: 1, dtype: 'float32', ctor: Float32Array },
  { code: 2, dtype: 'uint8', ctor: Uint8Array },
  { code: 3, dtype: 'int8', ctor: Int8Array },
  { code: 4, dtype: 'uint16', ctor: Uint16Array },
  { code: 5, dtype: 'int16', ctor: Int16Array },
  { code: 6, dtype: 'int32', ctor: Int32Array },
  { code: 7, dtype: 'int64', ctor: BigInt64Array },
  { code: 9, dtype: 'bool', ctor: Uint8Array },
  { code: 11, dtype: 'float64', ctor: Float64Array },
];
const BY_CODE = new Map(DTYPES.map((d) => [d.code, d]));

/** A malformed frame: `offset` is the byte, counted from the start of the frame body, where it went wrong. */
export class WireFormatError extends InferenceError {
  readonly offset: number;
  constructor(domain: string, offset: number, detail: string) {
    super('WORKER_CRASHED', domain, `malformed frame at byte ${offset}: ${detail}`);
    this.offset = offset;
  }
}

/** A decoded frame. Run feeds and result outputs are typed arrays with dims, as the API carries them. */
export type WireMessage =
  | { readonly t: 'run'; readonly id: number; readonly variant: LocalVariant; readonly slot: number; readonly feeds: Record<string, TensorData> }
  | { readonly t: 'result'; readonly id: number; readonly outputs: Outputs }
  | { readonly t: 'error'; readonly id: number; readonly error: WireError }
  | FaultMessage
  | { readonly t: 'close' };

function codeOf(a: TensorArray): number {
  if (a instanceof Float32Array) return 1;
  if (a instanceof Uint8Array) return 2;
  if (a instanceof Int8Array) return 3;
  if (a instanceof Uint16Array) return 4;
  if (a instanceof Int16Array) return 5;
  if (a instanceof Int32Array) return 6;
  if (a instanceof BigInt64Array) return 7;
  if (a instanceof Float64Array) return 11;
  throw new TypeError(`cannot send a ${(a as object).constructor.name} tensor`);
}

/**
 * Padding runs to a multiple of 8 from the start of the frame (length prefix included): a read
 * buffer starts aligned, so a frame at its start has aligned data and can be viewed in place.
 */
const alignData = (bodyOff: number): number => ((bodyOff + LENGTH_PREFIX + 7) & ~7) - LENGTH_PREFIX;

/** Encoded tensor names: a model has a handful, sent on every call. */
const nameCache = new Map<string, Buffer>();

function nameBytes(name: string): Buffer {
  let b = nameCache.get(name);
  if (b === undefined) {
    b = Buffer.from(name, 'utf8');
    if (b.length > 0xffff) throw new RangeError(`tensor name of ${b.length} bytes is too long for a frame`);
    // Names come from manifests, so the cache stays small; the bound only guards odd callers.
    if (nameCache.size < 256) nameCache.set(name, b);
  }
  return b;
}

function writeCall(kind: number, variantIndex: number, slot: number, id: number, tensors: TensorMap): Buffer {
  let bytes = CALL_HEADER;
  let count = 0;
  for (const name in tensors) {
    const t = tensors[name];
    if (t === undefined) continue;
    if (t.dims.length > 0xff) throw new RangeError(`tensor "${name}": rank ${t.dims.length} is too high for a frame`);
    bytes = alignData(bytes + 8 + 4 * t.dims.length + nameBytes(name).length) + t.data.byteLength;
    count++;
  }
  if (count > 0xff) throw new RangeError(`${count} tensors are too many for a frame (255)`);
  if (!Number.isInteger(slot) || slot < 0 || slot > 0xff) throw new RangeError(`slot ${slot} does not fit a frame`);
  const f = Buffer.allocUnsafe(LENGTH_PREFIX + bytes);
  // Offsets below count from the frame start; `o` is the body start.
  const o = LENGTH_PREFIX;
  f.writeUInt32LE(bytes, 0);
  f[o] = kind;
  f[o + 1] = variantIndex;
  f[o + 2] = slot;
  f[o + 3] = count;
  f.writeUInt32LE(id >>> 0, o + 4);
  let off = o + CALL_HEADER;
  for (const name in tensors) {
    const t = tensors[name];
    if (t === undefined) continue;
    const nb = nameBytes(name);
    f[off] = codeOf(t.data);
    f[off + 1] = t.dims.length;
    f.writeUInt16LE(nb.length, off + 2);
    f.writeUInt32LE(t.data.byteLength, off + 4);
    off += 8;
    for (let d = 0; d < t.dims.length; d++, off += 4) f.writeUInt32LE(t.dims[d] ?? 0, off);
    nb.copy(f, off);
    off += nb.length;
    const start = alignData(off - o) + o;
    while (off < start) f[off++] = 0;
    f.set(t.data instanceof Uint8Array ? t.data : new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), off);
    off += t.data.byteLength;
  }
  return f;
}

/**
 * One run request as a frame, length prefix included.
 * @throws RangeError when a name, rank or tensor count does not fit the frame's fields
 * @throws TypeError for a typed array the frame cannot carry
 */
export function encodeRun(id: number, variant: LocalVariant, feeds: Readonly<Record<string, TensorData>>, slot = 0): Buffer {
  return writeCall(FRAME_RUN, LOCAL_VARIANTS.indexOf(variant), slot, id, feeds);
}

/**
 * One call's outputs as a frame, length prefix included.
 * @throws RangeError when a name, rank or tensor count does not fit the frame's fields
 * @throws TypeError for a typed array the frame cannot carry (the worker then sends an error instead)
 */
export function encodeResult(id: number, outputs: Outputs): Buffer {
  return writeCall(FRAME_RESULT, 0, 0, id, outputs);
}

/** One call's failure as a frame, length prefix included. */
export function encodeError(id: number, error: WireError): Buffer {
  const json = Buffer.from(JSON.stringify({ name: error.name, code: error.code, message: error.message }), 'utf8');
  const frame = Buffer.allocUnsafe(LENGTH_PREFIX + CALL_HEADER + json.length);
  frame.writeUInt32LE(CALL_HEADER + json.length, 0);
  frame.writeUInt32LE(FRAME_ERROR, 4);
  frame.writeUInt32LE(id >>> 0, 8);
  json.copy(frame, LENGTH_PREFIX + CALL_HEADER);
  return frame;
}

/** A fault injection or close request as a frame, length prefix included. */
export function encodeControl(msg: FaultMessage | { readonly t: 'close' }): Buffer {
  if (msg.t === 'close') return Buffer.from([1, 0, 0, 0, FRAME_CLOSE]);
  const kind = FAULT_KINDS.indexOf(msg.kind);
  return msg.onRunOfSlot === undefined ? Buffer.from([2, 0, 0, 0, FRAME_FAULT, kind]) : Buffer.from([3, 0, 0, 0, FRAME_FAULT, kind, msg.onRunOfSlot]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readName(domain: string, b: Buffer, off: number, len: number, k: number): string {
  let ascii = true;
  for (let i = off; i < off + len; i++) if ((b[i] ?? 0) > 0x7f) ascii = false;
  // For ASCII, latin1 and UTF-8 agree, and latin1 needs no validating decoder.
  if (ascii) return b.toString('latin1', off, off + len);
  try {
    return utf8.decode(b.subarray(off, off + len));
  } catch {
    throw new WireFormatError(domain, off, `tensor ${k} name is not UTF-8`);
  }
}

function readTensors(domain: string, b: Buffer, count: number, copy: boolean): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  let off = CALL_HEADER;
  for (let k = 0; k < count; k++) {
    if (off + 8 > b.length) throw new WireFormatError(domain, off, `tensor ${k} header runs past the end (${b.length} bytes)`);
    const spec = BY_CODE.get(b[off] ?? 0);
    if (spec === undefined) throw new WireFormatError(domain, off, `unknown dtype code ${b[off] ?? 0}`);
    const rank = b[off + 1] ?? 0;
    const nameLen = b.readUInt16LE(off + 2);
    const byteLength = b.readUInt32LE(off + 4);
    const at = off;
    off += 8;
    if (off + 4 * rank + nameLen > b.length) throw new WireFormatError(domain, at, `tensor ${k} dims and name run past the end (${b.length} bytes)`);
    const dims: number[] = [];
    let count = 1;
    for (let d = 0; d < rank; d++, off += 4) {
      const v = b.readUInt32LE(off);
      dims.push(v);
      count *= v;
    }
    const name = readName(domain, b, off, nameLen, k);
    if (Object.prototype.hasOwnProperty.call(out, name)) throw new WireFormatError(domain, off, `tensor "${name}" appears twice`);
    off = alignData(off + nameLen);
    const el = spec.ctor.BYTES_PER_ELEMENT;
    if (count * el !== byteLength) throw new WireFormatError(domain, at + 4, `tensor "${name}" has ${byteLength} data bytes, dims [${dims.join(',')}] of ${spec.dtype} need ${count * el}`);
    if (off + byteLength > b.length) throw new WireFormatError(domain, at, `tensor "${name}" data (${byteLength} bytes) runs past the end (${b.length} bytes)`);
    const abs = b.byteOffset + off;
    let data: TensorArray;
    if (abs % el === 0) {
      const view = new spec.ctor(b.buffer, abs, count);
      data = copy ? view.slice() : view;
    } else {
      data = new spec.ctor(count);
      new Uint8Array(data.buffer).set(b.subarray(off, off + byteLength));
    }
    // A tensor may be named "__proto__": define it as the object's own entry instead of assigning,
    // which would replace the prototype and drop the tensor.
    Object.defineProperty(out, name, { value: { data, dims }, enumerable: true, writable: true, configurable: true });
    off += byteLength;
  }
  if (off !== b.length) throw new WireFormatError(domain, off, `${b.length - off} bytes after the last tensor`);
  return out;
}

/**
 * Decodes one frame body (without its length prefix).
 * @param copy copy tensor data into arrays of their own; otherwise aligned data is viewed in place
 * @throws WireFormatError naming the byte offset within the body: unknown kind, variant, dtype or
 * fault; truncated or trailing bytes; data length not matching the dims; a name that is not UTF-8
 */
export function decodeFrame(domain: string, b: Buffer, copy: boolean): WireMessage {
  const kind = b[0];
  if (kind === undefined) throw new WireFormatError(domain, 0, 'empty frame');
  if (kind === FRAME_CLOSE) {
    if (b.length !== 1) throw new WireFormatError(domain, 1, `close frame has ${b.length - 1} extra bytes`);
    return { t: 'close' };
  }
  if (kind === FRAME_FAULT) {
    const f = FAULT_KINDS[b[1] ?? 255];
    if (f === undefined || (b.length !== 2 && b.length !== 3)) throw new WireFormatError(domain, 1, 'fault frame needs one known fault index and at most a slot');
    const slot = b[2];
    return slot === undefined ? { t: '__fault', kind: f } : { t: '__fault', kind: f, onRunOfSlot: slot };
  }
  if (kind !== FRAME_RUN && kind !== FRAME_RESULT && kind !== FRAME_ERROR) throw new WireFormatError(domain, 0, `unknown frame kind 0x${kind.toString(16)}`);
  if (b.length < CALL_HEADER) throw new WireFormatError(domain, b.length, `call frame of ${b.length} bytes is shorter than its ${CALL_HEADER}-byte header`);
  const id = b.readUInt32LE(4);
  const count = b[3] ?? 0;
  if (kind === FRAME_ERROR) return { t: 'error', id, error: readError(domain, b) };
  if (kind === FRAME_RESULT) return { t: 'result', id, outputs: readTensors(domain, b, count, copy) as Outputs };
  const variant = LOCAL_VARIANTS[b[1] ?? 255];
  if (variant === undefined) throw new WireFormatError(domain, 1, `unknown variant index ${b[1] ?? 255}`);
  return { t: 'run', id, variant, slot: b[2] ?? 0, feeds: readTensors(domain, b, count, copy) };
}

function readError(domain: string, b: Buffer): WireError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(b.subarray(CALL_HEADER)));
  } catch {
    throw new WireFormatError(domain, CALL_HEADER, 'error frame does not hold UTF-8 JSON');
  }
  const e = parsed as Partial<Record<keyof WireError, unknown>> | null;
  if (e === null || typeof e !== 'object' || typeof e.name !== 'string' || typeof e.code !== 'string' || typeof e.message !== 'string') {
    throw new WireFormatError(domain, CALL_HEADER, 'error frame lacks name, code or message strings');
  }
  return { name: e.name, code: e.code, message: e.message };
}
