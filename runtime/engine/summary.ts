/**
 * The replay summary (`ecu-ai replay --json`), as DESIGN.md lays it out. Everything outside `wall`
 * is deterministic: two replays of the same trace and config give byte-identical JSON once `wall`
 * is set aside (`withoutWall`).
 */
import type { LadderEvent, ServiceSummary } from '../scheduler/index.js';
import type { DomainInputPlan } from './domain-inputs.js';

export interface DomainSummary extends ServiceSummary {
  /** Figures against the labels; null where the drive gave no support (no positives, no events). */
  readonly metrics?: Readonly<Record<string, number | null>>;
  /** Calls whose chosen path failed and were answered by the fallback. */
  readonly faults: number;
  /** When the domain's inputs were first valid (every signal alive at the cycle's tick); null: never. */
  readonly first_valid_input_t: number | null;
}

export interface ReplaySummary {
  /** False when the replay was interrupted (Ctrl-C): the figures cover the frames replayed until then. */
  readonly complete: boolean;
  readonly trace: {
    readonly path: string;
    readonly format: string;
    readonly frames: number;
    readonly skipped: number;
    /** Frames (data, not error or remote) that the DBC describes. */
    readonly decoded: number;
    /** Data frames whose id the DBC does not describe. */
    readonly not_in_dbc: number;
    /** The most frequent of those ids (hex as candump writes them), at most ten. */
    readonly unknown_ids: readonly { readonly id: string; readonly frames: number }[];
    readonly first_t: number | null;
    readonly last_t: number | null;
  };
  /**
   * The vehicle the replay ran as: its profile's `vehicle:` name and the files used, by file name
   * only (never a folder above it), so summaries of the same replay on two machines stay identical.
   */
  readonly vehicle: { readonly profile: string; readonly dbc: string; readonly models_dir: string };
  readonly duration_s: number;
  readonly domains: Readonly<Record<string, DomainSummary>>;
  /** Domains that did not run because the vehicle does not map all their required inputs; only when there are some. */
  readonly disabled_domains?: Readonly<Record<string, { readonly missing: readonly string[] }>>;
  /** Per running domain, its optional inputs the vehicle does not map and the default used; only when there are some. */
  readonly defaulted_inputs?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly events: readonly LadderEvent[];
  readonly outputs: Readonly<Record<string, number>>;
  readonly signals: { readonly routed: number; readonly ignored: number; readonly decode_errors: number };
  readonly platform: { readonly profile: string; readonly max_soc_c: number; readonly final_soc_c: number; readonly mean_power_w: number };
  readonly wall: {
    readonly elapsed_s: number;
    readonly speed_x: number;
    readonly latency_ms: Readonly<Record<string, { readonly p50: number; readonly p99: number; readonly max: number }>>;
  };
}

/** The summary's keys for disabled domains and defaulted inputs, each present only when not empty. */
export function inputsSummary(plan: DomainInputPlan): Pick<ReplaySummary, 'disabled_domains' | 'defaulted_inputs'> {
  return {
    ...(plan.disabled.length > 0 ? { disabled_domains: Object.fromEntries(plan.disabled.map((d) => [d.domain, { missing: d.missing }])) } : {}),
    ...(plan.defaulted.length > 0 ? { defaulted_inputs: Object.fromEntries(plan.defaulted.map((d) => [d.domain, d.inputs])) } : {}),
  };
}

/** The deterministic part of a summary, for comparing replays. */
export function withoutWall(s: ReplaySummary): Omit<ReplaySummary, 'wall'> {
  const { wall: _wall, ...rest } = s;
  return rest;
}

/** Rounds to a fixed number of decimals so summaries print the same on every run. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
