/**
 * What makes the vehicle keep a data snippet: conditions on the domains' results and on the
 * degradation ladder's events. Triggers fire on edges (the moment a warning starts, not every
 * result while it lasts); each instance keeps its own edge state, so `builtinTriggers()` returns
 * fresh ones. A trigger only decides; rate limiting and capture live in the recorder.
 */
import type { LadderEvent } from '../scheduler/degradation.js';
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

/** A numeric or boolean field of a domain result (results are the domains' own types, unknown here). */
export function resultField(result: unknown, name: string): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const v = (result as Record<string, unknown>)[name];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/**
 * A trigger that fires when `active(result)` becomes true for `domain` (false or unknown before).
 * The first result counts as an edge when it is already active: a drive may start in the condition.
 */
export function edgeTrigger(name: string, domain: string, safety: boolean, active: (result: unknown) => boolean, describe: (result: unknown) => string): SnippetTrigger {
  let was = false;
  return {
    name,
    onResult(r) {
      if (r.domain !== domain) return undefined;
      const now = active(r.result);
      const fired = now && !was;
      was = now;
      return fired ? { trigger: name, safety, domain, key: domain, t: r.t, result: r, detail: describe(r.result) } : undefined;
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

/** Domains whose faults are safety-relevant (they never leave the vehicle either). */
export const SAFETY_RELEVANT: ReadonlySet<string> = new Set(['adas', 'chassis', 'powertrain']);

/** The names `builtinTriggers` knows, for config validation and docs. */
export const BUILTIN_TRIGGER_NAMES = ['adas-warning', 'chassis-ice', 'battery-anomaly', 'fallback', 'degrade'] as const;

/**
 * Fresh instances of the built-in triggers:
 * - `adas-warning`: ADAS `level` goes from 0 to a (pre)warning;
 * - `chassis-ice`: the chassis friction class becomes 3 (ice);
 * - `battery-anomaly`: the powertrain cell-anomaly `flag` is raised;
 * - `fallback`: a domain starts answering from its rule-based fallback;
 * - `degrade`: the ladder degrades or sheds a service.
 * @param names - which to arm (default all)
 * @throws {RangeError} for a name that is not built in
 */
export function builtinTriggers(names?: readonly string[]): SnippetTrigger[] {
  const all: Record<(typeof BUILTIN_TRIGGER_NAMES)[number], () => SnippetTrigger> = {
    'adas-warning': () =>
      edgeTrigger('adas-warning', 'adas', true, (x) => (resultField(x, 'level') ?? 0) >= 1, (x) => `FCW level ${resultField(x, 'level')}, TTC ${resultField(x, 'ttcS')} s`),
    'chassis-ice': () => edgeTrigger('chassis-ice', 'chassis', true, (x) => resultField(x, 'frictionClass') === 3, (x) => `friction class ice, mu ${resultField(x, 'mu')}`),
    'battery-anomaly': () =>
      edgeTrigger('battery-anomaly', 'powertrain', true, (x) => resultField(x, 'flag') === 1, (x) => `cell ${resultField(x, 'suspectCell')} suspect, score ${resultField(x, 'score')}`),
    fallback: () => fallbackTrigger(SAFETY_RELEVANT),
    degrade: () => degradeTrigger(SAFETY_RELEVANT),
  };
  const wanted = names ?? BUILTIN_TRIGGER_NAMES;
  return wanted.map((n) => {
    const make = (all as Record<string, (() => SnippetTrigger) | undefined>)[n];
    if (!make) throw new RangeError(`unknown snippet trigger "${n}"; known: ${BUILTIN_TRIGGER_NAMES.join(', ')}`);
    return make();
  });
}
