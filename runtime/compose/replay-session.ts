/**
 * One replay: a trace through the engine in virtual time, with the real models in their isolated
 * workers, scored against labels when given. Used by `ecu-ai replay`, `npm start` and the tests.
 * It builds the same components as the daemon (vehicle database, inference, engine) on a lifecycle,
 * with a virtual clock, and a trace instead of buses as the frame source; paced replays go through
 * `bus/replay.ts`. SOME/IP, HTTP and the outbox are the daemon's alone.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CanFrame } from '../../bus/frame.js';
import { replay } from '../../bus/replay.js';
import { openTraceReader, type TraceReader } from '../../bus/trace/index.js';
import { RealClock, VirtualClock } from '../clock.js';
import { EmptyTraceError } from '../errors.js';
import type { EcuAiConfig } from '../config.js';
import type { InferenceEngine, InferenceFactory } from '../inference/index.js';
import type { PlatformReading } from '../platform/index.js';
import type { LadderEvent } from '../scheduler/index.js';
import type { DomainDefinition, DomainScorer } from '../service/domain.js';
import { resolveDomains } from '../service/resolved.js';
import type { RemoteInference, ServiceResult } from '../service/runner.js';
import { planDomainInputs } from '../engine/domain-inputs.js';
import { Engine } from '../engine/engine.js';
import type { LabelTrack } from '../engine/labels.js';
import { inputsSummary, round, type DomainSummary, type ReplaySummary } from '../engine/summary.js';
import { referenceVehicleSignals } from '../vehicle/reference-mapping.js';
import type { ResolvedSignal } from '../vehicle/types.js';
import { inferenceComponent } from './inference-component.js';
import { component, Lifecycle, type Component } from './lifecycle.js';
import { vehicleDatabase } from './vehicle-database.js';

export interface ReplaySessionOptions {
  readonly config: Readonly<EcuAiConfig>;
  readonly domains: readonly DomainDefinition[];
  readonly tracePath: string;
  readonly dbcPath: string;
  /**
   * The vehicle's catalog signals (a resolved profile); default the reference vehicle. Domains
   * whose required inputs are not all mapped are disabled and listed in the summary.
   */
  readonly vehicleSignals?: ReadonlyMap<string, ResolvedSignal>;
  /** The `vehicle:` name of the profile `vehicleSignals` come from, for the summary (default: `reference`). */
  readonly vehicleName?: string;
  readonly modelsDir: string;
  readonly labels?: LabelTrack;
  /** The compiled inference worker (see InferencePool's defaultWorkerEntry). */
  readonly workerEntry?: string;
  /** Where the models run; default the supervised worker pool (`InferencePool`, with `workerEntry` and `faultInjection`). */
  readonly inference?: InferenceFactory;
  readonly cloud?: RemoteInference;
  readonly logger?: Logger;
  /** Every input frame, after the engine took it (e.g. the snippet recorder's ring). */
  readonly onFrame?: (frame: CanFrame) => void;
  /** Every domain result, in deterministic order. */
  readonly onResult?: (r: ServiceResult) => void;
  /** Every output frame, in order (e.g. to write an output trace). */
  readonly onOutput?: (frame: CanFrame) => void;
  readonly onEvent?: (e: LadderEvent) => void;
  /** Test hook: called with the inference engine once the domains are open (fault injection). */
  readonly onPoolReady?: (pool: InferenceEngine) => void;
  readonly faultInjection?: boolean;
  /**
   * Paces the replay against the wall clock: 1 is real time, N is N times faster; absent is as fast
   * as possible. Pacing changes only when frames arrive, never a decision (those stay in virtual time).
   */
  readonly pace?: number;
  /** Stops the replay early (Ctrl-C): the summary covers what was replayed and says `complete: false`. */
  readonly signal?: AbortSignal;
  /** Called after each batch of frames with the frames read so far and the virtual time reached. */
  readonly onProgress?: (p: ReplayProgress) => void;
}

export interface ReplayProgress {
  readonly frames: number;
  /** Seconds of the drive replayed so far. */
  readonly driveS: number;
}

/** How many ids that the DBC does not describe the summary names (the most frequent first). */
const UNKNOWN_IDS_LISTED = 10;



/**
 * Replays a trace and returns its summary.
 * @throws {TraceParseError} for a malformed trace; @throws {EmptyTraceError} for a trace without a frame;
 * @throws {AdmissionError} for a config the cores cannot serve
 */
