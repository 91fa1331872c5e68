/**
 * Per-service dispatch counters and the modelled latency distribution, in the shape the replay
 * summary (`--json`) reports them.
 */
import { LatencyHistogram } from './histogram.js';
import type { Variant } from './types.js';

/** The replay summary's per-domain block (DESIGN.md, "Replay summary"). */
export interface ServiceSummary {
  readonly inferences: number;
  readonly deadline_misses: number;
  readonly dropped: number;
  readonly latency_ms: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly variants: Readonly<Record<Variant, number>>;
  /** Cycles whose inputs were invalid at their tick: answered without the model, under `variants.fallback`. */
  readonly invalid_inputs: number;
}

export class ServiceStats {
  released = 0;
  met = 0;
  missed = 0;
  dropped = 0;
  /** Jobs whose `execute` rejected; each also counts as missed. */
  failed = 0;
  /** Cycles whose inputs were invalid (no model inference; the fallback variant answered). */
  invalidInputs = 0;
  readonly variants: Record<Variant, number> = { fp32: 0, int8: 0, cloud: 0, fallback: 0 };
  /** Release to completion, ms (modelled in virtual time, measured in real time). */
  readonly latency = new LatencyHistogram();

  /** Completed jobs, whether on time or not. */
  get completed(): number {
    return this.met + this.missed;
  }

  summary(): ServiceSummary {
    const s = this.latency.summary();
    return {
      inferences: this.completed,
      deadline_misses: this.missed,
      dropped: this.dropped,
      latency_ms: { p50: round3(s.p50), p99: round3(s.p99), max: round3(s.max) },
      variants: { ...this.variants },
      invalid_inputs: this.invalidInputs,
    };
  }
}

// Three decimals keeps the JSON stable and readable; the histogram is only 1 % precise anyway.
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
