/**
 * Typed codecs for the vehicle–cloud messages. Decoding checks the size before touching the bytes,
 * then the wire format, the schema version and the shape; anything else is a `CloudError` with code
 * CLOUD_PAYLOAD naming the message type, the place it came from and, for wire errors, the byte offset.
 */
import { CloudError } from './errors.js';
import { SCHEMA_VERSION, cloudType, type CloudMessageName } from './schemas.js';
import { bytes, checkVersion, ident, idents, list, num, numbers, payloadError, str, type Decoded } from './message-fields.js';
import type { Tensor } from './tensor.js';

export type { Tensor } from './tensor.js';

export interface InferenceRequest {
  readonly vehicleId: string;
  readonly domain: string;
  readonly model: string;
  readonly variant: string;
  readonly inputs: readonly Tensor[];
  /** Absolute deadline, ms since the Unix epoch; a worker may skip work that can no longer arrive in time. */
  readonly deadlineUnixMs: number;
  readonly deadlineMs: number;
  readonly correlation: Uint8Array;
  /** Where to answer; duplicates the MQTT 5 response topic so MQTT 3.1.1 brokers work too. */
  readonly replyTo: string;
  readonly sentUnixMs: number;
}

export interface InferenceResponse {
  readonly correlation: Uint8Array;
  readonly model: string;
  readonly variant: string;
  readonly outputs: readonly Tensor[];
  /** Empty on success; otherwise why the worker could not answer. */
  readonly error: string;
  readonly worker: string;
  readonly computeMs: number;
}

export interface Telemetry {
  readonly recordId: string;
  readonly vehicleId: string;
  readonly tUnixMs: number;
  readonly values: Readonly<Record<string, number>>;
  readonly source: string;
}

export interface SnippetFrame {
  readonly t: number;
  readonly channel: string;
  readonly id: number;
  readonly extended: boolean;
  readonly fd: boolean;
  readonly data: Uint8Array;
}

export interface SignalSample {
  readonly t: number;
  readonly name: string;
  readonly value: number;
}

export interface DataSnippet {
  readonly recordId: string;
  readonly vehicleId: string;
  readonly trigger: string;
  readonly tUnixMs: number;
  readonly preS: number;
  readonly postS: number;
  readonly frames: readonly SnippetFrame[];
  readonly signals: readonly SignalSample[];
  /** The domain whose result or event triggered the snippet (absent in older records). */
  readonly domain?: string;
  /** The triggering result as JSON text (absent for ladder events and older records). */
  readonly resultJson?: string;
  /** Why it triggered, in words. */
  readonly detail?: string;
  /** Frames were left out to keep the snippet's byte bound. */
  readonly truncated?: boolean;
}

export interface ModelCampaign {
  readonly campaignId: string;
  readonly domain: string;
  readonly model: string;
  readonly version: string;
  readonly packageUrl: string;
  readonly sha256: Uint8Array;
  readonly signature: Uint8Array;
  readonly rollout: string;
  readonly issuedUnixMs: number;
}