export async function runReplaySession(o: ReplaySessionOptions): Promise<ReplaySummary> {
  const wallStart = performance.now();
  const life = new Lifecycle();
  try {
    // A missing or empty trace is the user's first mistake to hear about, before any model is loaded.
    const specs = resolveDomains(o.domains, o.config);
    const vehicleSignals = o.vehicleSignals ?? referenceVehicleSignals();
    // A domain this vehicle cannot serve loads no model.
    const running = new Set(planDomainInputs(specs.map((d) => d.definition), vehicleSignals).running);
    const trace = await life.start(traceSource(o.tracePath));
    const { reader, firstBatch, rest } = trace;
    const { database, codecs } = await life.start(vehicleDatabase(o.dbcPath));
    const { pool, models } = await life.start(
      inferenceComponent({
        modelsDir: o.modelsDir,
        config: o.config,
        domains: specs.filter((d) => running.has(d.domain)),
        ...(o.logger ? { logger: o.logger } : {}),
        ...(o.workerEntry ? { workerEntry: o.workerEntry } : {}),
        ...(o.faultInjection ? { faultInjection: true } : {}),
        ...(o.inference ? { inference: o.inference } : {}),
        minWatchdogMs: 2000,
      }),
    );
    o.onPoolReady?.(pool);
    const firstT = firstBatch[0]?.timestamp ?? 0;
    const clock = new VirtualClock(firstT);
    const scorers = new Map<string, DomainScorer<unknown, unknown>>();
    for (const d of o.domains) {
      const s = d.createScorer?.();
      if (s && o.labels) scorers.set(d.domain, s as DomainScorer<unknown, unknown>);
    }
    const events: LadderEvent[] = [];
    let maxSoc = -Infinity;
    let lastSoc = Number.NaN;
    let powerSum = 0;
    let powerN = 0;
    const firstValid = new Map<string, number>();
    const engine = await life.start(
      component(
        'engine',
        () =>
          new Engine({
            config: o.config,
            domains: specs,
            models,
            codecs,
            vehicleSignals,
            dbcMessages: database.messages,
            clock,
            timing: 'virtual',
            local: pool,
            ...(o.cloud ? { cloud: o.cloud } : {}),
            ...(o.onOutput ? { send: o.onOutput } : { send: () => undefined }),
            ...(o.logger ? { logger: o.logger } : {}),
            onResult: (r) => {
              o.onResult?.(r);
              if (r.inputsValid && !firstValid.has(r.domain)) firstValid.set(r.domain, r.t);
              const scorer = scorers.get(r.domain);
              const label = scorer ? o.labels?.at(r.domain, r.t) : undefined;
              if (scorer && label !== undefined) scorer.add(r.t, r.result, label);
            },
            onEvent: (e) => {
              events.push({ ...e, t: round(e.t, 6) });
              o.onEvent?.(e);
            },
            onPlatform: (p: PlatformReading) => {
              maxSoc = Math.max(maxSoc, p.socC);
              lastSoc = p.socC;
              powerSum += p.powerW;
              powerN++;
            },
          }),
        (e) => e.stop(),
      ),
    );
    let frames = 0;
    let dataFrames = 0;
    let lastT = firstT;
    const aborted = (): boolean => o.signal?.aborted === true;
    const ingest = async (frame: CanFrame): Promise<void> => {
      await engine.ingestAt(frame);
      o.onFrame?.(frame);
      lastT = frame.timestamp;
      frames++;
      if (!frame.error && !frame.rtr) dataFrames++;
    };
    const progress = (): void => o.onProgress?.({ frames, driveS: lastT - firstT });
    if (o.pace === undefined) {
      // As fast as possible: virtual time follows the frames, nothing waits on the wall clock.
      for await (const batch of batchesOf(firstBatch, rest)) {
        for (const frame of batch) {
          if (aborted()) break;
          await ingest(frame);
        }
        if (aborted()) break;
        progress();
      }
    } else {
      // Pacing changes only when frames arrive, never a decision: those stay in virtual time.
      await replay(framesOf(batchesOf(firstBatch, rest), progress), { send: ingest }, {
        clock: new RealClock(),
        speed: o.pace,
        restamp: false,
        ...(o.signal ? { signal: o.signal } : {}),
      });
    }
    await engine.finishAt(lastT);
    engine.stop();
    const durationS = lastT - firstT;
    const domains: Record<string, DomainSummary> = {};
    for (const [name, s] of Object.entries(engine.dispatcher.summary())) {
      const scorer = scorers.get(name);
      const metrics = scorer ? roundAll(scorer.summary(durationS)) : undefined;
      const validAt = firstValid.get(name);
      domains[name] = {
        ...s,
        ...(metrics ? { metrics } : {}),
        faults: engine.runners.get(name)?.faults ?? 0,
        first_valid_input_t: validAt === undefined ? null : round(validAt, 6),
      };
    }
    const rs = engine.router.stats();
    const elapsed = (performance.now() - wallStart) / 1000;
    const wallLatency: Record<string, { p50: number; p99: number; max: number }> = {};
    for (const [d, h] of engine.wallLatency) {
      const s = h.summary();
      wallLatency[d] = { p50: round(s.p50), p99: round(s.p99), max: round(s.max) };
    }
    // The router looked every data frame up in the DBC already; its misses are the unknown ids.
    const unknownIds = [...engine.router.unknownIds()].map(([key, n]) => ({ id: idText(key), frames: n }));
    const notInDbc = unknownIds.reduce((a, u) => a + u.frames, 0);
    const topUnknown = unknownIds.sort((a, b) => b.frames - a.frames || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, UNKNOWN_IDS_LISTED);
    return {
      complete: !aborted(),
      trace: {
        path: path.basename(o.tracePath),
        format: reader.format,
        frames,
        skipped: reader.skipped,
        decoded: dataFrames - notInDbc,
        not_in_dbc: notInDbc,
        unknown_ids: topUnknown,
        first_t: frames === 0 ? null : round(firstT, 6),
        last_t: frames === 0 ? null : round(lastT, 6),
      },
      vehicle: { profile: o.vehicleName ?? 'reference', dbc: path.basename(o.dbcPath), models_dir: path.basename(o.modelsDir) },
      duration_s: round(durationS, 6),
      domains,
      ...inputsSummary(engine.inputs),
      events,
      outputs: engine.outputCounts(),
      signals: { routed: rs.routed, ignored: rs.ignored, decode_errors: rs.decodeErrors },
      platform: {
        profile: o.config.platform.profile,
        max_soc_c: round(Number.isFinite(maxSoc) ? maxSoc : o.config.platform.ambient_c, 2),
        final_soc_c: round(Number.isNaN(lastSoc) ? o.config.platform.ambient_c : lastSoc, 2),
        mean_power_w: round(powerN > 0 ? powerSum / powerN : 0, 3),
      },
      wall: { elapsed_s: round(elapsed, 3), speed_x: round(elapsed > 0 ? durationS / elapsed : 0, 1), latency_ms: wallLatency },
    };
  } finally {
    await life.close();
  }
}

