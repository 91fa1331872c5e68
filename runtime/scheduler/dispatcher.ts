/**
 * Earliest-deadline-first dispatch across domains, at most `cores` jobs on cores at once.
 *
 * Ready jobs are ordered by (criticality band, absolute deadline, release, id): safety jobs go
 * before comfort ones so best-effort load never delays a safety job by more than one running
 * job's remaining cost, and within a band the earliest deadline goes first. Jobs run to
 * completion. A job that cannot start by `deadline − cost` is dropped; one that completes after its
 * deadline is a miss.
 *
 * Two timings, one logic:
 * - `virtual`: the integrator calls `advanceTo(t)` from its replay loop; every release, start and
 *   completion happens at a modelled instant (completion = start + the profiled cost of the variant
 *   used), so the counts, latencies and their order do not depend on the wall clock.
 * - `real`: `run(signal)` sleeps on the clock until the next release; completions are measured.
 */
import type { Clock } from '../clock.js';
import { LatencyHistogram } from './histogram.js';
import { ServiceStats, type ServiceSummary } from './service-stats.js';
import type { Job, JobOutcome, ServiceMode, ServiceSpec, Variant } from './types.js';
import { defaultComfortCores, runsOnCore } from './types.js';

/** A clock the dispatcher may move forward itself (VirtualClock satisfies it). */
export interface SteppableClock extends Clock {
  advanceTo(t: number): Promise<void>;
}

export interface DispatcherOptions {
  readonly clock: Clock;
  readonly services: readonly ServiceSpec[];
  readonly cores: number;
  /**
   * Runs one job; supplied by the integrator (the domain service). In virtual timing it is awaited
   * before time moves on, so it must not sleep on the virtual clock itself.
   */
  readonly execute: (job: Job) => Promise<JobOutcome | void>;
  /** Default: `virtual` when the clock can be stepped (has `advanceTo`), else `real`. */
  readonly timing?: 'virtual' | 'real';
  /** The current mode of a service (the degradation ladder's `modeOf`); default: primary, full rate. */
  readonly modeOf?: (domain: string) => ServiceMode;
  /** Multiplies modelled costs (e.g. 1/speed while the cores are throttled); default 1. */
  readonly costScale?: () => number;
  /** Domains released only through `release()` (on message) instead of periodically. */
  readonly onMessage?: readonly string[];
  /** Time of the first periodic release; default `clock.now()`. */
  readonly start?: number;
  /**
   * Most cores comfort jobs may hold at once; default `cores − 1` (all of them on a single core),
   * so on a multi-core SoC one core is always left for a safety release.
   */
  readonly comfortCores?: number;
}


interface Running {
  readonly job: Job;
  readonly start: number;
  /** Modelled completion (virtual timing); set once `execute` has told which variant it used. */
  end: number;
  used: Variant;
}

interface Timer {
  readonly periodS: number;
  readonly fn: (t: number) => void | Promise<void>;
  k: number;
  readonly origin: number;
}