export const UPDATE_STATES = ['received', 'downloading', 'verified', 'installed', 'shadow', 'promoted', 'rejected', 'rolled-back'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

export interface UpdateStatus {
  readonly recordId: string;
  readonly vehicleId: string;
  readonly campaignId: string;
  readonly state: UpdateState;
  readonly detail: string;
  readonly tUnixMs: number;
}

/**
 * The cloud's word that records are stored (or were already): sent by ingest to the vehicle, which
 * may then let them go from its outbox (`cloud.delivery: ingest`).
 */
export interface DeliveryReceipt {
  readonly vehicleId: string;
  readonly recordIds: readonly string[];
}

/** Most record IDs one receipt carries. */
export const MAX_RECEIPT_IDS = 512;

/** Largest payload accepted per message type; checked before decoding so a huge packet costs nothing. */
export const MAX_PAYLOAD_BYTES: Readonly<Record<CloudMessageName, number>> = {
  InferenceRequest: 1 << 20,
  InferenceResponse: 1 << 20,
  Telemetry: 64 << 10,
  DataSnippet: 4 << 20,
  ModelCampaign: 64 << 10,
  UpdateStatus: 16 << 10,
  DeliveryReceipt: 80 << 10,
};

const MAX_TENSORS = 32;
const MAX_ELEMENTS = 1 << 18;

export interface DecodeOptions {
  /** Names the origin in errors (a topic, a file). */
  readonly source?: string;
  /** Overrides the type's default size limit. */
  readonly maxBytes?: number;
}

function decodeRaw(name: CloudMessageName, data: Uint8Array, opts: DecodeOptions): { m: Decoded; where: string } {
  const where = `${opts.source ?? 'payload'} (${name})`;
  const max = opts.maxBytes ?? MAX_PAYLOAD_BYTES[name];
  if (data.length > max) throw new CloudError('CLOUD_PAYLOAD', where, `${data.length} bytes, more than the ${max}-byte limit`);
  let m: Decoded;
  try {
    m = cloudType(name).decode(data) as unknown as Decoded;
  } catch (err) {
    // protobufjs says "invalid wire type 7 at offset 12" or "index out of range: 3 + 10 > 12" (offset + length > size).
    const msg = err instanceof Error ? err.message : String(err);
    throw payloadError(where, `not a valid ${name}: ${msg}`, err);
  }
  checkVersion(m, where, SCHEMA_VERSION);
  return { m, where };
}

function encodeRaw(name: CloudMessageName, obj: Record<string, unknown>): Uint8Array {
  const type = cloudType(name);
  return type.encode(type.create({ schemaVersion: SCHEMA_VERSION, ...obj })).finish();
}

function readTensors(m: Decoded, field: string, where: string): Tensor[] {
  return list(m, field, where, MAX_TENSORS).map((t, i) => {
    const w = `${where} ${field}[${i}]`;
    const name = str(t, 'name', w, { required: true, max: 256 });
    const dims = numbers(t, 'dims', w, 8);
    const data = numbers(t, 'data', w, MAX_ELEMENTS);
    const size = dims.reduce((a, d) => a * d, 1);
    if (size !== data.length) throw payloadError(w, `tensor "${name}" has dims [${dims.join(',')}] (${size} values) but ${data.length} values`);
    return { name, dims, data: Float32Array.from(data) };
  });
}

function checkTensors(tensors: readonly Tensor[], where: string): void {
  for (const t of tensors) {
    const size = t.dims.reduce((a, d) => a * d, 1);
    if (size !== t.data.length) throw payloadError(where, `tensor "${t.name}" has dims [${t.dims.join(',')}] but ${t.data.length} values`);
  }
}

/** @throws {CloudError} CLOUD_PAYLOAD when a tensor's dims do not match its data */
export function encodeInferenceRequest(r: InferenceRequest): Uint8Array {
  checkTensors(r.inputs, 'InferenceRequest');
  return encodeRaw('InferenceRequest', { ...r });
}

/** @throws {CloudError} CLOUD_PAYLOAD for oversized, malformed, wrong-version or wrongly shaped bytes */
export function decodeInferenceRequest(data: Uint8Array, opts: DecodeOptions = {}): InferenceRequest {
  const { m, where } = decodeRaw('InferenceRequest', data, opts);
  const inputs = readTensors(m, 'inputs', where);
  if (inputs.length === 0) throw payloadError(where, 'no input tensors');
  const deadlineMs = num(m, 'deadlineMs', where);
  if (deadlineMs <= 0) throw payloadError(where, 'deadline_ms is missing');
  return {
    vehicleId: ident(m, 'vehicleId', where),
    domain: ident(m, 'domain', where),
    model: ident(m, 'model', where),
    variant: str(m, 'variant', where, { max: 64 }),
    inputs,
    deadlineUnixMs: num(m, 'deadlineUnixMs', where),
    deadlineMs,
    correlation: bytes(m, 'correlation', where, { min: 1, max: 64 }),
    replyTo: str(m, 'replyTo', where, { max: 256 }),
    sentUnixMs: num(m, 'sentUnixMs', where),
  };
}

/** @throws {CloudError} CLOUD_PAYLOAD when a tensor's dims do not match its data */
export function encodeInferenceResponse(r: InferenceResponse): Uint8Array {
  checkTensors(r.outputs, 'InferenceResponse');
  return encodeRaw('InferenceResponse', { ...r });
}

/** @throws {CloudError} CLOUD_PAYLOAD for oversized, malformed, wrong-version or wrongly shaped bytes */
export function decodeInferenceResponse(data: Uint8Array, opts: DecodeOptions = {}): InferenceResponse {
  const { m, where } = decodeRaw('InferenceResponse', data, opts);
  const outputs = readTensors(m, 'outputs', where);
  const error = str(m, 'error', where, { max: 1024 });
  if (outputs.length === 0 && error === '') throw payloadError(where, 'neither outputs nor an error');
  return {
    correlation: bytes(m, 'correlation', where, { min: 1, max: 64 }),
    model: str(m, 'model', where, { max: 128 }),
    variant: str(m, 'variant', where, { max: 64 }),
    outputs,
    error,
    worker: str(m, 'worker', where, { max: 128 }),
    computeMs: num(m, 'computeMs', where),
  };
}

/** @throws never for well-typed input */
export function encodeTelemetry(t: Telemetry): Uint8Array {
  return encodeRaw('Telemetry', { ...t, values: { ...t.values } });
}

/** @throws {CloudError} CLOUD_PAYLOAD for oversized, malformed, wrong-version or wrongly shaped bytes */
export function decodeTelemetry(data: Uint8Array, opts: DecodeOptions = {}): Telemetry {
  const { m, where } = decodeRaw('Telemetry', data, opts);
  const raw = m['values'];
  const values: Record<string, number> = {};
  if (typeof raw === 'object' && raw !== null) {
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw payloadError(where, `value "${k}" is not a finite number`);
      values[k] = v;
    }
  }
  return {
    recordId: ident(m, 'recordId', where),
    vehicleId: ident(m, 'vehicleId', where),
    tUnixMs: num(m, 'tUnixMs', where),
    values,
    source: str(m, 'source', where, { max: 128 }),
  };
}

