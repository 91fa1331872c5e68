/**
 * What the runtime asks of whatever runs its models: the engine's runners call `run`, the domain
 * models are opened with `open` / `openGroup`, the daemon reports `health` and both the daemon and
 * replay `close` it. Two implementations: `InferencePool` (pool.ts), supervised worker processes or
 * threads that survive a crash or a hang of onnxruntime, and `InProcessInference` (in-process.ts),
 * the same models in the calling thread, for unit tests and embedding.
 */
import type { LocalVariant } from './manifest.js';
import type { ModelRef, ModelRegistry } from './registry.js';
import type { DomainHealth } from './supervisor.js';
import type { Feeds, Outputs } from './tensors.js';
import type { Isolation } from './worker-channel.js';

export interface OpenOptions {
  /**
   * `process` (default) survives native crashes and gives memory back on exit; `thread` is lighter;
   * `shared` puts the domain in one process with the other domains of its {@link group}: one node and
   * one onnxruntime for all of them. A crash or hang in one member's call moves that member out to a
   * process of its own and restarts the others without it; a fault that cannot be traced to one call
   * (RSS over the limit) restarts the group as one.
   */
  readonly isolation?: Isolation;
  /** The shared process a `shared` domain joins. Default `shared`. */
  readonly group?: string;
  /** A call outstanding longer than this kills and restarts the worker. Default 1000 (a group: its members' least). */
  readonly watchdogMs?: number;
  /** Worker RSS limit (process isolation); JS heap limit for threads. Default 512 (a group: its members' sum). */
  readonly maxRssMb?: number;
  /** onnxruntime intra-op threads. Default 1. */
  readonly threads?: number;
  /** Local variants to load; default every local variant the manifest has. */
  readonly variants?: readonly LocalVariant[];
  readonly warmupRuns?: number;
  readonly rssPollMs?: number;
  readonly startTimeoutMs?: number;
  /** Node flags for a process worker, replacing the defaults of `WORKER_EXEC_ARGV` (profiling, heap sizes). */
  readonly workerExecArgv?: readonly string[];
}

export interface RunOptions {
  /** Default: the variant of the opened ModelRef, else fp32 if loaded, else int8. */
  readonly variant?: LocalVariant;
  /** The caller's deadline; past it the call fails with INFERENCE_TIMEOUT (the worker keeps running). */
  readonly timeoutMs?: number;
}

/** One domain of a group opened at once. */
export interface GroupEntry {
  readonly domain: string;
  readonly model: ModelRef | string;
  readonly opts?: OpenOptions;
}

/** A domain's health; `in-process` names a model run in the caller's own thread (no worker, no restarts). */
export type InferenceHealth = Omit<DomainHealth, 'isolation'> & { readonly isolation: Isolation | 'in-process' };

/**
 * Both implementations give the same outputs for the same model and feeds (same onnxruntime, same
 * session options) and the same typed errors for what the caller got wrong.
 */
export interface InferenceEngine {
  /**
   * Makes the domain's model ready: resolved in the registry, its sha256 and boundary verified, every
   * requested local variant loaded and warmed up. Resolves once `run` can answer.
   * @throws ModelLoadError `MODEL_LOAD` (not registered, unreadable, sha256, domain already open),
   * `MODEL_MISMATCH` (the manifest names another domain, or the model's boundary differs from it),
   * `MODEL_MANIFEST`; the domain stays closed
   * @throws InferenceError `WORKER_CRASHED` when the engine is closed (the pool also when a worker dies
   * or stalls while starting)
   */
  open(domain: string, model: ModelRef | string, opts?: OpenOptions): Promise<void>;

  /**
   * Opens several domains that share one process (the pool starts it once with all their models).
   * Either all open or none does.
   * @throws as {@link open}
   */
  openGroup(group: string, entries: readonly GroupEntry[]): Promise<void>;

  /**
   * One inference. Feeds are checked against the manifest (names, dtype, shape, finite values) before
   * onnxruntime sees them.
   * @throws InferenceError `INFERENCE_INPUT` (bad feed, variant not loaded), `WORKER_CRASHED` (no model
   * open for the domain, or its worker is down: the caller answers with its fallback),
   * `INFERENCE_FAILED` (onnxruntime failed), `INFERENCE_TIMEOUT` (the pool only: past `timeoutMs`)
   */
  run(domain: string, feeds: Feeds, opts?: RunOptions): Promise<Outputs>;

  /** One entry per open domain; empty once closed. */
  health(): InferenceHealth[];

  /** Releases every model (the pool: its workers exit); idempotent. Opening afterwards fails. */
  close(): Promise<void>;
}

/** How the daemon and replay get their engine once the registry exists; the default is the worker pool. */
export type InferenceFactory = (registry: ModelRegistry) => Promise<InferenceEngine>;
