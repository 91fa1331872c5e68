/**
 * The runtime's core, shared by the daemon (`ecu-ai run`, real time) and replay (`ecu-ai replay`,
 * virtual time): frames in through the DBC codecs and the signal store, domain services dispatched
 * by the budget-aware scheduler, results encoded back into frames.
 *
 * In virtual time every decision depends only on the frames, the config and the modelled costs,
 * so two replays give the same results; wall-clock figures are kept apart (`wallLatency`).
 */
import type { Logger } from 'pino';
import type { CanFrame } from '../../bus/frame.js';
import { makeFrame } from '../../bus/frame.js';
import { E2eSealer, type E2eMessage } from '../../bus/e2e.js';
import type { Clock } from '../clock.js';
import type { EcuAiConfig } from '../config.js';
import { createPlatform, type Platform, type PlatformReading } from '../platform/index.js';
import {
  admit,
  attachGovernor,
  DegradationLadder,
  Dispatcher,
  LatencyHistogram,
  serviceSpec,
  type AdmissionReport,
  type Governor,
  type LadderEvent,
  type ServiceSpec,
  type Variant,
} from '../scheduler/index.js';
import { FeatureWindow, SignalCatalog, SignalRouter, SignalStore } from '../signals/index.js';
import type { DomainDefinition, ResultStabilizer } from '../service/domain.js';
import type { ResolvedDomain } from '../service/resolved.js';
import { referenceVehicleSignals } from '../vehicle/reference-mapping.js';
import type { ResolvedSignal } from '../vehicle/types.js';
import { planDomainInputs, windowSpecOf, type DomainInputPlan } from './domain-inputs.js';
import { sharedWorkerOf } from './isolation.js';
import { DomainServiceRunner, type LocalInference, type RemoteInference, type ServiceResult } from '../service/runner.js';

/** The per-message codec view the engine needs from a compiled DBC (bus/dbc's CompiledDatabase satisfies it). */
export interface EngineCodecs {
  forFrame(frame: CanFrame): { readonly message: { readonly name: string; readonly cycleTimeMs?: number | undefined }; decode(data: Uint8Array): Readonly<Record<string, number | string>> } | undefined;
  byName(name: string):
    | {
        readonly message: E2eMessage & { readonly extended: boolean; readonly fd: boolean; readonly length: number };
        encode(values: Readonly<Record<string, number | string>>, options?: { strict?: boolean }): Uint8Array;
      }
    | undefined;
}

/** A domain's model as the engine needs it: names at its boundary and its profiled costs. */
export interface DomainModelInfo {
  readonly model: string;
  readonly inputName: string;
  readonly outputName: string;
  /** Profiled cost per variant, ms (p99 of the manifest). */
  readonly costMs: Readonly<Partial<Record<Variant, number>>>;
}

export interface EngineOptions {
  readonly config: Readonly<EcuAiConfig>;
  /** The domains served, resolved against the config once (runtime/service/resolved.ts). */
  readonly domains: readonly ResolvedDomain[];
  readonly models: Readonly<Partial<Record<string, DomainModelInfo>>>;
  readonly codecs: EngineCodecs;
  /**
   * The vehicle's catalog signals and where each comes from (a resolved vehicle profile). A domain
   * whose required inputs are not all here is disabled. Default: the reference vehicle.
   */
  readonly vehicleSignals?: ReadonlyMap<string, ResolvedSignal>;
  /** Optional validation of the mapped signals against the DBC's messages. */
  readonly dbcMessages?: Iterable<{ readonly name: string; readonly signals: Iterable<{ readonly name: string }> }>;
  readonly clock: Clock;
  readonly timing: 'virtual' | 'real';
  readonly local?: LocalInference;
  readonly cloud?: RemoteInference;
  /** Channel the domains' output frames are stamped with. Default `can0`. */
  readonly outputChannel?: string;
  /** Receives every output frame (to a bus, a trace writer, a counter). */
  readonly send?: (frame: CanFrame) => void;
  readonly onResult?: (r: ServiceResult) => void;
  readonly onEvent?: (e: LadderEvent) => void;
  readonly onPlatform?: (r: PlatformReading) => void;
  /** Each served call's wall-clock duration (ms) and the variant that answered. */
  readonly onServed?: (domain: string, variant: Variant, wallMs: number) => void;
  readonly logger?: Logger;
  /** Budget loop period, s. Default 1. */
  readonly governorPeriodS?: number;
}

