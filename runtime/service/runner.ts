/**
 * The framework side of a domain service: it owns every call. Given a dispatched job it samples the
 * domain's feature window at the job's release, builds the features, serves them with the variant
 * the job names (local fp32/int8 in the domain's isolated worker, the cloud, or the rule-based
 * fallback), and falls back whenever the chosen path fails or is too slow. The domain's code only
 * computes; it never sees a worker, a timeout or a shutdown.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { FeatureWindow } from '../signals/window.js';
import type { Job, JobOutcome, Variant } from '../scheduler/types.js';
import type { Outputs, TensorMap } from '../../wire/tensor.js';
import type { ResolvedDomain } from './resolved.js';

/** What the runner needs from the inference pool (InferencePool satisfies it). */
export interface LocalInference {
  run(domain: string, feeds: TensorMap, opts: { variant: 'fp32' | 'int8'; timeoutMs?: number }): Promise<Outputs>;
}

/** What the runner needs from the cloud client (`runnerCloud` over the `CloudInference` facade); absent means no cloud. */
export interface RemoteInference {
  healthy(): boolean;
  /** Resolves with the outputs, or with `undefined` when the answer did not come in time or the cloud is gone. */
  infer(domain: string, model: string, feeds: TensorMap<Float32Array>, deadlineMs: number): Promise<Outputs | undefined>;
}

/** One answer of a domain service. */
export interface ServiceResult<R = unknown> {
  readonly domain: string;
  /** The dispatcher's job id: results are reported in job order where order must be deterministic. */
  readonly jobId?: number;
  /** The job's release time (clock seconds): when the answer is about. */
  readonly t: number;
  readonly result: R;
  readonly variant: Variant;
  /**
   * Whether every signal of the window was alive at the job's tick (the window's newest row). When
   * not, the model was not asked: the domain's `invalidInputs` answer (or its fallback) stands.
   */
  readonly inputsValid: boolean;
  /** The window's signals that were stale or missing at the tick; present when `inputsValid` is false. */
  readonly invalidSignals?: readonly string[];
}

export interface RunnerOptions<R> {
  /** The domain as resolved against the config: its definition and its deadline. */
  readonly spec: ResolvedDomain<R>;
  readonly window: FeatureWindow;
  /** Model input and output names, from the manifest. */
  readonly inputName: string;
  readonly outputName: string;
  readonly model: string;
  readonly local?: LocalInference;
  readonly cloud?: RemoteInference;
  /**
   * Wall-clock limit on a local call; past it the fallback answers. Default: the time left until the
   * job's deadline (on `clock`) less FALLBACK_RESERVE_MS, so the fallback still answers in time.
   */
  readonly localTimeoutMs?: number;
  /** The clock jobs' releases and deadlines are on; without it a local call gets the whole deadline. */
  readonly clock?: Clock;
  readonly onResult: (r: ServiceResult<R>) => void;
  /**
   * Calls of this service may overlap (replay keeps several in flight): each job then keeps its own
   * copy of the window for its fallback, since the shared buffer is refilled by the next job.
   */
  readonly overlap?: boolean;
  /** A failure of the served path (the fallback answered instead). */
  readonly onFault?: (domain: string, variant: Variant, err: unknown) => void;
  readonly logger?: Logger;
}

/**
 * Time a local call leaves before the deadline, ms: a timer fires a little late, and the rule must
 * still run and its answer go out before the deadline. Measured: the fallbacks take under 0.1 ms.
 */
export const FALLBACK_RESERVE_MS = 2;

const NONE: readonly string[] = Object.freeze([]);

export class DomainServiceRunner<R = unknown> {
  readonly domain: string;
  readonly #o: RunnerOptions<R>;
  readonly #snapshot: Float32Array;
  readonly #features: Float32Array;
  #stopped = false;
  #faults = 0;
  #invalidInputs = 0;
  #lastFault: string | undefined;

  constructor(options: RunnerOptions<R>) {
    this.#o = options;
    this.domain = options.spec.domain;
    this.#snapshot = new Float32Array(options.window.length * options.window.width);
    this.#features = new Float32Array(options.spec.definition.featureSize);
  }

  /** Paths that failed so far (each answered by the fallback). */
  get faults(): number {
    return this.#faults;
  }

  /** Jobs whose inputs were invalid at their tick (answered without the model). */
  get invalidInputs(): number {
    return this.#invalidInputs;
  }