/** @throws never for well-typed input */
export function encodeDataSnippet(s: DataSnippet): Uint8Array {
  return encodeRaw('DataSnippet', { ...s });
}

/** @throws {CloudError} CLOUD_PAYLOAD for oversized, malformed, wrong-version or wrongly shaped bytes */
export function decodeDataSnippet(data: Uint8Array, opts: DecodeOptions = {}): DataSnippet {
  const { m, where } = decodeRaw('DataSnippet', data, opts);
  const frames = list(m, 'frames', where, 200_000).map((f, i): SnippetFrame => {
    const w = `${where} frames[${i}]`;
    const id = num(f, 'id', w);
    if (id > 0x1fffffff) throw payloadError(w, `CAN id ${id} is above 0x1fffffff`);
    return {
      t: num(f, 't', w),
      channel: str(f, 'channel', w, { max: 64 }),
      id,
      extended: f['extended'] === true,
      fd: f['fd'] === true,
      data: bytes(f, 'data', w, { max: 64 }),
    };
  });
  const signals = list(m, 'signals', where, 200_000).map((s, i): SignalSample => {
    const w = `${where} signals[${i}]`;
    return { t: num(s, 't', w), name: str(s, 'name', w, { required: true, max: 256 }), value: num(s, 'value', w) };
  });
  return {
    recordId: ident(m, 'recordId', where),
    vehicleId: ident(m, 'vehicleId', where),
    trigger: str(m, 'trigger', where, { required: true, max: 128 }),
    tUnixMs: num(m, 'tUnixMs', where),
    preS: num(m, 'preS', where),
    postS: num(m, 'postS', where),
    frames,
    signals,
    ...optionalSnippetFields(m, where),
  };
}