/** Answers a replay may have outstanding before virtual time waits for the oldest. */
const IN_FLIGHT = 64;

/** Modelled cost of the rule-based fallback, ms: a handful of comparisons on the window. */
export const FALLBACK_COST_MS = 0.05;

export class Engine {
  readonly store: SignalStore;
  readonly router: SignalRouter;
  readonly dispatcher: Dispatcher;
  readonly ladder: DegradationLadder;
  readonly governor: Governor;
  readonly admission: AdmissionReport;
  readonly services: readonly ServiceSpec[];
  readonly runners: ReadonlyMap<string, DomainServiceRunner>;
  /** Which domains run on this vehicle, which are disabled and why, which inputs take their defaults. */
  readonly inputs: DomainInputPlan;
  /** Wall-clock duration of each served call, ms, per domain: reported beside, never fed back. */
  readonly wallLatency = new Map<string, LatencyHistogram>();
  readonly #o: EngineOptions;
  readonly #outputFrames = new Map<string, number>();
  /** Virtual time: ids of started jobs whose results are not yet reported, in start order. */
  readonly #order: number[] = [];
  readonly #ready = new Map<number, { d: DomainDefinition; r: ServiceResult }>();
  readonly #dispatched = new Map<number, Variant>();
  #inFlight: Promise<unknown>[] = [];
  /** Rolling counters of the output messages, owned here so every engine (every replay) starts at 0. */
  /** The end-to-end protection of each output message this engine sends (null: unprotected). */
  readonly #sealers = new Map<string, E2eSealer | null>();
  #encodeErrors = 0;

