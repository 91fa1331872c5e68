/**
 * Keeps one domain's inference worker alive: detects a crash (exit or signal), a hang (a call past
 * the watchdog) and runaway memory (RSS over the limit, polled), kills and restarts the worker with
 * exponential backoff, and fails calls fast with a typed error meanwhile, so the caller answers with
 * its rule-based fallback. A worker that leaves a call unanswered past its caller's deadline is
 * stalled: every call fails fast until it answers again, and a stalled process found stopped
 * (SIGSTOP, a tracer) is killed and restarted at once rather than at the watchdog. Health is data:
 * state, restarts, last error.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { InferenceError, ModelLoadError, type RuntimeErrorCode } from '../errors.js';
import type { LocalVariant } from './manifest.js';
import type { FaultKind, FromWorker, LoadMessage, WireError } from './protocol.js';
import type { Outputs, TensorData } from './tensors.js';
import { spawnWorker, type ChannelKind, type Isolation, type WorkerChannel } from './worker-channel.js';

export type DomainState = 'starting' | 'ready' | 'restarting' | 'failed' | 'closed';

/** One domain's health, as the daemon's /health and metrics report it. */
export interface DomainHealth {
  readonly domain: string;
  readonly state: DomainState;
  readonly isolation: Isolation;
  /** name@version of the model serving (or starting to serve) the domain. */
  readonly model: string;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** The wait before the latest restart, ms (exponential backoff); undefined before any restart. */
  readonly lastBackoffMs: number | undefined;
  readonly inFlight: number;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: number } | undefined;
}

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export interface SupervisorOptions {
  readonly domain: string;
  readonly model: string;
  readonly isolation: ChannelKind;
  readonly entry: string;
  readonly load: LoadMessage;
  /** A call outstanding this long means the worker is hung: it is killed and restarted. */
  readonly watchdogMs: number;
  /** Worker RSS above this (polled) means a leak: killed and restarted. */
  readonly maxRssMb: number;
  readonly rssPollMs?: number;
  readonly backoff?: BackoffOptions;
  /** A worker up this long without failing resets the backoff. */
  readonly stableMs?: number;
  /** Time to load and warm a worker before it counts as failed. */
  readonly startTimeoutMs?: number;
  /** Node flags for a process worker; default {@link WORKER_EXEC_ARGV}. */
  readonly execArgv?: readonly string[];
  /** See PoolOptions.spinUs. */
  readonly spinUs?: number;
  /**
   * Told of every failure of a started worker before it is restarted. Returning `handover` leaves
   * the restart to the caller (the supervisor stays down until closed): a shared process moves its
   * culprit out instead of restarting everyone with it.
   */
  readonly onFault?: (fault: WorkerFault, from: DomainSupervisor) => 'restart' | 'handover';
  /** Restarts and last error carried over from the worker this one replaces after a handover. */
  readonly history?: { readonly restarts: number; readonly lastError: DomainHealth['lastError'] };
  readonly clock: Clock;
  /** Bound to the worker's name (`domain`) by the caller. */
  readonly logger?: Logger;
}

interface Pending {
  /** The domain that made the call: errors name it, also in a shared worker. */
  readonly domain: string;
  readonly resolve: (o: Outputs) => void;
  readonly reject: (e: Error) => void;
  readonly deadline: NodeJS.Timeout | undefined;
}

/** A failure of a running worker, and the domain whose call it died or hung in, when one can tell. */
export interface WorkerFault {
  readonly code: 'WORKER_CRASHED' | 'INFERENCE_TIMEOUT';
  readonly detail: string;
  /**
   * The domain of the oldest call the worker had been sent and not answered: a worker runs its calls
   * in order, so that is the call it died or hung in. Undefined when no call was out, or for a fault
   * that builds up over many calls (RSS).
   */
  readonly culprit: string | undefined;
}

/** Which domain of the worker a call is for: slot 0 and the supervisor's own domain unless the worker is shared. */
export interface RunTarget {
  readonly slot: number;
  readonly domain: string;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5_000, factor: 2 };

function fromWire(domain: string, e: WireError): Error {
  if (e.name === 'ModelLoadError' && (e.code === 'MODEL_MISMATCH' || e.code === 'MODEL_LOAD' || e.code === 'MODEL_MANIFEST')) {
    return new ModelLoadError(e.code, domain, e.message);
  }
  const code = (['INFERENCE_INPUT', 'INFERENCE_FAILED', 'INFERENCE_TIMEOUT', 'WORKER_CRASHED'] as const).find((c) => c === e.code) ?? 'INFERENCE_FAILED';
  // The worker's message already starts with the domain; do not repeat it.
  return new InferenceError(code, domain, e.message.startsWith(`${domain}: `) ? e.message.slice(domain.length + 2) : e.message);
}

