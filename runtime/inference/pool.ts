/**
 * The inference layer the services call: one supervised, isolated worker per domain, opened from the
 * registry, run with checked feeds, swapped to a new model without dropping a call or leaking memory.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { RealClock, type Clock } from '../clock.js';
import { InferenceError, ModelLoadError } from '../errors.js';
import { LOCAL_VARIANTS, type LocalVariant, type ModelManifest } from './manifest.js';
import type { FaultKind, LoadMessage } from './protocol.js';
import { modelLabel, parseModelRef, type ModelRef, type ModelRegistry } from './registry.js';
import { DomainSupervisor, type BackoffOptions, type DomainHealth } from './supervisor.js';
import { checkFeeds, type Feeds, type Outputs } from './tensors.js';
import type { Isolation } from './worker-channel.js';

export interface PoolOptions {
  readonly registry: ModelRegistry;
  readonly logger?: Logger;
  /** Timestamps in health; supervision timers themselves run on wall time. */
  readonly clock?: Clock;
  /** The compiled worker entry; see {@link defaultWorkerEntry}. */
  readonly workerEntry?: string;
  readonly backoff?: BackoffOptions;
  /** Obey test-only `__fault` injections. Never set in production. */
  readonly faultInjection?: boolean;
}

export interface OpenOptions {
  /** `process` (default) survives native crashes and gives memory back on exit; `thread` is lighter. */
  readonly isolation?: Isolation;
  /** A call outstanding longer than this kills and restarts the worker. Default 1000. */
  readonly watchdogMs?: number;
  /** Worker RSS limit (process isolation); JS heap limit for threads. Default 512. */
  readonly maxRssMb?: number;
  /** onnxruntime intra-op threads. Default 1. */
  readonly threads?: number;
  /** Local variants to load; default every local variant the manifest has. */
  readonly variants?: readonly LocalVariant[];
  readonly warmupRuns?: number;
  readonly rssPollMs?: number;
  readonly startTimeoutMs?: number;
  /** Node flags for a process worker, replacing the defaults of {@link WORKER_EXEC_ARGV} (profiling, heap sizes). */
  readonly workerExecArgv?: readonly string[];
}

export interface RunOptions {
  /** Default: the variant of the opened ModelRef, else fp32 if loaded, else int8. */
  readonly variant?: LocalVariant;
  /** The caller's deadline; past it the call fails with INFERENCE_TIMEOUT (the worker keeps running). */
  readonly timeoutMs?: number;
}

interface Slot {
  readonly supervisor: DomainSupervisor;
  readonly manifest: ModelManifest;
  readonly variants: readonly LocalVariant[];
  readonly defaultVariant: LocalVariant;
  readonly opts: OpenOptions;
}

/**
 * Where the compiled worker lives: beside this module when running compiled, or in dist/ when this
 * module runs from TypeScript sources (a test runner), since a forked process needs JavaScript.
 */
export function defaultWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'worker-main.js');
  return path.resolve(path.dirname(here), '..', '..', 'dist', 'runtime', 'inference', 'worker-main.js');
}

export class InferencePool {
  readonly #o: PoolOptions;
  readonly #clock: Clock;
  readonly #entry: string;
  readonly #slots = new Map<string, Slot>();
  /** Serialises open/swap per domain, so two swaps cannot interleave. */
  readonly #busy = new Map<string, Promise<unknown>>();
  #closed = false;

  private constructor(o: PoolOptions, entry: string) {
    this.#o = o;
    this.#clock = o.clock ?? new RealClock();
    this.#entry = entry;
  }

  /**
   * @throws ModelLoadError `MODEL_LOAD` when the worker entry does not exist (not built)
   */
  static async create(opts: PoolOptions): Promise<InferencePool> {
    const entry = opts.workerEntry ?? defaultWorkerEntry();
    if (!existsSync(entry)) throw new ModelLoadError('MODEL_LOAD', 'inference worker', `${entry} does not exist; run \`npm run build\``);
    return new InferencePool(opts, entry);
  }

