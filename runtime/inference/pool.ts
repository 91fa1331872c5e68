/**
 * The inference layer the services call: one supervised, isolated worker per domain, or one shared
 * process for a group of domains (a member whose call crashes or hangs the process is moved out to a
 * process of its own), opened from the registry, run with checked feeds, swapped to a new model
 * without dropping a call or leaking memory.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { RealClock, type Clock } from '../clock.js';
import { InferenceError, ModelLoadError } from '../errors.js';
import type { GroupEntry, InferenceEngine, OpenOptions, RunOptions } from './inference-engine.js';
import type { ModelManifest } from './manifest.js';
import { checkCall, notOpenError, prepareModel, type PreparedModel } from './model-prep.js';
import type { FaultKind, LoadMessage } from './protocol.js';
import { modelLabel, type ModelRef, type ModelRegistry } from './registry.js';
import { DomainSupervisor, type BackoffOptions, type DomainHealth, type RunTarget, type SupervisorOptions, type WorkerFault } from './supervisor.js';
import type { Feeds, Outputs } from './tensors.js';

/** The pool's options are the contract's; named here too for the callers that import the pool alone. */
export type { OpenOptions, RunOptions } from './inference-engine.js';

export interface PoolOptions {
  readonly registry: ModelRegistry;
  /** The pool adds `domain` (a worker's name) to what it logs; the caller binds the rest (`component`). */
  readonly logger?: Logger;
  /** Timestamps in health; supervision timers themselves run on wall time. */
  readonly clock?: Clock;
  /** The compiled worker entry; see {@link defaultWorkerEntry}. */
  readonly workerEntry?: string;
  readonly backoff?: BackoffOptions;
  /** Obey test-only `__fault` injections. Never set in production. */
  readonly faultInjection?: boolean;
  /**
   * Process workers: µs each side polls the frame pipe before sleeping (the parent for an answer,
   * the worker for a next call). Cuts the wake-up of a sleeping CPU out of a call's latency at the
   * price of at most that much CPU per call and side. Default 0. See spin-read.ts.
   */
  readonly spinUs?: number;
}

/** A domain's model, prepared, with the options it was opened with: ready to load into a worker. */
interface Member extends PreparedModel {
  readonly opts: OpenOptions;
}

interface Slot extends Member {
  readonly supervisor: DomainSupervisor;
  readonly target: RunTarget;
  /** The shared process the domain lives in, if any. */
  readonly group: string | undefined;
  /** The group a domain was moved out of after its call crashed or hung the group's process. */
  readonly quarantinedFrom?: string;
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

/** Supervisor options the pool adds for some workers: a shared process's fault handler, a carried-over history. */
type WorkerExtras = Pick<SupervisorOptions, 'onFault' | 'history'>;

const minOf = (xs: readonly (number | undefined)[]): number | undefined => xs.reduce<number | undefined>((a, x) => (x === undefined ? a : Math.min(a ?? x, x)), undefined);
const maxOf = (xs: readonly (number | undefined)[]): number | undefined => xs.reduce<number | undefined>((a, x) => (x === undefined ? a : Math.max(a ?? x, x)), undefined);

export class InferencePool implements InferenceEngine {
  readonly #o: PoolOptions;
  readonly #clock: Clock;
  readonly #entry: string;
  readonly #slots = new Map<string, Slot>();
  /** Members of each shared process, in slot order. */
  readonly #groups = new Map<string, readonly string[]>();
  /** Serialises open/swap per domain (per group for shared domains), so two swaps cannot interleave. */
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

  #serial<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.#busy.get(key) ?? Promise.resolve();
    const next = prev.then(job, job);
    this.#busy.set(key, next.catch(() => undefined));
    return next;
  }

