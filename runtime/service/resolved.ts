/**
 * A domain as it runs: its definition with the config's `domains.NAME.*` applied, once. The engine,
 * the pool opening, the runner, the cloud client, the SOME/IP bridge, the snippet triggers and
 * health all read these specs; none of them merges defaults and overrides again.
 */
import { defaultDomainConfig, type DomainConfig, type EcuAiConfig, type VariantName } from '../config.js';
import type { Criticality } from '../scheduler/types.js';
import type { DomainDefinition } from './domain.js';

/**
 * Where a domain's model runs. By default the safety domains share one process and the comfort
 * domains another: each Node + onnxruntime process costs about 18 MB, and five of them do not fit a
 * 150 MB budget. The daemon, with the bus and every rule-based fallback, never loads onnxruntime, so
 * no model can take it down; a domain whose call crashes or hangs its shared process is moved out to
 * a process of its own (see the pool), so it does so once. A shared process stopped from outside
 * (SIGSTOP) is no member's fault: it is killed and restarted whole as soon as a call outlives its
 * caller's deadline, the members' fallbacks answering meanwhile. `isolation: process` gives a domain
 * its own process from the start.
 */
export interface IsolationChoice {
  readonly isolation: 'process' | 'thread' | 'shared';
  /** The shared process's name (`isolation: shared` only). */
  readonly group?: string;
}

export interface ResolvedDomain<R = unknown> {
  readonly domain: string;
  readonly definition: DomainDefinition<R>;
  /** The model folder under `models_dir`: `domains.NAME.model` or the definition's. */
  readonly model: string;
  /** The variant asked for when nothing is degraded. */
  readonly variant: VariantName;
  readonly rateHz: number;
  readonly deadlineMs: number;
  readonly criticality: Criticality;
  readonly isolation: IsolationChoice;
  readonly watchdogMs: number;
  readonly maxRssMb: number;
}

/** The isolation of a domain from its config and its resolved criticality. */
export function isolationFor(dc: Pick<DomainConfig, 'isolation' | 'group'>, criticality: Criticality): IsolationChoice {
  const isolation = dc.isolation ?? 'shared';
  if (isolation !== 'shared') return { isolation };
  return { isolation, group: dc.group ?? criticality };
}

/**
 * The enabled domains of `definitions`, in their order, each merged with its `domains.NAME` section
 * (the schema's defaults where the config has none, e.g. a domain it was not parsed for). Frozen.
 */
export function resolveDomains(definitions: readonly DomainDefinition[], config: Pick<Readonly<EcuAiConfig>, 'domains'>): readonly ResolvedDomain[] {
  const out: ResolvedDomain[] = [];
  for (const d of definitions) {
    const dc = config.domains[d.domain] ?? defaultDomainConfig();
    if (!dc.enabled) continue;
    const criticality = dc.criticality ?? d.criticality;
    out.push(
      Object.freeze({
        domain: d.domain,
        definition: d,
        model: dc.model ?? d.model,
        variant: dc.variant,
        rateHz: dc.rate_hz ?? d.rateHz,
        deadlineMs: dc.deadline_ms ?? d.deadlineMs,
        criticality,
        isolation: Object.freeze(isolationFor(dc, criticality)),
        watchdogMs: dc.watchdog_ms,
        maxRssMb: dc.max_rss_mb,
      }),
    );
  }
  return Object.freeze(out);
}
