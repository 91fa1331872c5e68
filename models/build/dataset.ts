/**
 * Datasets for training and evaluation, built through the serving path: simulator frames →
 * compiled reference DBC → SignalRouter → FeatureWindow snapshot → the domain's `features`.
 * One simulator run feeds every requested domain at once; each label event of a domain (at the
 * domain's rate) becomes one row with the window as it stood then, the label, and the fallback's
 * answer on the same window (so the model and the rule are scored on exactly the same inputs).
 */
import type { CompiledDatabase } from '../../bus/dbc/index.js';
import { ConfigInvalidError } from '../../runtime/errors.js';
import type { DomainName, ShippedDomain } from '../../domains/index.js';
import { planDomainInputs, windowSpecOf, type DomainInputPlan } from '../../runtime/engine/domain-inputs.js';
import { FeatureWindow, SignalCatalog, SignalRouter, SignalStore } from '../../runtime/signals/index.js';
import { referenceVehicleSignals } from '../../runtime/vehicle/reference-mapping.js';
import { simulate } from '../../sim/simulate.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';

/** One simulator run. */
export interface RunSpec {
  readonly scenario: string;
  readonly seed: number;
  readonly durationS: number;
}

/** Rows of one domain. */
export interface DomainDataset {
  readonly domain: DomainName;
  readonly featureSize: number;
  /** Row-major [rows, featureSize]. */
  readonly x: Float32Array;
  readonly rows: number;
  readonly t: Float64Array;
  /** Which run (index into `runs`) each row comes from. */
  readonly run: Int32Array;
  readonly labels: readonly unknown[];
  readonly fallback: readonly unknown[];
  readonly runs: readonly RunSpec[];
}

export interface DatasetOptions {
  /** Keep one label in `stride` per domain (default 1: every label). */
  readonly stride?: Partial<Record<DomainName, number>>;
  readonly database?: CompiledDatabase;
  /** Called after each simulated run (for a progress line). */
  readonly onRun?: (done: number, total: number) => void;
}

class Collector {
  readonly xs: number[] = [];
  readonly t: number[] = [];
  readonly run: number[] = [];
  readonly labels: unknown[] = [];
  readonly fallback: unknown[] = [];
  readonly snapshot: Float32Array;
  readonly features: Float32Array;
  count = 0;
  window!: FeatureWindow;
  constructor(readonly def: ShippedDomain, readonly stride: number) {
    this.snapshot = new Float32Array(def.window.length * def.window.signals.length);
    this.features = new Float32Array(def.featureSize);
  }
}

/**
 * The domains' inputs on the reference vehicle, whose frames the simulator writes.
 * @throws {ConfigInvalidError} when the reference vehicle lacks a domain's required input
 */
function referenceInputs(defs: readonly ShippedDomain[]): DomainInputPlan {
  const plan = planDomainInputs(defs, referenceVehicleSignals());
  if (plan.disabled.length > 0) {
    throw new ConfigInvalidError('runtime/vehicle/reference-mapping.ts', plan.disabled.map((d) => ({ path: d.domain, message: `the reference vehicle does not map ${d.missing.join(', ')}` })));
  }
  return plan;
}

/**
 * Simulates every run and collects rows per domain.
 * @throws {SimUsageError} for an unknown scenario; {ConfigInvalidError} when a domain names a signal the DBC lacks
 */
export function buildDatasets(defs: readonly ShippedDomain[], runs: readonly RunSpec[], options: DatasetOptions = {}): Map<DomainName, DomainDataset> {
  const db = options.database ?? vehicleDatabase();
  const inputs = referenceInputs(defs);
  const catalog = new SignalCatalog(inputs.entries, 'domain signals').validateAgainst(db.database, 'domain signals');
  const collectors = defs.map((d) => new Collector(d, options.stride?.[d.domain] ?? 1));
  const byDomain = new Map(collectors.map((c) => [c.def.domain as string, c]));
  runs.forEach((spec, runIndex) => {
    const store = new SignalStore(catalog);
    const router = new SignalRouter(db, store);
    for (const c of collectors) {
      c.window = new FeatureWindow(store, windowSpecOf(c.def, inputs));
      router.attach(c.window);
    }
    for (const ev of simulate({ scenario: spec.scenario, seed: spec.seed, durationS: spec.durationS, database: db })) {
      if (ev.kind === 'frame') {
        router.ingest(ev.frame);
        continue;
      }
      const c = byDomain.get(ev.label.domain);
      if (!c) continue;
      if (c.count++ % c.stride !== 0) continue;
      c.window.advanceTo(ev.label.t);
      c.window.snapshot(c.snapshot);
      c.def.features(c.snapshot, c.features);
      for (let i = 0; i < c.features.length; i++) c.xs.push(c.features[i] as number);
      c.t.push(ev.label.t);
      c.run.push(runIndex);
      c.labels.push(ev.label.label);
      c.fallback.push(c.def.fallback(c.snapshot));
    }
    options.onRun?.(runIndex + 1, runs.length);
  });
  const out = new Map<DomainName, DomainDataset>();
  for (const c of collectors) {
    out.set(c.def.domain, {
      domain: c.def.domain,
      featureSize: c.def.featureSize,
      x: Float32Array.from(c.xs),
      rows: c.t.length,
      t: Float64Array.from(c.t),
      run: Int32Array.from(c.run),
      labels: c.labels,
      fallback: c.fallback,
      runs,
    });
  }
  return out;
}