  async #prepare(domain: string, model: ModelRef | string, opts: OpenOptions): Promise<Member> {
    return { ...(await prepareModel(this.#o.registry, domain, model, opts.variants)), opts };
  }

  /** Starts one worker for the members (one unless shared), loaded and warm. */
  async #startWorker(name: string, members: readonly Member[], isolation: 'process' | 'thread', extra: WorkerExtras = {}): Promise<DomainSupervisor> {
    const supervisor = this.#supervisor(name, members, isolation, extra);
    await supervisor.start();
    return supervisor;
  }

  #supervisor(name: string, members: readonly Member[], isolation: 'process' | 'thread', extra: WorkerExtras): DomainSupervisor {
    const opts = members.map((m) => m.opts);
    const load: LoadMessage = {
      t: 'load',
      domain: name,
      variants: members.flatMap((m, slot) => m.loads.map((l) => ({ ...l, slot }))),
      threads: maxOf(opts.map((o) => o.threads)) ?? 1,
      warmupRuns: maxOf(opts.map((o) => o.warmupRuns)) ?? 3,
      faults: this.#o.faultInjection ?? false,
    };
    const rssPollMs = minOf(opts.map((o) => o.rssPollMs));
    const startTimeoutMs = maxOf(opts.map((o) => o.startTimeoutMs));
    const execArgv = opts.find((o) => o.workerExecArgv !== undefined)?.workerExecArgv;
    return new DomainSupervisor({
      domain: name,
      model: members.map((m) => modelLabel(m.manifest)).join('+'),
      isolation,
      entry: this.#entry,
      load,
      watchdogMs: minOf(opts.map((o) => o.watchdogMs)) ?? 1_000,
      maxRssMb: opts.reduce((a, o) => a + (o.maxRssMb ?? 512), 0),
      clock: this.#clock,
      ...(rssPollMs === undefined ? {} : { rssPollMs }),
      ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
      ...(execArgv === undefined ? {} : { execArgv }),
      ...(this.#o.spinUs === undefined ? {} : { spinUs: this.#o.spinUs }),
      ...(this.#o.backoff === undefined ? {} : { backoff: this.#o.backoff }),
      ...(this.#o.logger === undefined ? {} : { logger: this.#o.logger.child({ domain: name }) }),
      ...extra,
    });
  }

  /** A shared process's fault handler: hands a fault traced to one member's call over to {@link #quarantine}. */
  #groupFaults(group: string): WorkerExtras {
    const onFault = (fault: WorkerFault, failed: DomainSupervisor): 'restart' | 'handover' => {
      const members = this.#groups.get(group) ?? [];
      const culprit = fault.culprit;
      if (this.#closed || culprit === undefined || members.length < 2 || !members.includes(culprit)) return 'restart';
      // A process being replaced by a swap restarts (and is closed) as before.
      if (this.#slots.get(culprit)?.supervisor !== failed) return 'restart';
      void this.#serial(`group:${group}`, () => this.#quarantine(group, culprit, failed));
      return 'handover';
    };
    return { onFault };
  }

  /**
   * After `culprit`'s call crashed or hung its group's process: restarts the other members in a new
   * group process first (they are innocent, so without backoff), then the culprit in a process of its
   * own, so that it cannot take them down again. Calls fail fast meanwhile, as in any restart.
   */
  async #quarantine(group: string, culprit: string, failed: DomainSupervisor): Promise<void> {
    const members = this.#members(group);
    // A swap or close since the fault replaced the failed process already.
    if (this.#closed || this.#slots.get(culprit)?.supervisor !== failed) {
      await failed.close();
      return;
    }
    const bad = members.find((m) => m.domain === culprit);
    const rest = members.filter((m) => m.domain !== culprit);
    if (bad === undefined) return;
    const history = { restarts: failed.health().restarts, lastError: failed.health().lastError };
    this.#o.logger?.warn({ group, domain: culprit, others: rest.map((m) => m.domain) }, 'moving the domain out of its shared process');
    let next: DomainSupervisor;
    try {
      next = await this.#startWorker(group, rest, 'process', { ...this.#groupFaults(group), history });
    } catch (err) {
      // Could not start the others apart: fall back to restarting the group as it was.
      this.#o.logger?.error({ group, err }, 'could not split the shared process; restarting it whole');
      failed.resume();
      return;
    }
    if (this.#closed) {
      await Promise.all([next.close(), failed.close()]);
      return;
    }
    rest.forEach((m, slot) => this.#slots.set(m.domain, { ...m, supervisor: next, target: { slot, domain: m.domain }, group }));
    this.#groups.set(group, rest.map((m) => m.domain));
    const alone = this.#supervisor(culprit, [bad], 'process', { history });
    this.#slots.set(culprit, { ...bad, supervisor: alone, target: { slot: 0, domain: culprit }, group: undefined, quarantinedFrom: group });
    await failed.close();
    // A culprit that cannot start again stays visible as failed; its service keeps its fallback.
    await alone.start().catch((err: unknown) => this.#o.logger?.error({ domain: culprit, err }, 'the moved-out domain did not start'));
  }

  /**
   * Replaces a shared process by one holding `members`: the new process loads and warms while the old
   * one answers, routing switches at once, then the old one drains and exits (process exit is what
   * gives onnxruntime's native memory back). On failure the old process keeps serving.
   */
  async #regroup(group: string, members: readonly Member[]): Promise<void> {
    const before = this.#groups.get(group) ?? [];
    const old = before.length > 0 ? this.#slots.get(before[0] ?? '')?.supervisor : undefined;
    const next = members.length > 0 ? await this.#startWorker(group, members, 'process', this.#groupFaults(group)) : undefined;
    for (const d of before) this.#slots.delete(d);
    members.forEach((m, slot) => {
      if (next !== undefined) this.#slots.set(m.domain, { ...m, supervisor: next, target: { slot, domain: m.domain }, group });
    });
    if (members.length > 0) this.#groups.set(group, members.map((m) => m.domain));
    else this.#groups.delete(group);
    if (old !== undefined) {
      await old.drain();
      await old.close();
    }
  }

  #members(group: string): Member[] {
    return (this.#groups.get(group) ?? []).flatMap((d) => {
      const s = this.#slots.get(d);
      return s === undefined ? [] : [s];
    });
  }

  /**
   * Starts the domain's worker with the model's local variants, verified and warmed; a `shared` domain
   * joins its group's process (which is restarted with one more model, without dropping a call).
   * @throws ModelLoadError (manifest, sha256, mismatch, load) — the domain stays closed
   * @throws InferenceError `WORKER_CRASHED` when the worker dies or stalls while starting
   */
  open(domain: string, model: ModelRef | string, opts: OpenOptions = {}): Promise<void> {
    const group = opts.isolation === 'shared' ? (opts.group ?? 'shared') : undefined;
    return this.#serial(group === undefined ? domain : `group:${group}`, async () => {
      if (this.#closed) throw new InferenceError('WORKER_CRASHED', domain, 'the inference pool is closed');
      if (this.#slots.has(domain)) throw new ModelLoadError('MODEL_LOAD', domain, 'domain already open; use swap()');
      const member = await this.#prepare(domain, model, opts);
      if (group !== undefined) {
        await this.#regroup(group, [...this.#members(group), member]);
        return;
      }
      const supervisor = await this.#startWorker(domain, [member], opts.isolation === 'thread' ? 'thread' : 'process');
      this.#slots.set(domain, { ...member, supervisor, target: { slot: 0, domain }, group: undefined });
    });
  }

  /**
   * Opens several domains of one shared process at once: one process starts with all their models,
   * where opening them one by one would start one process per member. Either all join or none does.
   * @throws ModelLoadError or InferenceError as {@link open}; the group keeps serving as it was
   */
  openGroup(group: string, entries: readonly GroupEntry[]): Promise<void> {
    return this.#serial(`group:${group}`, async () => {
      if (this.#closed) throw new InferenceError('WORKER_CRASHED', group, 'the inference pool is closed');
      for (const e of entries) if (this.#slots.has(e.domain)) throw new ModelLoadError('MODEL_LOAD', e.domain, 'domain already open; use swap()');
      const joining = await Promise.all(entries.map((e) => this.#prepare(e.domain, e.model, { ...e.opts, isolation: 'shared', group })));
      await this.#regroup(group, [...this.#members(group), ...joining]);
    });
  }

  /**
   * Runs one inference in the domain's worker. Feeds are checked here, before any IPC.
   * @throws InferenceError `INFERENCE_INPUT` (bad feed), `WORKER_CRASHED` (domain down: answer with the fallback),
   * `INFERENCE_TIMEOUT`, `INFERENCE_FAILED`
   */
  run(domain: string, feeds: Feeds, opts: RunOptions = {}): Promise<Outputs> {
    const slot = this.#slots.get(domain);
    if (slot === undefined) return Promise.reject(notOpenError(domain));
    let call;
    try {
      call = checkCall(slot, domain, feeds, opts.variant);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return slot.supervisor.run(call.variant, call.feeds, opts.timeoutMs, slot.target);
  }

  /**
   * Replaces the domain's model: a new worker loads and warms the new model while the old one keeps
   * answering; routing then switches at once, and the old worker drains its calls and exits (process
   * exit reclaims the native memory that repeated session create/release in one process would leak).
   * A shared domain's whole group moves to a new process this way. On failure the old model keeps serving.
   * @throws ModelLoadError or InferenceError from starting the new worker; `MODEL_LOAD` when the
   * options would move the domain into or out of a shared process (close and open it instead)
   */
  swap(domain: string, model: ModelRef | string, opts?: OpenOptions): Promise<void> {
    const group = this.#slots.get(domain)?.group;
    return this.#serial(group === undefined ? domain : `group:${group}`, async () => {
      const old = this.#slots.get(domain);
      if (old === undefined) throw new ModelLoadError('MODEL_LOAD', domain, 'no model is open for this domain; use open()');
      const o = opts ?? old.opts;
      const nextGroup = o.isolation === 'shared' ? (o.group ?? 'shared') : undefined;
      // A quarantined domain keeps its process of its own across swaps.
      if (nextGroup !== (old.group ?? old.quarantinedFrom)) throw new ModelLoadError('MODEL_LOAD', domain, 'swap cannot move a domain into or out of a shared process; close and open it');
      const member = await this.#prepare(domain, model, o);
      if (old.group !== undefined) {
        await this.#regroup(old.group, this.#members(old.group).map((m) => (m.domain === domain ? member : m)));
        return;
      }
      const supervisor = await this.#startWorker(domain, [member], o.isolation === 'thread' ? 'thread' : 'process');
      const quarantined = old.quarantinedFrom === undefined ? {} : { quarantinedFrom: old.quarantinedFrom };
      this.#slots.set(domain, { ...member, supervisor, target: { slot: 0, domain }, group: undefined, ...quarantined });
      await old.supervisor.drain();
      await old.supervisor.close();
    });
  }

  /** Manifest of the model serving a domain (costs per variant for the scheduler). */
  manifest(domain: string): ModelManifest | undefined {
    return this.#slots.get(domain)?.manifest;
  }

  /** One entry per domain; the domains of a shared process share its state, pid, restarts and calls in flight. */
  health(): DomainHealth[] {
    return [...this.#slots.values()].map((s) => {
      const h = s.supervisor.health();
      return s.group === undefined ? h : { ...h, domain: s.domain, model: modelLabel(s.manifest), isolation: 'shared' };
    });
  }

  /** Resident memory of each domain's worker in bytes (undefined for threads); a shared process appears under each of its domains. */
  async workerRss(): Promise<Record<string, number | undefined>> {
    const out: Record<string, number | undefined> = {};
    for (const [d, s] of this.#slots) out[d] = await s.supervisor.rssBytes();
    return out;
  }

  /**
   * Test hook: injects a fault into a domain's worker (for a shared domain: its whole process), at once,
   * or with `onRun` instead of the domain's next run, as a model that crashes or hangs onnxruntime would.
   * @throws InferenceError `WORKER_CRASHED` when the pool was not created with `faultInjection`
   */
  inject(domain: string, kind: FaultKind, opts: { readonly onRun?: boolean } = {}): void {
    if (this.#o.faultInjection !== true) throw new InferenceError('WORKER_CRASHED', domain, 'fault injection is disabled');
    const slot = this.#slots.get(domain);
    slot?.supervisor.inject(kind, opts.onRun === true ? slot.target.slot : undefined);
  }

  /** Closes one domain (its worker exits; a shared process restarts without it). */
  async closeDomain(domain: string): Promise<void> {
    const group = this.#slots.get(domain)?.group;
    if (group !== undefined) {
      await this.#serial(`group:${group}`, () => this.#regroup(group, this.#members(group).filter((m) => m.domain !== domain)));
      return;
    }
    await this.#serial(domain, async () => {
      const slot = this.#slots.get(domain);
      this.#slots.delete(domain);
      await slot?.supervisor.close();
    });
  }

  /** Closes every domain; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    // A group split under way when close began installs its moved-out domain afterwards: go round again.
    for (let round = 0; round < 3 && this.#slots.size > 0; round++) {
      const groups = [...this.#groups.keys()];
      await Promise.all([
        ...groups.map((g) => this.#serial(`group:${g}`, () => this.#closeGroup(g))),
        ...[...this.#slots.values()].filter((s) => s.group === undefined).map((s) => this.closeDomain(s.domain)),
      ]);
    }
  }

  async #closeGroup(group: string): Promise<void> {
    const members = this.#groups.get(group) ?? [];
    const supervisor = this.#slots.get(members[0] ?? '')?.supervisor;
    for (const d of members) this.#slots.delete(d);
    this.#groups.delete(group);
    await supervisor?.close();
  }
}