export class DomainSupervisor {
  readonly #o: SupervisorOptions;
  #state: DomainState = 'starting';
  #channel: WorkerChannel | undefined;
  #pending = new Map<number, Pending>();
  /**
   * Calls sent and not yet answered by the worker, oldest first. Unlike #pending, a caller that stops
   * waiting (its own timeout) does not remove its call: the watchdog must still see a worker that
   * never answers, and a crash must still be traced to the call it happened in.
   */
  #outstanding = new Map<number, { readonly domain: string; readonly sentAt: number }>();
  #nextId = 1;
  #restarts = 0;
  #lastBackoffMs: number | undefined;
  #consecutive = 0;
  #readyAt = 0;
  #lastError: DomainHealth['lastError'];
  #restartTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #watchTimer: NodeJS.Timeout | undefined;
  #firstStart: { resolve: () => void; reject: (e: Error) => void } | undefined;
  #drained: (() => void)[] = [];
  /**
   * Set while the worker holds a call past its caller's deadline. The worker answers in order, so
   * nothing sent behind that call can come back in time: calls fail fast instead of each holding its
   * caller (and a core of the scheduler) until its own deadline.
   */
  #stalled: { readonly since: number; readonly detail: string } | undefined;
  /** A /proc read of the stalled worker's state is under way. */
  #probing = false;

  constructor(opts: SupervisorOptions) {
    this.#o = opts;
    this.#restarts = opts.history?.restarts ?? 0;
    this.#lastError = opts.history?.lastError;
  }

  get state(): DomainState {
    return this.#state;
  }