interface TraceSource {
  readonly reader: TraceReader;
  readonly firstBatch: readonly CanFrame[];
  /** The batches after the first; empty when the trace ended in its first batch. */
  readonly rest: AsyncIterator<readonly CanFrame[]> | undefined;
}

/**
 * The replay's frame source: the trace opened and its first batch read, so a missing, malformed
 * or empty trace fails before any model loads. Closing releases the file.
 * @throws {EmptyTraceError} for a trace without a frame; {TraceParseError} for a malformed one
 */
function traceSource(tracePath: string): Component<TraceSource> {
  let batches: AsyncIterator<readonly CanFrame[]> | undefined;
  return component(
    'trace',
    async () => {
      await access(tracePath);
      const reader = openTraceReader(tracePath);
      batches = reader.batches()[Symbol.asyncIterator]();
      const head = await batches.next();
      const firstBatch: readonly CanFrame[] = head.done ? [] : head.value;
      if (firstBatch.length === 0) {
        await batches.return?.();
        throw new EmptyTraceError(tracePath);
      }
      return { reader, firstBatch, rest: head.done ? undefined : batches };
    },
    async () => {
      await batches?.return?.();
    },
  );
}

async function* batchesOf(first: readonly CanFrame[], rest: AsyncIterator<readonly CanFrame[]> | undefined): AsyncGenerator<readonly CanFrame[]> {
  yield first;
  if (!rest) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** The frames of each batch in turn; `afterBatch` runs once a batch's frames were all taken. */
async function* framesOf(batches: AsyncIterable<readonly CanFrame[]>, afterBatch: () => void): AsyncGenerator<CanFrame> {
  for await (const batch of batches) {
    yield* batch;
    afterBatch();
  }
}

/** A router id key as candump spells the id: three hex digits for a standard id, eight for an extended one. */
function idText(key: number): string {
  return key < 0 ? (-1 - key).toString(16).toUpperCase().padStart(8, '0') : key.toString(16).toUpperCase().padStart(3, '0');
}

function roundAll(m: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v === null ? null : round(v, 4)]));
}