  /** Stops serving: jobs after this answer nothing. Idempotent. */
  stop(): void {
    this.#stopped = true;
  }

  /** Serves one job; the dispatcher's `execute`. Never rejects: faults become fallback answers. */
  async execute(job: Job): Promise<JobOutcome> {
    if (this.#stopped) return { variant: 'fallback' };
    const def = this.#o.spec.definition;
    this.#o.window.advanceTo(job.release);
    this.#o.window.snapshot(this.#snapshot);
    const invalidSignals = this.#staleAtTick();
    const inputsValid = invalidSignals.length === 0;
    const snapshot = this.#o.overlap === true && job.variant !== 'fallback' && inputsValid ? this.#snapshot.slice() : this.#snapshot;
    let variant: Variant = job.variant;
    let result: R | undefined;
    if (!inputsValid) {
      this.#invalidInputs++;
      variant = 'fallback';
      result = def.invalidInputs ? def.invalidInputs(snapshot) : def.fallback(snapshot);
    } else if (variant !== 'fallback') {
      try {
        def.features(this.#snapshot, this.#features);
        result = await this.#serve(variant, job);
      } catch (err) {
        this.#faults++;
        this.#o.onFault?.(this.domain, variant, err);
        // One line per new kind of failure, not one per call: a worker down at 50 Hz must not flood the log.
        const message = (err as Error).message;
        if (message !== this.#lastFault) {
          this.#lastFault = message;
          this.#o.logger?.warn({ domain: this.domain, variant, err: message, faults: this.#faults }, 'served path failed; fallback answers');
        }
      }
    }
    if (result === undefined) {
      variant = 'fallback';
      result = def.fallback(snapshot);
    }
    if (!this.#stopped) this.#o.onResult({ domain: this.domain, jobId: job.id, t: job.release, result, variant, inputsValid, ...(inputsValid ? {} : { invalidSignals }) });
    return { variant };
  }

  /** The window's signals not valid in its newest row (all of them before the first row). */
  #staleAtTick(): readonly string[] {
    const window = this.#o.window;
    let stale: string[] | undefined;
    for (let s = 0; s < window.width; s++) {
      if (window.validAtNewest(s)) continue;
      (stale ??= []).push(window.signals[s] as string);
    }
    return stale ?? NONE;
  }

  /** The local call's time limit, ms: what is left of the deadline once the fallback's reserve is set aside. */
  #localTimeoutMs(job: Job): number {
    return this.#o.localTimeoutMs ?? this.#callLimitMs(job);
  }

  /** What is left of the job's own deadline (the configured `deadline_ms`) less the fallback's reserve, ms. */
  #callLimitMs(job: Job): number {
    const deadlineMs = (job.deadline - job.release) * 1000;
    const clock = this.#o.clock;
    if (!clock) return Math.max(this.#o.spec.deadlineMs, deadlineMs);
    const reserve = Math.min(FALLBACK_RESERVE_MS, deadlineMs / 2);
    return Math.max(0, (job.deadline - clock.now()) * 1000 - reserve);
  }

  async #serve(variant: Exclude<Variant, 'fallback'>, job: Job): Promise<R | undefined> {
    const def = this.#o.spec.definition;
    // A private copy: the worker call may outlive this job while the buffer is refilled by the next.
    const data = this.#features.slice();
    const feeds = { [this.#o.inputName]: { data, dims: [1, def.featureSize] } };
    let outputs: Outputs | undefined;
    if (variant === 'cloud') {
      const cloud = this.#o.cloud;
      if (!cloud || !cloud.healthy()) return undefined;
      const limitMs = this.#callLimitMs(job);
      if (limitMs <= 0) return undefined;
      outputs = await cloud.infer(this.domain, this.#o.model, feeds, limitMs);
      if (!outputs) return undefined;
    } else {
      const local = this.#o.local;
      if (!local) return undefined;
      const timeoutMs = this.#localTimeoutMs(job);
      // No time left at all: the fallback answers at once rather than after a doomed call.
      if (timeoutMs <= 0) return undefined;
      outputs = await local.run(this.domain, feeds, { variant, timeoutMs });
    }
    const out = outputs[this.#o.outputName];
    if (!out || !(out.data instanceof Float32Array)) {
      throw new Error(`model output "${this.#o.outputName}" missing or not float32`);
    }
    return def.interpret(out.data);
  }
}