  #serial<T>(domain: string, job: () => Promise<T>): Promise<T> {
    const prev = this.#busy.get(domain) ?? Promise.resolve();
    const next = prev.then(job, job);
    this.#busy.set(domain, next.catch(() => undefined));
    return next;
  }

  async #startSlot(domain: string, model: ModelRef | string, opts: OpenOptions): Promise<Slot> {
    const ref = typeof model === 'string' ? parseModelRef(model) : model;
    const { manifest } = this.#o.registry.resolve(ref);
    if (manifest.domain !== domain) {
      throw new ModelLoadError('MODEL_MISMATCH', modelLabel(manifest), `domain: the manifest says "${manifest.domain}", opened for "${domain}"`);
    }
    const wanted = opts.variants ?? LOCAL_VARIANTS.filter((v) => manifest.variants[v] !== undefined);
    const loaded = await Promise.all(wanted.map((v) => this.#o.registry.loadVariant({ name: manifest.name, version: manifest.version }, v)));
    const load: LoadMessage = {
      t: 'load',
      domain,
      variants: loaded.map((l) => ({ variant: l.variant, label: `${modelLabel(manifest)}#${l.variant}`, bytes: l.bytes, inputs: manifest.inputs, outputs: manifest.outputs })),
      threads: opts.threads ?? 1,
      warmupRuns: opts.warmupRuns ?? 3,
      faults: this.#o.faultInjection ?? false,
    };
    const supervisor = new DomainSupervisor({
      domain,
      model: modelLabel(manifest),
      isolation: opts.isolation ?? 'process',
      entry: this.#entry,
      load,
      watchdogMs: opts.watchdogMs ?? 1_000,
      maxRssMb: opts.maxRssMb ?? 512,
      clock: this.#clock,
      ...(opts.rssPollMs === undefined ? {} : { rssPollMs: opts.rssPollMs }),
      ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
      ...(opts.workerExecArgv === undefined ? {} : { execArgv: opts.workerExecArgv }),
      ...(this.#o.backoff === undefined ? {} : { backoff: this.#o.backoff }),
      ...(this.#o.logger === undefined ? {} : { logger: this.#o.logger.child({ component: 'inference', domain }) }),
    });
    await supervisor.start();
    const defaultVariant = ref.variant ?? (wanted.includes('fp32') ? 'fp32' : 'int8');
    return { supervisor, manifest, variants: wanted, defaultVariant, opts };
  }

  /**
   * Starts the domain's worker with the model's local variants, verified and warmed.
   * @throws ModelLoadError (manifest, sha256, mismatch, load) — the domain stays closed
   * @throws InferenceError `WORKER_CRASHED` when the worker dies or stalls while starting
   */
  open(domain: string, model: ModelRef | string, opts: OpenOptions = {}): Promise<void> {
    return this.#serial(domain, async () => {
      if (this.#closed) throw new InferenceError('WORKER_CRASHED', domain, 'the inference pool is closed');
      if (this.#slots.has(domain)) throw new ModelLoadError('MODEL_LOAD', domain, 'domain already open; use swap()');
      this.#slots.set(domain, await this.#startSlot(domain, model, opts));
    });
  }

  /**
   * Runs one inference in the domain's worker. Feeds are checked here, before any IPC.
   * @throws InferenceError `INFERENCE_INPUT` (bad feed), `WORKER_CRASHED` (domain down: answer with the fallback),
   * `INFERENCE_TIMEOUT`, `INFERENCE_FAILED`
   */
  run(domain: string, feeds: Feeds, opts: RunOptions = {}): Promise<Outputs> {
    const slot = this.#slots.get(domain);
    if (slot === undefined) return Promise.reject(new InferenceError('WORKER_CRASHED', domain, 'no model is open for this domain'));
    const variant = opts.variant ?? slot.defaultVariant;
    if (!slot.variants.includes(variant)) {
      return Promise.reject(new InferenceError('INFERENCE_INPUT', domain, `variant ${variant} is not loaded (${slot.variants.join(', ')})`));
    }
    let checked;
    try {
      checked = checkFeeds(domain, slot.manifest.inputs, feeds);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return slot.supervisor.run(variant, checked, opts.timeoutMs);
  }

  /**
   * Replaces the domain's model: a new worker loads and warms the new model while the old one keeps
   * answering; routing then switches at once, and the old worker drains its calls and exits (process
   * exit reclaims the native memory that repeated session create/release in one process would leak).
   * On failure the old model keeps serving.
   * @throws ModelLoadError or InferenceError from starting the new worker
   */
  swap(domain: string, model: ModelRef | string, opts?: OpenOptions): Promise<void> {
    return this.#serial(domain, async () => {
      const old = this.#slots.get(domain);
      if (old === undefined) throw new ModelLoadError('MODEL_LOAD', domain, 'no model is open for this domain; use open()');
      const next = await this.#startSlot(domain, model, opts ?? old.opts);
      this.#slots.set(domain, next);
      await old.supervisor.drain();
      await old.supervisor.close();
    });
  }

  /** Manifest of the model serving a domain (costs per variant for the scheduler). */
  manifest(domain: string): ModelManifest | undefined {
    return this.#slots.get(domain)?.manifest;
  }

  health(): DomainHealth[] {
    return [...this.#slots.values()].map((s) => s.supervisor.health());
  }

  /** Resident memory of each domain's worker in bytes (undefined for threads). */
  async workerRss(): Promise<Record<string, number | undefined>> {
    const out: Record<string, number | undefined> = {};
    for (const [d, s] of this.#slots) out[d] = await s.supervisor.rssBytes();
    return out;
  }

  /**
   * Test hook: injects a fault into a domain's worker.
   * @throws InferenceError `WORKER_CRASHED` when the pool was not created with `faultInjection`
   */
  inject(domain: string, kind: FaultKind): void {
    if (this.#o.faultInjection !== true) throw new InferenceError('WORKER_CRASHED', domain, 'fault injection is disabled');
    this.#slots.get(domain)?.supervisor.inject(kind);
  }

  /** Closes one domain (its worker exits). */
  async closeDomain(domain: string): Promise<void> {
    await this.#serial(domain, async () => {
      const slot = this.#slots.get(domain);
      this.#slots.delete(domain);
      await slot?.supervisor.close();
    });
  }

  /** Closes every domain; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#slots.keys()].map((d) => this.closeDomain(d)));
  }
}