interface Periodic {
  readonly spec: ServiceSpec;
  readonly periodS: number;
  k: number;
}

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #virtual: boolean;
  readonly #specs = new Map<string, ServiceSpec>();
  readonly #stats = new Map<string, ServiceStats>();
  readonly #periodic: Periodic[] = [];
  readonly #origin: number;
  readonly #timers: Timer[] = [];
  #ready: Job[] = [];
  #pendingReleases: { t: number; domain: string; seq: number }[] = [];
  #running: Running[] = [];
  #onCore = 0;
  #comfortOnCore = 0;
  readonly #comfortCores: number;
  #nextId = 1;
  #seq = 0;
  #now: number;
  #busyDone = 0;
  #maxOnCore = 0;
  #wake: (() => void) | undefined;
  #kicked = false;
  readonly #inFlight = new Set<Promise<void>>();
  /** Real timing: how late each periodic release was processed, ms. */
  readonly releaseLateness = new LatencyHistogram();

  /**
   * @throws {RangeError} when `cores` is not a positive integer, a domain is unknown or duplicated,
   *   or virtual timing is asked for with a clock that cannot be stepped
   */
  constructor(options: DispatcherOptions) {
    if (!Number.isInteger(options.cores) || options.cores < 1) throw new RangeError(`cores must be a positive integer, got ${options.cores}`);
    const steppable = typeof (options.clock as Partial<SteppableClock>).advanceTo === 'function';
    this.#virtual = (options.timing ?? (steppable ? 'virtual' : 'real')) === 'virtual';
    if (this.#virtual && !steppable) throw new RangeError('virtual timing needs a clock with advanceTo (a VirtualClock)');
    this.#o = options;
    this.#comfortCores = Math.min(options.cores, options.comfortCores ?? defaultComfortCores(options.cores));
    if (!Number.isInteger(this.#comfortCores) || this.#comfortCores < 0) throw new RangeError(`comfortCores must be an integer >= 0, got ${options.comfortCores}`);
    this.#now = options.clock.now();
    this.#origin = options.start ?? this.#now;
    const onMessage = new Set(options.onMessage ?? []);
    for (const spec of options.services) {
      if (this.#specs.has(spec.domain)) throw new RangeError(`service ${spec.domain} listed twice`);
      this.#specs.set(spec.domain, spec);
      this.#stats.set(spec.domain, new ServiceStats());
      if (!onMessage.has(spec.domain)) this.#periodic.push({ spec, periodS: spec.periodMs / 1000, k: 0 });
    }
    for (const d of onMessage) if (!this.#specs.has(d)) throw new RangeError(`onMessage names unknown service ${d}`);
  }

  get timing(): 'virtual' | 'real' {
    return this.#virtual ? 'virtual' : 'real';
  }

  /** The dispatcher's current instant (the last processed event in virtual timing). */
  get now(): number {
    return this.#virtual ? this.#now : this.#o.clock.now();
  }

  /** Jobs on cores right now, and the most there ever were (never above `cores`). */
  get onCore(): number {
    return this.#onCore;
  }
  get maxOnCore(): number {
    return this.#maxOnCore;
  }

  /**
   * Calls `fn(t)` every `periodS` seconds of dispatcher time, before the releases due at the same
   * instant (so a ladder decision at t applies to jobs released at t). Used for the budget loop.
   * @throws {RangeError} for a non-positive period
   */
  every(periodS: number, fn: (t: number) => void | Promise<void>): void {
    if (!(periodS > 0)) throw new RangeError(`timer period must be positive, got ${periodS}`);
    this.#timers.push({ periodS, fn, k: 1, origin: this.#origin });
  }

  /**
   * Releases one job of an on-message (or any) service at `t` (default now).
   * @throws {RangeError} for an unknown domain or a release before the current instant
   */
  release(domain: string, t: number = this.now): void {
    if (!this.#specs.has(domain)) throw new RangeError(`unknown service ${domain}`);
    if (t < this.now - 1e-12) throw new RangeError(`release of ${domain} at ${t} is before now ${this.now}`);
    if (t <= this.now || !this.#virtual) this.#releaseJob(domain, this.#virtual ? t : this.now);
    else this.#pendingReleases.push({ t, domain, seq: this.#seq++ });
    this.#kicked = true;
    this.#wake?.();
  }

  /**
   * Virtual timing: processes every release, start and completion up to and including `t`, in
   * time order, stepping the clock to each instant so `execute` sees `clock.now()` = job start.
   * @throws {RangeError} in real timing, or when `t` is in the past
   */
  async advanceTo(t: number): Promise<void> {
    if (!this.#virtual) throw new RangeError('advanceTo is for virtual timing; use run() in real time');
    if (t < this.#now) throw new RangeError(`cannot go back from ${this.#now} to ${t}`);
    const clock = this.#o.clock as SteppableClock;
    // Work released at the current instant (on-message releases) starts now.
    if (this.#ready.length > 0) await this.#processAt(this.#now);
    for (;;) {
      const e = this.#nextEvent();
      if (e === undefined || e > t) break;
      if (e > clock.now()) await clock.advanceTo(e);
      this.#now = e;
      await this.#processAt(e);
    }
    this.#now = t;
    if (t > clock.now()) await clock.advanceTo(t);
  }

  /**
   * Real timing: dispatches until `signal` aborts, then waits for the jobs in flight.
   * @throws {RangeError} in virtual timing
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#virtual) throw new RangeError('run() is for real timing; use advanceTo() in virtual time');
    const clock = this.#o.clock;
    while (!signal.aborted) {
      this.#kicked = false;
      await this.#processAt(clock.now());
      // A job finished (or was released) while we were processing: go round before sleeping.
      // No await lies between this check and arming #wake, so no completion can slip in between.
      if (this.#kicked) continue;
      const next = this.#nextEvent();
      const sleep = new AbortController();
      const onAbort = (): void => sleep.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const woken = new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      const timed = next === undefined ? new Promise<void>(() => undefined) : clock.sleepUntil(next, sleep.signal).catch(() => undefined);
      await Promise.race([timed, woken, new Promise<void>((r) => sleep.signal.addEventListener('abort', () => r(), { once: true }))]);
      sleep.abort();
      signal.removeEventListener('abort', onAbort);
      this.#wake = undefined;
    }
    await Promise.all([...this.#inFlight]);
  }

  /** Counters and latency of one service. @throws {RangeError} for an unknown domain */
  stats(domain: string): ServiceStats {
    const s = this.#stats.get(domain);
    if (!s) throw new RangeError(`unknown service ${domain}`);
    return s;
  }

  /** Every service's block of the replay summary, in service order. */
  summary(): Record<string, ServiceSummary> {
    const out: Record<string, ServiceSummary> = {};
    for (const [d, s] of this.#stats) out[d] = s.summary();
    return out;
  }

  /** Core-seconds spent running on-core jobs up to now (completed plus the running part). */
  busyCoreSeconds(): number {
    const now = this.now;
    let running = 0;
    for (const r of this.#running) if (r.job.onCore) running += Math.max(0, Math.min(now, this.#virtual ? r.end : now) - r.start);
    return this.#busyDone + running;
  }

  #nextEvent(): number | undefined {
    let e = Infinity;
    for (const p of this.#periodic) e = Math.min(e, this.#origin + p.k * p.periodS);
    for (const tm of this.#timers) e = Math.min(e, tm.origin + tm.k * tm.periodS);
    for (const r of this.#pendingReleases) e = Math.min(e, r.t);
    if (this.#virtual) for (const r of this.#running) e = Math.min(e, r.end);
    return e === Infinity ? undefined : e;
  }

  async #processAt(now: number): Promise<void> {
    if (this.#virtual) this.#completeDue(now);
    for (const tm of this.#timers) {
      while (tm.origin + tm.k * tm.periodS <= now) {
        const at = tm.origin + tm.k * tm.periodS;
        tm.k++;
        await tm.fn(this.#virtual ? at : now);
      }
    }
    for (const p of this.#periodic) {
      while (this.#origin + p.k * p.periodS <= now) {
        const nominal = this.#origin + p.k * p.periodS;
        const mode = this.#mode(p.spec.domain);
        if (!this.#virtual) this.releaseLateness.record((now - nominal) * 1000);
        if (!mode.shed && p.k % Math.max(1, Math.round(mode.rateDivisor)) === 0) this.#releaseJob(p.spec.domain, this.#virtual ? nominal : now);
        p.k++;
      }
    }
    if (this.#pendingReleases.length > 0) {
      const due = this.#pendingReleases.filter((r) => r.t <= now).sort((a, b) => a.t - b.t || a.seq - b.seq);
      this.#pendingReleases = this.#pendingReleases.filter((r) => r.t > now);
      for (const r of due) this.#releaseJob(r.domain, r.t);
    }
    await this.#startReady(now);
  }

  #mode(domain: string): ServiceMode {
    const spec = this.#specs.get(domain)!;
    return this.#o.modeOf?.(domain) ?? { variant: spec.primary, rateDivisor: 1, shed: false };
  }

  #costS(spec: ServiceSpec, variant: Variant): number {
    const ms = spec.costMs[variant] ?? spec.costMs[spec.primary] ?? 0;
    return runsOnCore(variant) ? (ms / 1000) * Math.max(1e-9, this.#o.costScale?.() ?? 1) : ms / 1000;
  }

  #releaseJob(domain: string, t: number): void {
    const spec = this.#specs.get(domain)!;
    const mode = this.#mode(domain);
    const variant = spec.costMs[mode.variant] !== undefined ? mode.variant : spec.primary;
    const job: Job = {
      id: this.#nextId++,
      domain,
      variant,
      release: t,
      deadline: t + spec.deadlineMs / 1000,
      costS: this.#costS(spec, variant),
      onCore: runsOnCore(variant),
    };
    this.#stats.get(domain)!.released++;
    this.#ready.push(job);
  }

  async #startReady(now: number): Promise<void> {
    if (this.#ready.length === 0) return;
    const band = (j: Job): number => (this.#specs.get(j.domain)!.criticality === 'safety' ? 0 : 1);
    this.#ready.sort((a, b) => band(a) - band(b) || a.deadline - b.deadline || a.release - b.release || a.id - b.id);
    const keep: Job[] = [];
    const started: { run: Running; outcome: Promise<JobOutcome | void> }[] = [];
    for (const job of this.#ready) {
      // A tiny tolerance: the latest start is computed in floating point from ms profiles.
      if (now > job.deadline - job.costS + 1e-9) {
        this.#stats.get(job.domain)!.dropped++;
        continue;
      }
      const comfort = band(job) === 1;
      if (job.onCore && (this.#onCore >= this.#o.cores || (comfort && this.#comfortOnCore >= this.#comfortCores))) {
        keep.push(job);
        continue;
      }
      const run: Running = { job, start: now, end: Infinity, used: job.variant };
      if (job.onCore) {
        if (comfort) this.#comfortOnCore++;
        this.#onCore++;
        this.#maxOnCore = Math.max(this.#maxOnCore, this.#onCore);
      }
      this.#running.push(run);
      started.push({ run, outcome: this.#o.execute(job) });
    }
    this.#ready = keep;
    if (this.#virtual) {
      // Jobs starting at the same instant run concurrently in wall time; their modelled
      // completions are fixed once each reports which variant it really used.
      for (const s of started) {
        const outcome = await s.outcome.catch(() => 'failed' as const);
        if (outcome === 'failed') {
          s.run.end = now;
          this.#finish(s.run, now, undefined, true);
          continue;
        }
        const used = outcome?.variant ?? s.run.job.variant;
        s.run.end = now + (used === s.run.job.variant ? s.run.job.costS : this.#costS(this.#specs.get(s.run.job.domain)!, used));
        s.run.used = used;
      }
    } else {
      for (const s of started) {
        const p: Promise<void> = s.outcome.then(
          (o) => this.#finish(s.run, this.#o.clock.now(), o?.variant ?? s.run.job.variant, false),
          () => this.#finish(s.run, this.#o.clock.now(), undefined, true),
        );
        const tracked = p.finally(() => {
          this.#inFlight.delete(tracked);
          this.#kicked = true;
          this.#wake?.();
        });
        this.#inFlight.add(tracked);
      }
    }
  }

  #completeDue(now: number): void {
    const due = this.#running.filter((r) => r.end <= now).sort((a, b) => a.end - b.end || a.job.id - b.job.id);
    for (const r of due) this.#finish(r, r.end, r.used, false);
  }

  #finish(run: Running, end: number, used: Variant | undefined, failed: boolean): void {
    const i = this.#running.indexOf(run);
    if (i < 0) return;
    this.#running.splice(i, 1);
    if (run.job.onCore) {
      this.#onCore--;
      if (this.#specs.get(run.job.domain)!.criticality === 'comfort') this.#comfortOnCore--;
      this.#busyDone += Math.max(0, end - run.start);
    }
    const st = this.#stats.get(run.job.domain)!;
    if (failed) {
      st.failed++;
      st.missed++;
      return;
    }
    if (used) st.variants[used]++;
    st.latency.record(Math.max(0, end - run.job.release) * 1000);
    if (end <= run.job.deadline + 1e-9) st.met++;
    else st.missed++;
  }
}
