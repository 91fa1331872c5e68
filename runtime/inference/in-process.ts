/**
 * The domains' models run with onnxruntime-node in the calling thread: the same registry checks,
 * the same feed checks and the same session options as the worker pool, so the same outputs, without
 * a worker process. For unit tests and for embedding where a process per model is not wanted.
 *
 * Not its job: isolation and supervision. A model that crashes onnxruntime takes the caller's process
 * with it, a call that hangs blocks the caller's event loop, and nothing watches memory. `timeoutMs`
 * is not enforced (onnxruntime-node runs a session on the event loop, so no timer could fire before
 * the call returned anyway); the isolation and limits of `OpenOptions` are ignored.
 */
import { InferenceError, ModelLoadError } from '../errors.js';
import type { GroupEntry, InferenceEngine, InferenceFactory, InferenceHealth, OpenOptions, RunOptions } from './inference-engine.js';
import type { LocalVariant } from './manifest.js';
import { checkCall, notOpenError, prepareModel, type PreparedModel } from './model-prep.js';
import { modelLabel, type ModelRef, type ModelRegistry } from './registry.js';
import { OnnxSession } from './session.js';
import type { Feeds, Outputs } from './tensors.js';

export interface InProcessOptions {
  readonly registry: ModelRegistry;
}

/** A domain's model with a warm session per loaded variant. */
interface OpenModel extends PreparedModel {
  readonly sessions: ReadonlyMap<LocalVariant, OnnxSession>;
}

export class InProcessInference implements InferenceEngine {
  readonly #registry: ModelRegistry;
  readonly #models = new Map<string, OpenModel>();
  /** Domains open or being opened: a second open of one of them fails at once, as with the pool. */
  readonly #taken = new Set<string>();
  readonly #inFlight = new Map<string, number>();
  #closed = false;

  constructor(opts: InProcessOptions) {
    this.#registry = opts.registry;
  }

  /** @throws as {@link InferenceEngine.open}; onnxruntime refusing the bytes is `MODEL_LOAD` */
  open(domain: string, model: ModelRef | string, opts: OpenOptions = {}): Promise<void> {
    return this.#openAll(domain, [{ domain, model, opts }]);
  }

  /** Opens each entry in this thread; either all open or none does. */
  openGroup(group: string, entries: readonly GroupEntry[]): Promise<void> {
    return this.#openAll(group, entries);
  }

  async #openAll(name: string, entries: readonly GroupEntry[]): Promise<void> {
    if (this.#closed) throw new InferenceError('WORKER_CRASHED', name, 'the inference engine is closed');
    for (const e of entries) if (this.#taken.has(e.domain)) throw new ModelLoadError('MODEL_LOAD', e.domain, 'domain already open');
    for (const e of entries) this.#taken.add(e.domain);
    const opened: OpenModel[] = [];
    try {
      for (const e of entries) opened.push(await this.#load(e.domain, e.model, e.opts ?? {}));
      // Closed while loading: the sessions are released below, as on a failure.
      if (this.#closed) throw new InferenceError('WORKER_CRASHED', name, 'the inference engine is closed');
    } catch (err) {
      for (const e of entries) this.#taken.delete(e.domain);
      await Promise.all(opened.map((m) => release(m)));
      throw err;
    }
    for (const m of opened) this.#models.set(m.domain, m);
  }

  async #load(domain: string, model: ModelRef | string, opts: OpenOptions): Promise<OpenModel> {
    const prepared = await prepareModel(this.#registry, domain, model, opts.variants);
    const sessions = new Map<LocalVariant, OnnxSession>();
    try {
      for (const l of prepared.loads) {
        const session = await OnnxSession.create(l.bytes, { domain, label: l.label, inputs: l.inputs, outputs: l.outputs, threads: opts.threads ?? 1, warmupRuns: opts.warmupRuns ?? 3 }).catch((err: unknown) => {
          if (err instanceof ModelLoadError || err instanceof InferenceError) throw err;
          throw new ModelLoadError('MODEL_LOAD', l.label, `onnxruntime: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        });
        sessions.set(l.variant, session);
      }
    } catch (err) {
      await Promise.all([...sessions.values()].map((s) => s.release()));
      throw err;
    }
    return { ...prepared, sessions };
  }

  /**
   * Runs one inference in this thread; `opts.timeoutMs` is not enforced.
   * @throws InferenceError `INFERENCE_INPUT`, `WORKER_CRASHED` (no model open), `INFERENCE_FAILED`
   */
  async run(domain: string, feeds: Feeds, opts: RunOptions = {}): Promise<Outputs> {
    const model = this.#models.get(domain);
    if (model === undefined) throw notOpenError(domain);
    const call = checkCall(model, domain, feeds, opts.variant);
    const session = model.sessions.get(call.variant);
    if (session === undefined) throw new InferenceError('INFERENCE_FAILED', domain, `variant ${call.variant} has no session`);
    this.#inFlight.set(domain, (this.#inFlight.get(domain) ?? 0) + 1);
    try {
      return await session.runChecked(call.feeds);
    } finally {
      this.#inFlight.set(domain, (this.#inFlight.get(domain) ?? 1) - 1);
    }
  }

  /** Every open domain `ready`, served by this process, never restarted. */
  health(): InferenceHealth[] {
    return [...this.#models.values()].map((m) => ({
      domain: m.domain,
      state: 'ready',
      isolation: 'in-process',
      model: modelLabel(m.manifest),
      pid: process.pid,
      restarts: 0,
      lastBackoffMs: undefined,
      inFlight: this.#inFlight.get(m.domain) ?? 0,
      lastError: undefined,
    }));
  }

  /** Releases every session; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const models = [...this.#models.values()];
    this.#models.clear();
    this.#taken.clear();
    await Promise.all(models.map((m) => release(m)));
  }
}

/** The daemon's and replay's `inference` option for models run in their own thread. */
export const inProcessInference: InferenceFactory = (registry) => Promise.resolve(new InProcessInference({ registry }));

async function release(m: OpenModel): Promise<void> {
  await Promise.all([...m.sessions.values()].map((s) => s.release()));
}