/** The fields added within version 1; absent (not empty) when the sender did not set them. */
function optionalSnippetFields(m: Decoded, where: string): Pick<DataSnippet, 'domain' | 'resultJson' | 'detail' | 'truncated'> {
  const domain = str(m, 'domain', where, { max: 64 });
  const resultJson = str(m, 'resultJson', where, { max: 64 << 10 });
  const detail = str(m, 'detail', where, { max: 1024 });
  return {
    ...(domain !== '' ? { domain } : {}),
    ...(resultJson !== '' ? { resultJson } : {}),
    ...(detail !== '' ? { detail } : {}),
    ...(m['truncated'] === true ? { truncated: true } : {}),
  };
}

/** @throws never for well-typed input */
export function encodeModelCampaign(c: ModelCampaign): Uint8Array {
  return encodeRaw('ModelCampaign', { ...c });
}

/** @throws {CloudError} CLOUD_PAYLOAD for oversized, malformed, wrong-version or wrongly shaped bytes */
export function decodeModelCampaign(data: Uint8Array, opts: DecodeOptions = {}): ModelCampaign {
  const { m, where } = decodeRaw('ModelCampaign', data, opts);
  return {
    campaignId: ident(m, 'campaignId', where),
    domain: ident(m, 'domain', where),
    model: ident(m, 'model', where),
    version: ident(m, 'version', where),
    packageUrl: str(m, 'packageUrl', where, { required: true, max: 2048 }),
    sha256: bytes(m, 'sha256', where, { min: 32, max: 32 }),
    signature: bytes(m, 'signature', where, { max: 1024 }),
    rollout: str(m, 'rollout', where, { max: 64 }),
    issuedUnixMs: num(m, 'issuedUnixMs', where),
  };
}

/** @throws never for well-typed input */
export function encodeUpdateStatus(s: UpdateStatus): Uint8Array {
  return encodeRaw('UpdateStatus', { ...s });
}

/** @throws {CloudError} CLOUD_PAYLOAD for oversized, malformed, wrong-version or wrongly shaped bytes */
export function decodeUpdateStatus(data: Uint8Array, opts: DecodeOptions = {}): UpdateStatus {
  const { m, where } = decodeRaw('UpdateStatus', data, opts);
  const state = str(m, 'state', where, { required: true, max: 32 });
  if (!(UPDATE_STATES as readonly string[]).includes(state)) throw payloadError(where, `state "${state}" is not one of ${UPDATE_STATES.join(', ')}`);
  return {
    recordId: ident(m, 'recordId', where),
    vehicleId: ident(m, 'vehicleId', where),
    campaignId: ident(m, 'campaignId', where),
    state: state as UpdateState,
    detail: str(m, 'detail', where, { max: 1024 }),
    tUnixMs: num(m, 'tUnixMs', where),
  };
}

/** @throws never for well-typed input */
export function encodeDeliveryReceipt(r: DeliveryReceipt): Uint8Array {
  return encodeRaw('DeliveryReceipt', { vehicleId: r.vehicleId, recordIds: [...r.recordIds] });
}

/** @throws {CloudError} CLOUD_PAYLOAD for oversized, malformed, wrong-version or wrongly shaped bytes */
export function decodeDeliveryReceipt(data: Uint8Array, opts: DecodeOptions = {}): DeliveryReceipt {
  const { m, where } = decodeRaw('DeliveryReceipt', data, opts);
  return { vehicleId: ident(m, 'vehicleId', where), recordIds: idents(m, 'recordIds', where, MAX_RECEIPT_IDS) };
}
