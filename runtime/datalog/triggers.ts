/**
 * What makes the vehicle keep a data snippet: conditions on the domains' results and on the
 * degradation ladder's events. Triggers fire on edges (the moment a warning starts, not every
 * result while it lasts); each instance keeps its own edge state, so `builtinTriggers()` returns
 * fresh ones. A trigger only decides; rate limiting and capture live in the recorder.
 *
 * The triggers on results are the domains' own (`DomainDefinition.triggers`, typed against each
 * domain's result); the generic ones (`fallback`, `degrade`) watch every domain. Whether a hit is
 * safety-relevant follows the domain's resolved criticality.
 */
import { GENERIC_SNIPPET_TRIGGERS, snippetTriggerNames, type GenericSnippetTrigger } from '../config.js';
import type { LadderEvent } from '../scheduler/degradation.js';
import type { DomainTrigger } from '../service/domain.js';
import type { ResolvedDomain } from '../service/resolved.js';
import type { ServiceResult } from '../service/runner.js';

/** One firing of a trigger. */
export interface TriggerHit {
  /** The trigger's name; it becomes the snippet's `trigger`. */
  readonly trigger: string;
  /** Safety-relevant hits are kept before the others when the outbox is full. */
  readonly safety: boolean;
  readonly domain: string;
  /** Rate limiting is per `trigger` + `key` (e.g. per domain for the fallback trigger). */
  readonly key: string;
  readonly t: number;
  /** The triggering result, when a result fired it. */
  readonly result?: ServiceResult;
  /** Why, in words (the ladder event's reason, the edge seen). */
  readonly detail: string;
}

export interface SnippetTrigger {
  readonly name: string;
  onResult?(r: ServiceResult): TriggerHit | undefined;
  onEvent?(e: LadderEvent): TriggerHit | undefined;
}

/**
 * A trigger that fires when `condition.active(result)` becomes true for `domain` (false before).
 * The first result counts as an edge when it is already active: a drive may start in the condition.
 */
export function edgeTrigger<R>(domain: string, safety: boolean, condition: DomainTrigger<R>): SnippetTrigger {
  const name = condition.name;
  let was = false;
  return {
    name,
    onResult(r) {
      if (r.domain !== domain) return undefined;
      const result = r.result as R;
      const now = condition.active(result);
      const fired = now && !was;
      was = now;
      return fired ? { trigger: name, safety, domain, key: domain, t: r.t, result: r, detail: condition.describe(result) } : undefined;
    },
  };
}

/** Any domain whose answer came from its rule-based fallback after a served path: per domain. */
export function fallbackTrigger(safetyDomains: ReadonlySet<string>): SnippetTrigger {
  const was = new Map<string, boolean>();
  return {
    name: 'fallback',
    onResult(r) {
      const now = r.variant === 'fallback';
      const before = was.get(r.domain) ?? false;
      was.set(r.domain, now);
      if (!now || before) return undefined;
      return { trigger: 'fallback', safety: safetyDomains.has(r.domain), domain: r.domain, key: r.domain, t: r.t, result: r, detail: `${r.domain} answered by its fallback` };
    },
  };
}

/** The ladder stepped a service down (degrade or shed): per domain. */
export function degradeTrigger(safetyDomains: ReadonlySet<string>): SnippetTrigger {
  return {
    name: 'degrade',
    onEvent(e) {
      if (e.kind !== 'degrade' && e.kind !== 'shed') return undefined;
      return { trigger: 'degrade', safety: safetyDomains.has(e.domain), domain: e.domain, key: e.domain, t: e.t, detail: `${e.kind} to ${e.to}: ${e.why}` };
    },
  };
}

/** What the triggers need of a domain: its own triggers and its resolved criticality. */
export type TriggerDomain = Pick<ResolvedDomain, 'domain' | 'criticality' | 'definition'>;

/**
 * Fresh instances of the triggers of `domains`: each domain's own (e.g. `chassis-ice`, the friction
 * class becomes ice), then the generic ones:
 * - `fallback`: a domain starts answering from its rule-based fallback;
 * - `degrade`: the ladder degrades or sheds a service.
 * @param names - which to arm (default all)
 * @throws {RangeError} for a name that none of them has
 */
export function builtinTriggers(domains: readonly TriggerDomain[], names?: readonly string[]): SnippetTrigger[] {
  const safety: ReadonlySet<string> = new Set(domains.filter((d) => d.criticality === 'safety').map((d) => d.domain));
  const generic: Record<GenericSnippetTrigger, () => SnippetTrigger> = {
    fallback: () => fallbackTrigger(safety),
    degrade: () => degradeTrigger(safety),
  };
  const all = new Map<string, () => SnippetTrigger>();
  for (const d of domains) for (const t of d.definition.triggers ?? []) all.set(t.name, () => edgeTrigger(d.domain, d.criticality === 'safety', t));
  for (const n of GENERIC_SNIPPET_TRIGGERS) all.set(n, generic[n]);
  const known = snippetTriggerNames(domains.map((d) => d.definition));
  return (names ?? known).map((n) => {
    const make = all.get(n);
    if (!make) throw new RangeError(`unknown snippet trigger "${n}"; known: ${known.join(', ')}`);
    return make();
  });
}