  /**
   * Builds the signal path, the services and the scheduler for the resolved domains.
   * @throws {AdmissionError} when the safety services cannot meet their deadlines on the cores
   * @throws {CatalogMismatchError} when a mapped signal the running domains read is not in the DBC
   * @throws {ConfigInvalidError} when a domain's window reads a signal it does not declare as an input
   */
  constructor(options: EngineOptions) {
    this.#o = options;
    const cfg = options.config;
    const vehicleSignals = options.vehicleSignals ?? referenceVehicleSignals();
    this.inputs = planDomainInputs(options.domains.map((d) => d.definition), vehicleSignals);
    const source = mappingSource(this.inputs, vehicleSignals);
    const catalog = new SignalCatalog(this.inputs.entries, source);
    if (options.dbcMessages) catalog.validateAgainst({ messages: options.dbcMessages }, source);
    this.store = new SignalStore(catalog);
    this.router = new SignalRouter(options.codecs, this.store);

    const services: ServiceSpec[] = [];
    const runners = new Map<string, DomainServiceRunner>();
    const running = new Set(this.inputs.running);
    for (const spec of options.domains.filter((x) => running.has(x.domain))) {
      const d = spec.definition;
      const info = options.models[d.domain];
      const window = new FeatureWindow(this.store, windowSpecOf(d, this.inputs));
      this.router.attach(window);
      const costMs: Partial<Record<Variant, number>> = { fallback: FALLBACK_COST_MS };
      if (info && options.local) {
        if (info.costMs.fp32 !== undefined) costMs.fp32 = info.costMs.fp32;
        if (info.costMs.int8 !== undefined) costMs.int8 = info.costMs.int8;
      }
      // Safety services never leave the vehicle: no cloud variant for them at all.
      // A cloud round trip slower than the deadline is no rung to step down to.
      if (info?.costMs.cloud !== undefined && options.cloud && spec.criticality === 'comfort' && info.costMs.cloud <= spec.deadlineMs) costMs.cloud = info.costMs.cloud;
      const wanted = spec.variant;
      const primary: Variant = costMs[wanted] !== undefined ? wanted : costMs.fp32 !== undefined ? 'fp32' : costMs.int8 !== undefined ? 'int8' : 'fallback';
      services.push(serviceSpec(spec, costMs, { primary, ...sharedWorkerOf(spec.isolation, options.local !== undefined) }));
      const wall = new LatencyHistogram();
      this.wallLatency.set(d.domain, wall);
      runners.set(
        d.domain,
        new DomainServiceRunner({
          spec,
          window,
          inputName: info?.inputName ?? 'features',
          outputName: info?.outputName ?? 'output',
          model: info?.model ?? spec.model,
          ...(options.local ? { local: options.local } : {}),
          ...(options.cloud ? { cloud: options.cloud } : {}),
          // In virtual time a wall-clock timeout would make results depend on machine load; the
          // worker's watchdog still bounds a hang.
          ...(options.timing === 'virtual' ? { localTimeoutMs: 10_000, overlap: true } : { clock: options.clock }),
          onResult: (r) => (options.timing === 'virtual' ? this.#inOrder(d, r) : this.#onResult(d, r)),
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      );
    }
    this.services = services;
    this.runners = runners;
    const cores = cfg.scheduler.cores ?? 2;
    this.admission = admit(services, cores);

    this.ladder = new DegradationLadder({
      services,
      cores,
      degradeC: cfg.scheduler.degrade_c,
      recoverC: cfg.scheduler.recover_c,
      minDwellS: cfg.scheduler.min_dwell_s,
      ...(cfg.platform.power_budget_w !== undefined ? { powerBudgetW: cfg.platform.power_budget_w } : {}),
      cloudAvailable: () => options.cloud?.healthy() ?? false,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    let governor: Governor | undefined;
    this.dispatcher = new Dispatcher({
      clock: options.clock,
      services,
      cores,
      timing: options.timing,
      execute: async (job) => {
        const started = performance.now();
        const served = runners.get(job.domain)!.execute(job).then((outcome) => {
          const wallMs = performance.now() - started;
          this.wallLatency.get(job.domain)?.record(wallMs);
          options.onServed?.(job.domain, outcome.variant ?? job.variant, wallMs);
          return outcome;
        });
        if (options.timing === 'real') return served;
        // Virtual time: the job's inputs were sampled synchronously above, so its answer no longer
        // depends on when it arrives. Time moves on while up to IN_FLIGHT answers are outstanding;
        // results are reported in job order, and a call that had to fall back is re-counted then.
        this.#order.push(job.id);
        this.#dispatched.set(job.id, job.variant);
        this.#inFlight.push(served);
        if (this.#inFlight.length > IN_FLIGHT) await this.#inFlight.shift();
        return { variant: job.variant };
      },
      modeOf: (d) => this.ladder.modeOf(d),
      costScale: () => governor?.costScale() ?? 1,
    });
    const platform = createPlatform({
      profile: cfg.platform.profile,
      // Replay must never read the machine it runs on.
      sensors: options.timing === 'virtual' ? 'model' : cfg.platform.sensors,
      ambientC: cfg.platform.ambient_c,
      t0: options.clock.now(),
    });
    const background = backgroundBusy(cfg.platform.background_load, options.clock.now());
    const loaded: Platform = { ...platform, sample: (t, busy) => platform.sample(t, busy + background(t)) };
    governor = attachGovernor(this.dispatcher, loaded, this.ladder, options.governorPeriodS ?? 1, (reading) => options.onPlatform?.(reading));
    this.governor = governor;
  }

  /** Output frames sent per message name. */
  outputCounts(): Record<string, number> {
    return Object.fromEntries([...this.#outputFrames].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  get encodeErrors(): number {
    return this.#encodeErrors;
  }

  /**
   * Virtual time: runs every job due before the frame, then stores the frame's signals.
   * Frames must come in non-decreasing time.
   */
  async ingestAt(frame: CanFrame): Promise<void> {
    if (frame.timestamp > this.dispatcher.now) await this.dispatcher.advanceTo(frame.timestamp);
    this.router.ingest(frame, frame.timestamp);
  }

  /** Real time: stores a frame received now. */
  ingestLive(frame: CanFrame): void {
    this.router.ingest(frame, this.#o.clock.now());
  }

  /** Virtual time: runs the scheduler up to `t` (the end of a trace) and waits for every answer. */
  async finishAt(t: number): Promise<void> {
    if (t > this.dispatcher.now) await this.dispatcher.advanceTo(t);
    await Promise.all(this.#inFlight);
    this.#inFlight = [];
  }

  /** Stops every service; in-flight jobs answer nothing more. */
  stop(): void {
    for (const r of this.runners.values()) r.stop();
  }

  readonly #stabilizers = new Map<string, ResultStabilizer<unknown>>();

  /** The domain's result filter (one per domain, made on first use), where it declares one. */
  #stabilize(d: DomainDefinition, r: ServiceResult): ServiceResult {
    if (!d.createStabilizer) return r;
    let f = this.#stabilizers.get(d.domain);
    if (!f) {
      f = (d as DomainDefinition<unknown>).createStabilizer?.() as ResultStabilizer<unknown>;
      this.#stabilizers.set(d.domain, f);
    }
    return { ...r, result: f.next(r.t, r.result) };
  }

  /**
   * Jobs that start at the same virtual instant run concurrently and finish in wall-clock order;
   * their results are reported in start order, so outputs are the same on every replay.
   */
  #inOrder(d: DomainDefinition, r: ServiceResult): void {
    if (r.jobId === undefined) {
      this.#onResult(d, r);
      return;
    }
    this.#ready.set(r.jobId, { d, r });
    while (this.#order.length > 0) {
      const next = this.#ready.get(this.#order[0]!);
      if (!next) break;
      this.#order.shift();
      this.#ready.delete(next.r.jobId!);
      const dispatched = this.#dispatched.get(next.r.jobId!);
      this.#dispatched.delete(next.r.jobId!);
      if (dispatched !== undefined && dispatched !== next.r.variant) {
        const variants = this.dispatcher.stats(next.r.domain).variants;
        variants[dispatched]--;
        variants[next.r.variant]++;
      }
      this.#onResult(next.d, next.r);
    }
  }

  #sealerOf(name: string, message: E2eMessage): E2eSealer | undefined {
    let sealer = this.#sealers.get(name);
    if (sealer === undefined) {
      sealer = E2eSealer.of(message) ?? null;
      this.#sealers.set(name, sealer);
    }
    return sealer ?? undefined;
  }

  #onResult(d: DomainDefinition, raw: ServiceResult): void {
    if (!raw.inputsValid) this.dispatcher.stats(d.domain).invalidInputs++;
    const r = this.#stabilize(d, raw);
    this.#o.onResult?.(r);
    const send = this.#o.send;
    if (!send) return;
    const codec = this.#o.codecs.byName(d.outputMessage);
    if (!codec) {
      this.#encodeErrors++;
      return;
    }
    try {
      const m = codec.message;
      const values = (d as DomainDefinition<unknown>).encode(r.result);
      const e2e = this.#sealerOf(d.outputMessage, m);
      e2e?.prepare(values);
      const packed = codec.encode(values, { strict: false });
      const data = e2e ? e2e.seal(packed) : packed;
      send(makeFrame({ timestamp: r.t, channel: this.#o.outputChannel ?? 'can0', id: m.id, extended: m.extended, fd: m.fd, data }));
      this.#outputFrames.set(d.outputMessage, (this.#outputFrames.get(d.outputMessage) ?? 0) + 1);
    } catch (err) {
      this.#encodeErrors++;
      this.#o.logger?.warn({ domain: d.domain, err: (err as Error).message }, 'output encode failed');
    }
  }
}

/** The mapping files the store's signals come from, to name in errors. */
function mappingSource(plan: DomainInputPlan, vehicleSignals: ReadonlyMap<string, ResolvedSignal>): string {
  const files = new Set(plan.entries.map((e) => vehicleSignals.get(e.name)?.file ?? 'vehicle signals'));
  return files.size === 0 ? 'vehicle signals' : [...files].join(', ');
}

/**
 * Cumulative busy core-seconds of the other software on the SoC at `t`, from a step schedule whose
 * times count from `t0` (the start of the drive or of the daemon).
 */
export function backgroundBusy(steps: readonly { from_s: number; cores: number }[], t0: number): (t: number) => number {
  const sorted = [...steps].sort((a, b) => a.from_s - b.from_s);
  return (t) => {
    const x = t - t0;
    let busy = 0;
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i]!;
      if (x <= s.from_s) break;
      const end = Math.min(x, sorted[i + 1]?.from_s ?? Infinity);
      busy += s.cores * (end - s.from_s);
    }
    return busy;
  };
}
