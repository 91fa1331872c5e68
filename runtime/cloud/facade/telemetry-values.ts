/**
 * The daemon's periodic telemetry, flattened into the `Telemetry.values` map (name -> number).
 * Counters are cumulative since start, like Prometheus counters, so a lost or duplicated record
 * never skews a sum: the cloud takes differences. Names are dotted: `adas.inferences`,
 * `adas.variant.int8`, `soc_c`, `cloud.timeouts`, `outbox.dropped`, `snippets.emitted`.
 */
import type { ServiceSummary } from '../../scheduler/service-stats.js';

type Figures = Readonly<Record<string, number | boolean>>;

export interface TelemetryInputs {
  readonly uptimeS: number;
  /** Per domain, the dispatcher's summary. */
  readonly domains: Readonly<Record<string, ServiceSummary>>;
  /** The latest platform reading, when one was taken. */
  readonly platform?: { readonly socC: number; readonly powerW: number };
  readonly framesReceived?: number;
  /** Link counters and `connected` (CloudLink.stats), sent as `cloud.*`. */
  readonly link?: Figures;
  /** Facade counters (CloudInference.stats), sent as `cloud.*`. */
  readonly cloud?: Figures;
  /** Outbox counters and size, sent as `outbox.*`. */
  readonly outbox?: Figures;
  /** Snippet recorder counters, sent as `snippets.*`. */
  readonly snippets?: Figures;
}

/** camelCase to snake_case, so every key of the map reads alike. */
function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Flattens the inputs; non-finite figures are left out (the Telemetry decoder rejects them). */
export function telemetryValues(i: TelemetryInputs): Record<string, number> {
  const v: Record<string, number> = {};
  const put = (k: string, x: number | boolean): void => {
    const n = typeof x === 'boolean' ? (x ? 1 : 0) : x;
    if (Number.isFinite(n)) v[k] = n;
  };
  const group = (prefix: string, figures: Figures | undefined): void => {
    for (const [k, x] of Object.entries(figures ?? {})) if (typeof x === 'number' || typeof x === 'boolean') put(`${prefix}.${snake(k)}`, x);
  };
  put('uptime_s', i.uptimeS);
  for (const [d, f] of Object.entries(i.domains)) {
    group(d, { inferences: f.inferences, deadline_misses: f.deadline_misses, dropped: f.dropped, latency_p50_ms: f.latency_ms.p50, latency_p99_ms: f.latency_ms.p99 });
    group(`${d}.variant`, f.variants);
  }
  if (i.platform) {
    put('soc_c', i.platform.socC);
    put('power_w', i.platform.powerW);
  }
  if (i.framesReceived !== undefined) put('frames_received', i.framesReceived);
  group('cloud', i.link);
  group('cloud', i.cloud);
  group('outbox', i.outbox);
  group('snippets', i.snippets);
  return v;
}
