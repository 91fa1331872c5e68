/**
 * Which domains a vehicle can serve: each domain's inputs (catalog names) against the vehicle's
 * mapped catalog signals. A domain missing a required input is disabled, with the list of what is
 * missing; a missing optional input is filled with its documented default in the domain's window.
 * The store keeps exactly the mapped inputs of the domains that run.
 */
import { ConfigInvalidError } from '../errors.js';
import type { CatalogEntry, FeatureWindowSpec } from '../signals/index.js';
import type { DomainDefinition } from '../service/domain.js';
import type { ResolvedSignal } from '../vehicle/types.js';

/** A domain the vehicle cannot serve, and why. */
export interface DisabledDomain {
  readonly domain: string;
  /** The required catalog signals this vehicle does not map, in the domain's order. */
  readonly missing: readonly string[];
}

/** A running domain's optional inputs that this vehicle does not map, with the value used instead. */
export interface DefaultedInputs {
  readonly domain: string;
  readonly inputs: Readonly<Record<string, number>>;
}

export interface DomainInputPlan {
  /** The mapped inputs of the running domains, once each, in domain then input order. */
  readonly entries: readonly CatalogEntry[];
  /** Names of the domains that run, in the order given. */
  readonly running: readonly string[];
  readonly disabled: readonly DisabledDomain[];
  readonly defaulted: readonly DefaultedInputs[];
}

/** The store's entry for one resolved catalog signal. */
export function catalogEntryOf(s: ResolvedSignal): CatalogEntry {
  return {
    name: s.name,
    message: s.message,
    signal: s.signals[0] ?? '',
    ...(s.signals.length > 1 ? { operands: s.signals } : {}),
    ...(s.transform ? { transform: s.transform } : {}),
    ...(s.muxValue === undefined ? {} : { muxValue: s.muxValue }),
    ...(s.channel ? { channel: s.channel } : {}),
    ...(s.periodMs ? { periodMs: s.periodMs } : {}),
    ...(s.timeoutMs ? { timeoutMs: s.timeoutMs } : {}),
  };
}

/**
 * Splits the domains into those the vehicle can serve and those it cannot.
 * @throws {ConfigInvalidError} when a domain's window reads a signal it does not declare as an
 *   input, or declares an optional input without a default
 */
export function planDomainInputs(definitions: readonly DomainDefinition[], vehicleSignals: ReadonlyMap<string, ResolvedSignal>): DomainInputPlan {
  checkDeclarations(definitions);
  const entries = new Map<string, CatalogEntry>();
  const running: string[] = [];
  const disabled: DisabledDomain[] = [];
  const defaulted: DefaultedInputs[] = [];
  for (const d of definitions) {
    const inputs = Object.entries(d.inputs);
    const missing = inputs.filter(([name, input]) => input.required && !vehicleSignals.has(name)).map(([name]) => name);
    if (missing.length > 0) {
      disabled.push({ domain: d.domain, missing });
      continue;
    }
    running.push(d.domain);
    const fills: Record<string, number> = {};
    for (const [name, input] of inputs) {
      const mapped = vehicleSignals.get(name);
      if (mapped === undefined) fills[name] = input.default ?? 0;
      else if (!entries.has(name)) entries.set(name, catalogEntryOf(mapped));
    }
    if (Object.keys(fills).length > 0) defaulted.push({ domain: d.domain, inputs: fills });
  }
  return { entries: [...entries.values()], running, disabled, defaulted };
}

/** The domain's feature window on this vehicle: its unmapped optional inputs held at their defaults. */
export function windowSpecOf(d: DomainDefinition, plan: DomainInputPlan): FeatureWindowSpec {
  const constants = plan.defaulted.find((x) => x.domain === d.domain)?.inputs;
  return { signals: d.window.signals, rateHz: d.window.rateHz, length: d.window.length, ...(constants ? { constants } : {}) };
}

/** One line for the operator: the domain, that it does not run, and the catalog signals it lacks. */
export function describeDisabled(d: DisabledDomain, shown = 4): string {
  const names = d.missing.slice(0, shown).join(', ');
  const more = d.missing.length > shown ? ` and ${d.missing.length - shown} more` : '';
  const n = d.missing.length;
  return `${d.domain} disabled: ${n} required signal${n === 1 ? '' : 's'} not mapped on this vehicle (${names}${more})`;
}

/** One line for the operator: the domain's inputs that take their default on this vehicle. */
export function describeDefaulted(d: DefaultedInputs): string {
  const list = Object.entries(d.inputs).map(([name, value]) => `${name} = ${value}`);
  return `${d.domain}: ${list.length} optional signal${list.length === 1 ? '' : 's'} not mapped, using the default${list.length === 1 ? '' : 's'} (${list.join(', ')})`;
}

function checkDeclarations(definitions: readonly DomainDefinition[]): void {
  const problems: { path: string; message: string }[] = [];
  for (const d of definitions) {
    for (const name of d.window.signals) {
      if (!(name in d.inputs)) problems.push({ path: `${d.domain}.window.signals`, message: `${name} is read by the window but is not one of the domain's inputs; declare it in inputs` });
    }
    for (const [name, input] of Object.entries(d.inputs)) {
      if (!input.required && input.default === undefined) problems.push({ path: `${d.domain}.inputs.${name}`, message: 'an optional input needs a default (the value its features take when a vehicle does not map it)' });
    }
  }
  if (problems.length > 0) throw new ConfigInvalidError('domain definitions', problems);
}
