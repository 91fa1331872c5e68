/**
 * What a domain service declares: the service SDK's contract. A domain writes only its logic
 * (features, interpretation of the model output, its rule-based fallback, how its result goes on
 * the bus, how it is scored against ground truth); the framework owns every call: when it runs,
 * which variant serves it, timing, errors, health and shutdown.
 */
import type { Criticality } from '../scheduler/types.js';
import type { DomainInput } from '../vehicle/types.js';
import type { ModelContract } from './model-contract.js';
import type { DomainSomeipService } from './someip-service.js';

export type { DomainInput } from '../vehicle/types.js';

/** Scores a domain's results against the simulator's labels, for the replay summary's `metrics`. */
export interface DomainScorer<R, L> {
  /** `result` is what the service answered at `t`; `label` the ground truth valid at `t`. */
  add(t: number, result: R, label: L): void;
  /**
   * Final figures, e.g. `{ recall: 0.97, false_warnings_per_hour: 0.5 }`. `durationS` is the drive's
   * length. A figure without support (no positives, no events) is null.
   */
  summary(durationS: number): Record<string, number | null>;
}

/** A stateful filter over a service's results in release order (see DomainDefinition.createStabilizer). */
export interface ResultStabilizer<R> {
  next(t: number, result: R): R;
}

/**
 * A condition on the domain's own result that makes the vehicle keep a data snippet, on its rising
 * edge (the moment it becomes true). Its name is valid in `cloud.snippets.triggers`; its hits are
 * safety-relevant when the domain's resolved criticality is `safety`.
 */
export interface DomainTrigger<R> {
  readonly name: string;
  active(result: R): boolean;
  /** Why, in words, for the snippet (e.g. `friction class ice, mu 0.1`). */
  describe(result: R): string;
}

/**
 * One vehicle domain, everything about it in one place. The runtime derives from the definitions it
 * is handed the config keys `domains.NAME.*` and `someip.services.NAME.*`, the SOME/IP services, the
 * safety set and the snippet triggers; `rateHz`, `deadlineMs` and `criticality` are defaults the
 * config may override.
 */
export interface DomainDefinition<R = unknown, L = unknown, N extends string = string> {
  readonly domain: N;
  readonly description: string;
  /** `safety`: never served by the cloud, admitted first, its faults and snippets kept first. */
  readonly criticality: Criticality;
  readonly rateHz: number;
  readonly deadlineMs: number;
  /**
   * The catalog signals the domain reads (catalog name → whether it is required, or the default its
   * features take when this vehicle does not map it). Where each comes from is the vehicle's
   * profile, never the domain's: a domain missing a required input is disabled, with the reason.
   */
  readonly inputs: Readonly<Record<string, DomainInput>>;
  /** The feature window: which of the inputs, in column order, sampled at what rate, how many samples. */
  readonly window: { readonly signals: readonly string[]; readonly rateHz: number; readonly length: number };
  /** The model folder under `models/` that serves this domain by default. */
  readonly model: string;
  /** Length of the model's input vector (input shape [1, featureSize]). */
  readonly featureSize: number;
  /**
   * What each input and output entry means (`ecu-ai models describe`): its features' length is
   * `featureSize`, its outputs are what `interpret` reads. Absent: a model is checked by size only.
   */
  readonly modelContract?: ModelContract;
  /**
   * Fills `out` (length `featureSize`) from the window snapshot, row-major [time, signal], oldest first.
   * Shared by training and serving, so the model sees in the car exactly what it saw in training.
   */
  features(window: Float32Array, out: Float32Array): void;
  /** The model's output tensor (first output, batch 1) → the domain's result. */
  interpret(output: Float32Array): R;
  /** The rule-based answer on the same window, used while the model is unavailable or too slow. */
  fallback(window: Float32Array): R;
  /**
   * The answer while some input signal is stale or missing at the cycle's tick: the model is not
   * asked (what it says on fill values is no evidence), and this answer must claim nothing it cannot
   * know, e.g. a confidence of 0. Default: the fallback's answer.
   */
  invalidInputs?(window: Float32Array): R;
  /**
   * The DBC message that carries the result, and its signal values for a result. A message the DBC
   * protects end to end gets its counter and CRC from the engine (`E2eSealer`), not from here.
   */
  readonly outputMessage: string;
  encode(result: R): Record<string, number>;
  /** A JSON-friendly form of the result for logs, snippets, SOME/IP and the cloud. */
  toJson(result: R): Record<string, number | string | boolean | null>;
  /** The SOME/IP service that carries the result (its `fields` name keys of `toJson`). */
  readonly someip: DomainSomeipService;
  /** Conditions on the result that keep a data snippet; none by default. */
  readonly triggers?: readonly DomainTrigger<R>[];
  /** Ground-truth scoring; absent for domains without a metric. */
  createScorer?(): DomainScorer<R, L>;
  /**
   * A filter over the stream of results, in release order, with state across calls (e.g. a
   * warning's minimum on-time, so an alert does not flicker). One per running service and per
   * evaluated drive; a time earlier than the last one means a new drive. Serving, replay and model
   * evaluation all pass results through it.
   */
  createStabilizer?(): ResultStabilizer<R>;
}