  /**
   * Starts the worker and resolves once it is loaded and warm.
   * @throws ModelLoadError when the worker cannot load the model (the supervisor is then `failed`)
   */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#firstStart = { resolve, reject };
      this.#spawn();
    });
  }

  #spawn(): void {
    const o = this.#o;
    const channel = spawnWorker(o.isolation, o.entry, {
      heapLimitMb: o.maxRssMb,
      domain: o.domain,
      ...(o.execArgv === undefined ? {} : { execArgv: o.execArgv }),
      ...(o.spinUs === undefined ? {} : { spinUs: o.spinUs }),
    });
    this.#channel = channel;
    const startTimer = setTimeout(() => this.#fail(channel, 'WORKER_CRASHED', `did not become ready within ${o.startTimeoutMs ?? 30_000} ms`, false), o.startTimeoutMs ?? 30_000);
    channel.onMessage((m) => this.#onMessage(channel, m, startTimer));
    channel.onExit((info) => {
      clearTimeout(startTimer);
      if (this.#channel !== channel || this.#state === 'closed') return;
      this.#fail(channel, 'WORKER_CRASHED', info.reason ?? `worker exited (${info.signal === null ? `code ${info.code}` : `signal ${info.signal}`})`, true);
    });
    channel.send(o.load);
  }

  #onMessage(channel: WorkerChannel, m: FromWorker, startTimer: NodeJS.Timeout): void {
    if (this.#channel !== channel) return;
    switch (m.t) {
      case 'ready':
        clearTimeout(startTimer);
        this.#state = 'ready';
        this.#readyAt = this.#o.clock.now();
        this.#startMonitors(channel);
        this.#o.logger?.info({ pid: channel.pid, restarts: this.#restarts }, 'inference worker ready');
        this.#firstStart?.resolve();
        this.#firstStart = undefined;
        return;
      case 'load-error': {
        clearTimeout(startTimer);
        const err = fromWire(this.#o.domain, m.error);
        if (this.#firstStart !== undefined || err instanceof ModelLoadError) {
          // The model itself is bad; restarting would fail the same way.
          this.#setError(err);
          this.#state = 'failed';
          channel.kill();
          this.#firstStart?.reject(err);
          this.#firstStart = undefined;
          return;
        }
        this.#fail(channel, 'WORKER_CRASHED', err.message, false);
        return;
      }
      case 'result':
      case 'error': {
        this.#outstanding.delete(m.id);
        if (this.#stalled !== undefined && this.#outstanding.size === 0) {
          this.#o.logger?.info({ stalledMs: Math.round((this.#o.clock.now() - this.#stalled.since) * 1000) }, 'inference worker answers again');
          this.#stalled = undefined;
        }
        const p = this.#pending.get(m.id);
        if (p === undefined) return;
        this.#settle(m.id);
        if (m.t === 'result') p.resolve(m.outputs);
        else p.reject(fromWire(p.domain, m.error));
        return;
      }
    }
  }

  #startMonitors(channel: WorkerChannel): void {
    const o = this.#o;
    this.#pollTimer = setInterval(() => {
      void channel.rssBytes().then((rss) => {
        if (rss !== undefined && rss > o.maxRssMb * 2 ** 20 && this.#channel === channel) {
          this.#fail(channel, 'WORKER_CRASHED', `worker RSS ${(rss / 2 ** 20).toFixed(0)} MB over the limit of ${o.maxRssMb} MB`, false);
        }
      });
    }, o.rssPollMs ?? 250);
    // One coarse timer for all calls: a hang is "the oldest call is older than the watchdog".
    this.#watchTimer = setInterval(() => {
      const now = this.#o.clock.now();
      const oldest = this.#outstanding.values().next().value;
      if (oldest !== undefined && (now - oldest.sentAt) * 1000 > o.watchdogMs) {
        this.#fail(channel, 'INFERENCE_TIMEOUT', `a call has run for over ${o.watchdogMs} ms (watchdog)`, true);
      } else if (this.#stalled !== undefined) {
        // It may be stopped after the stall was seen.
        this.#probeStopped(channel);
      }
    }, Math.max(5, Math.min(50, o.watchdogMs / 4)));
  }

  /**
   * After a caller gave up on call `id`: if the worker has still not answered it once the answers
   * already waiting in the pipe are read (a late event loop runs timers before it reads), the
   * worker is stalled. The other calls waiting on it are failed now, so their callers answer with
   * their fallbacks at once.
   */
  #checkStall(channel: WorkerChannel, id: number, domain: string, waitedMs: number): void {
    setImmediate(() => {
      if (this.#stalled !== undefined || this.#channel !== channel || this.#state !== 'ready' || !this.#outstanding.has(id)) return;
      const detail = `stalled: ${domain}'s call unanswered after its caller's ${Math.ceil(waitedMs)} ms`;
      this.#stalled = { since: this.#o.clock.now(), detail };
      this.#setError(new InferenceError('INFERENCE_TIMEOUT', this.#o.domain, detail));
      this.#o.logger?.warn({ domain: this.#o.domain, culprit: domain, waitedMs: Math.ceil(waitedMs) }, 'inference worker stalled; calls fail fast until it answers');
      for (const pid of [...this.#pending.keys()]) {
        const p = this.#pending.get(pid);
        this.#settle(pid);
        p?.reject(new InferenceError('INFERENCE_TIMEOUT', p.domain, `inference unavailable (${detail})`));
      }
      this.#probeStopped(channel);
    });
  }

  /** Kills and restarts a stalled worker found stopped: no call of any member is to blame, so none is moved out. */
  #probeStopped(channel: WorkerChannel): void {
    if (this.#probing) return;
    this.#probing = true;
    void channel.stopped().then((stopped) => {
      this.#probing = false;
      if (stopped && this.#stalled !== undefined && this.#channel === channel) {
        this.#fail(channel, 'INFERENCE_TIMEOUT', 'the worker process is stopped (SIGSTOP or a tracer) with calls unanswered', false);
      }
    });
  }

  #stopMonitors(): void {
    clearInterval(this.#pollTimer);
    clearInterval(this.#watchTimer);
    this.#pollTimer = undefined;
    this.#watchTimer = undefined;
  }

  #setError(err: Error & { code?: RuntimeErrorCode }): void {
    this.#lastError = { code: err.code ?? 'WORKER_CRASHED', message: err.message, at: this.#o.clock.now() };
  }

  /**
   * Kills the worker, fails its calls, and schedules a restart (or gives up when it never started).
   * @param traceable whether the oldest unanswered call is where the fault happened (a crash or a hang)
   */
  #fail(channel: WorkerChannel, code: 'WORKER_CRASHED' | 'INFERENCE_TIMEOUT', detail: string, traceable: boolean): void {
    if (this.#channel !== channel || this.#state === 'closed') return;
    this.#stopMonitors();
    this.#channel = undefined;
    this.#stalled = undefined;
    channel.kill();
    const culprit = traceable ? this.#outstanding.values().next().value?.domain : undefined;
    this.#outstanding.clear();
    const err = new InferenceError(code, this.#o.domain, detail);
    this.#setError(err);
    this.#o.logger?.warn({ code, detail, ...(culprit === undefined ? {} : { culprit }) }, 'inference worker failed');
    for (const id of [...this.#pending.keys()]) {
      const p = this.#pending.get(id);
      this.#settle(id);
      p?.reject(p.domain === this.#o.domain ? err : new InferenceError(code, p.domain, `${this.#o.domain}: ${detail}`));
    }
    if (this.#firstStart !== undefined) {
      this.#state = 'failed';
      this.#firstStart.reject(err);
      this.#firstStart = undefined;
      return;
    }
    this.#restarts++;
    this.#state = 'restarting';
    if (this.#o.onFault?.({ code, detail, culprit }, this) === 'handover') return;
    this.#scheduleRestart();
  }

  /** Restarts the worker after the backoff its recent failures call for. */
  #scheduleRestart(): void {
    if (this.#readyAt > 0 && (this.#o.clock.now() - this.#readyAt) * 1000 > (this.#o.stableMs ?? 10_000)) this.#consecutive = 0;
    const b = this.#o.backoff ?? DEFAULT_BACKOFF;
    const wait = Math.min(b.maxMs, b.initialMs * b.factor ** this.#consecutive);
    this.#lastBackoffMs = wait;
    this.#consecutive++;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#state === 'restarting') this.#spawn();
    }, wait);
  }

  #settle(id: number): void {
    const p = this.#pending.get(id);
    if (p?.deadline !== undefined) clearTimeout(p.deadline);
    this.#pending.delete(id);
    if (this.#pending.size === 0) for (const cb of this.#drained.splice(0)) cb();
  }

  /**
   * Sends checked feeds to the worker.
   * @throws InferenceError `WORKER_CRASHED` at once when the worker is not ready, `INFERENCE_TIMEOUT` past
   * `timeoutMs`, `WORKER_CRASHED` when it dies mid-call, or the worker's own error
   */
  run(variant: LocalVariant, feeds: Readonly<Record<string, TensorData>>, timeoutMs?: number, target: RunTarget = { slot: 0, domain: this.#o.domain }): Promise<Outputs> {
    const channel = this.#channel;
    const domain = target.domain;
    if (this.#state !== 'ready' || channel === undefined) {
      const why = this.#lastError === undefined ? '' : ` after ${this.#lastError.code}: ${this.#lastError.message}`;
      return Promise.reject(new InferenceError('WORKER_CRASHED', domain, `inference unavailable (${this.#state}${why})`));
    }
    if (this.#stalled !== undefined) return Promise.reject(new InferenceError('INFERENCE_TIMEOUT', domain, `inference unavailable (${this.#stalled.detail})`));
    const id = this.#nextId++;
    return new Promise<Outputs>((resolve, reject) => {
      const deadline =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              // The caller gives up here; the worker is judged stalled, stopped or hung apart.
              this.#settle(id);
              reject(new InferenceError('INFERENCE_TIMEOUT', domain, `no answer within ${Math.ceil(timeoutMs)} ms`));
              this.#checkStall(channel, id, domain, timeoutMs);
            }, timeoutMs);
      const sentAt = this.#o.clock.now();
      this.#pending.set(id, { domain, resolve, reject, deadline });
      this.#outstanding.set(id, { domain, sentAt });
      try {
        channel.send({ t: 'run', id, variant, slot: target.slot, feeds });
      } catch (err) {
        // A feed the channel cannot carry fails this call only.
        this.#outstanding.delete(id);
        this.#settle(id);
        reject(new InferenceError('INFERENCE_INPUT', domain, err instanceof Error ? err.message : String(err), { cause: err }));
      }
    });
  }

  /**
   * Test hook: asks the worker to injure itself (ignored unless the load allowed faults), at once or,
   * with `onRunOfSlot`, instead of that slot's next run.
   */
  inject(kind: FaultKind, onRunOfSlot?: number): void {
    this.#channel?.send(onRunOfSlot === undefined ? { t: '__fault', kind } : { t: '__fault', kind, onRunOfSlot });
  }

  /** Restarts a worker left down by a `handover` (the caller could not take it over), after the usual backoff. */
  resume(): void {
    if (this.#state === 'restarting' && this.#channel === undefined && this.#restartTimer === undefined) this.#scheduleRestart();
  }

  /** Resolves when no call is outstanding. */
  drain(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Asks the worker to exit, killing it after `graceMs`; idempotent. */
  async close(graceMs = 2_000): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopMonitors();
    clearTimeout(this.#restartTimer);
    this.#stalled = undefined;
    const channel = this.#channel;
    this.#channel = undefined;
    this.#outstanding.clear();
    const gone = new Error('closed');
    for (const id of [...this.#pending.keys()]) {
      const p = this.#pending.get(id);
      this.#settle(id);
      p?.reject(new InferenceError('WORKER_CRASHED', p.domain, 'inference closed', { cause: gone }));
    }
    if (channel === undefined) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => channel.kill(), graceMs);
      channel.onExit(() => {
        clearTimeout(killer);
        resolve();
      });
      channel.send({ t: 'close' });
    });
  }

  health(): DomainHealth {
    return {
      domain: this.#o.domain,
      state: this.#state,
      isolation: this.#o.isolation,
      model: this.#o.model,
      pid: this.#channel?.pid,
      restarts: this.#restarts,
      lastBackoffMs: this.#lastBackoffMs,
      inFlight: this.#pending.size,
      lastError: this.#lastError,
    };
  }

  /** The worker's resident memory in bytes, where it can be told apart. */
  rssBytes(): Promise<number | undefined> {
    return this.#channel?.rssBytes() ?? Promise.resolve(undefined);
  }
}
