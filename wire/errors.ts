/**
 * The errors both sides of the vehicle–cloud wire throw, and the base class and code table every
 * runtime error shares. They live in the lowest layer that throws them so that the vehicle and
 * `cloud/` share one `RuntimeError` (one `instanceof`, one set of codes); `runtime/errors.ts`
 * re-exports them beside the errors only the vehicle throws.
 */
export type RuntimeErrorCode =
  | 'CONFIG_INVALID'
  | 'MODEL_MANIFEST'
  | 'MODEL_LOAD'
  | 'MODEL_MISMATCH'
  | 'INFERENCE_INPUT'
  | 'INFERENCE_FAILED'
  | 'INFERENCE_TIMEOUT'
  | 'WORKER_CRASHED'
  | 'ADMISSION_REFUSED'
  | 'CLOUD_PAYLOAD'
  | 'CLOUD_TIMEOUT'
  | 'CLOUD_UNAVAILABLE'
  | 'OUTBOX_FULL'
  | 'LABELS_INVALID'
  | 'TRACE_EMPTY';

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A model whose manifest, file or session does not match what was declared. */
export class ModelLoadError extends RuntimeError {
  readonly model: string;
  constructor(code: 'MODEL_MANIFEST' | 'MODEL_LOAD' | 'MODEL_MISMATCH', model: string, detail: string, options?: { cause?: unknown }) {
    super(code, `${model}: ${detail}`, options);
    this.model = model;
  }
}

/**
 * A vehicle–cloud exchange that failed. `where` names the place: the topic, message type and byte
 * offset of a rejected payload, the outbox directory and segment, or the domain of a refused request.
 */
export class CloudError extends RuntimeError {
  readonly where: string;
  constructor(
    code: 'CLOUD_PAYLOAD' | 'CLOUD_TIMEOUT' | 'CLOUD_UNAVAILABLE' | 'OUTBOX_FULL',
    where: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${where}: ${detail}`, options);
    this.where = where;
  }
}
