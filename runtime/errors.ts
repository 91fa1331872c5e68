/**
 * Errors of the runtime, each with a stable code. Bad config and bad models are thrown at boot;
 * faults in the running loop become health status and events, not exceptions.
 */
import { RuntimeError } from '../wire/errors.js';

export { CloudError, ModelLoadError, RuntimeError, type RuntimeErrorCode } from '../wire/errors.js';

/** A config file that fails validation; `issues` lists every problem with its path (`domains.adas.deadline_ms`). */
export class ConfigInvalidError extends RuntimeError {
  readonly issues: readonly { path: string; message: string; line?: number }[];
  /** `line`, where known, is the 1-based line of the file `source` names. */
  constructor(source: string, issues: readonly { path: string; message: string; line?: number }[]) {
    super('CONFIG_INVALID', `${source}: invalid config:\n${issues.map((i) => `  ${i.line !== undefined ? `${source}:${i.line}: ` : ''}${i.path}: ${i.message}`).join('\n')}`);
    this.issues = issues;
  }
}

/** An inference call that cannot run or did not finish. */
export class InferenceError extends RuntimeError {
  readonly domain: string;
  constructor(
    code: 'INFERENCE_INPUT' | 'INFERENCE_FAILED' | 'INFERENCE_TIMEOUT' | 'WORKER_CRASHED',
    domain: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${domain}: ${detail}`, options);
    this.domain = domain;
  }
}

/** A configuration whose safety services cannot meet their deadlines; the message carries the arithmetic. */
export class AdmissionError extends RuntimeError {
  constructor(detail: string) {
    super('ADMISSION_REFUSED', detail);
  }
}

/** A labels file (`--labels`) with a line that is not a label; `source` is file:line. */
export class LabelsInvalidError extends RuntimeError {
  readonly source: string;
  constructor(source: string, detail: string) {
    super('LABELS_INVALID', `${source}: invalid labels: ${detail}`);
    this.source = source;
  }
}

/** A trace with no frame in it: nothing to replay, which is never a clean run. */
export class EmptyTraceError extends RuntimeError {
  readonly file: string;
  constructor(file: string) {
    super('TRACE_EMPTY', `${file}: the trace holds no frames`);
    this.file = file;
  }
}
