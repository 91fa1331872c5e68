/** Builds the snippet recorder from the `cloud.snippets` config section, and the signal snapshot it attaches. */
import { snippetTriggerNames, type CloudConfig } from '../config.js';
import { SnippetRecorder, type SnippetRecorderOptions } from './recorder.js';
import { builtinTriggers, type TriggerDomain } from './triggers.js';

/** The part of the signal store a snapshot needs (SignalStore satisfies it). */
export interface SignalSource {
  readonly names: readonly string[];
  get(name: string, now: number): { readonly value: number | string; readonly timestamp: number; readonly valid: boolean } | undefined;
}

/** The valid numeric signal values as of `t`, each stamped with its own arrival time. */
export function storeSignals(store: SignalSource): (t: number) => { name: string; value: number; t: number }[] {
  return (t) => {
    const out: { name: string; value: number; t: number }[] = [];
    for (const name of store.names) {
      const r = store.get(name, t);
      if (r && r.valid && typeof r.value === 'number' && Number.isFinite(r.value)) out.push({ name, value: r.value, t: r.timestamp });
    }
    return out;
  };
}

/**
 * A recorder armed with the configured triggers of the domains served (resolved specs) and windows.
 * The schema checked the names against every domain it was made for; the trigger of a domain that
 * is not served (disabled) has nothing to watch and is left out.
 */
export function recorderFromConfig(
  cfg: CloudConfig['snippets'],
  domains: readonly TriggerDomain[],
  o: Pick<SnippetRecorderOptions, 'sink' | 'toUnixMs' | 'signals' | 'onSinkError' | 'maxActive'>,
): SnippetRecorder {
  return new SnippetRecorder({
    preS: cfg.pre_s,
    postS: cfg.post_s,
    maxBytes: cfg.max_bytes,
    cooldownS: cfg.cooldown_s,
    triggers: builtinTriggers(domains, cfg.triggers && servedTriggers(domains, cfg.triggers)),
    ...o,
  });
}

/** The configured trigger names that the served domains have (their own or the generic ones). */
function servedTriggers(domains: readonly TriggerDomain[], names: readonly string[]): string[] {
  const known = new Set(snippetTriggerNames(domains.map((d) => d.definition)));
  return names.filter((n) => known.has(n));
}
