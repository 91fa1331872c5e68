/**
 * The degradation ladder: as the SoC heats, power passes its budget or the safety services'
 * predicted load stops fitting, services step down one rung at a time; when it is cool again they
 * step back up. Separate degrade/recover thresholds and a minimum dwell between steps keep it from
 * oscillating. Every step is an event for the replay summary. Pure: decisions depend only on the
 * inputs given to `update`, never on the wall clock.
 *
 *   comfort:  primary -> int8* -> half rate -> cloud** -> shed
 *   safety:   primary -> int8* -> fallback          (never the cloud, never shed)
 *   *  only when int8's profiled cost is lower (or, for comfort, its profiled energy is lower)
 *   ** only when the integrator's cloudAvailable() says so at that moment; else straight to shed
 *
 * Heat and power step comfort services first (breadth-first: all take rung 1 before any takes
 * rung 2, least urgent first), then safety services. Deadline pressure (the admission density test
 * failing with the current modes, cores and speed) steps the densest safety service at once.
 * Recovery retraces the ladder in reverse.
 */
import { safetyDensity } from './admission.js';
import type { ServiceMode, ServiceSpec, Variant } from './types.js';
import { runsOnCore } from './types.js';

export type LadderEventKind = 'degrade' | 'shed' | 'recover';

/** One ladder decision, in the replay summary's `events` format. */
export interface LadderEvent {
  readonly t: number;
  readonly kind: LadderEventKind;
  readonly domain: string;
  /** The rung reached: a variant name, `half-rate` or `shed`. */
  readonly to: string;
  readonly why: string;
}

/** What the platform and the integrator know at an instant. */
export interface LadderInputs {
  /** SoC temperature, °C. */
  readonly socC?: number;
  /** Board power, W. */
  readonly powerW?: number;
  /** Relative core speed (1 = nominal; lower while throttled): costs scale by 1/speed. */
  readonly speed?: number;
  /** Cores currently usable (default: the configured count). */
  readonly cores?: number;
}

export interface LadderOptions {
  readonly services: readonly ServiceSpec[];
  readonly cores: number;
  /** Degrade above this SoC temperature (°C); default 80. */
  readonly degradeC?: number;
  /** Recover only below this SoC temperature (°C); default 75. */
  readonly recoverC?: number;
  /** Degrade above this power (W); absent means no power budget. */
  readonly powerBudgetW?: number;
  /** Recover only below this power (W); default 90 % of the budget. */
  readonly powerRecoverW?: number;
  /** Minimum time between two heat/power steps (s); default 5. */
  readonly minDwellS?: number;
  /** Whether the cloud can take inference requests right now; default never. */
  readonly cloudAvailable?: () => boolean;
  readonly onEvent?: (e: LadderEvent) => void;
}

interface Rung {
  readonly label: string;
  readonly mode: ServiceMode;
}

interface Entry {
  readonly spec: ServiceSpec;
  readonly rungs: readonly Rung[];
  level: number;
}

export class DegradationLadder {
  readonly #o: LadderOptions;
  readonly #entries = new Map<string, Entry>();
  /** Heat/power degrade order: least urgent first (longest deadline, then name). */
  readonly #comfort: Entry[];
  readonly #safety: Entry[];
  readonly #events: LadderEvent[] = [];
  readonly #degradeC: number;
  readonly #recoverC: number;
  readonly #dwell: number;
  #lastStep = -Infinity;
  #lastT = -Infinity;

  /** @throws {RangeError} when recoverC is not below degradeC, or the power thresholds are inverted */
  constructor(options: LadderOptions) {
    this.#o = options;
    this.#degradeC = options.degradeC ?? 80;
    this.#recoverC = options.recoverC ?? 75;
    this.#dwell = options.minDwellS ?? 5;
    if (!(this.#recoverC < this.#degradeC)) throw new RangeError(`recoverC ${this.#recoverC} must be below degradeC ${this.#degradeC}`);
    if (options.powerBudgetW !== undefined && options.powerRecoverW !== undefined && !(options.powerRecoverW < options.powerBudgetW)) {
      throw new RangeError(`powerRecoverW ${options.powerRecoverW} must be below powerBudgetW ${options.powerBudgetW}`);
    }
    for (const spec of options.services) this.#entries.set(spec.domain, { spec, rungs: rungsFor(spec), level: 0 });
    const order = (a: Entry, b: Entry): number => b.spec.deadlineMs - a.spec.deadlineMs || (a.spec.domain < b.spec.domain ? -1 : 1);
    this.#comfort = [...this.#entries.values()].filter((e) => e.spec.criticality === 'comfort').sort(order);
    this.#safety = [...this.#entries.values()].filter((e) => e.spec.criticality === 'safety').sort(order);
  }

  /** The mode a service runs in now. @throws {RangeError} for an unknown domain */
  modeOf(domain: string): ServiceMode {
    const e = this.#entries.get(domain);
    if (!e) throw new RangeError(`unknown service ${domain}`);
    return e.rungs[e.level]!.mode;
  }

  /** The rung label a service is on (`fp32`, `int8`, `half-rate`, `cloud`, `shed`, `fallback`). */
  rungOf(domain: string): string {
    const e = this.#entries.get(domain);
    if (!e) throw new RangeError(`unknown service ${domain}`);
    return e.rungs[e.level]!.label;
  }

  /** Every event so far, oldest first. */
  get events(): readonly LadderEvent[] {
    return this.#events;
  }

  /**
   * Takes at most one heat/power step (respecting the dwell) plus any steps that deadline pressure
   * or a lost cloud force, and returns the events of this update.
   * @throws {RangeError} when time goes backwards
   */
  update(t: number, inputs: LadderInputs): LadderEvent[] {
    if (t < this.#lastT) throw new RangeError(`ladder time cannot go back from ${this.#lastT} to ${t}`);
    this.#lastT = t;
    const out: LadderEvent[] = [];
    const emit = (e: Entry, kind: LadderEventKind, to: number, why: string): void => {
      e.level = to;
      this.#lastStep = t;
      const ev: LadderEvent = { t, kind, domain: e.spec.domain, to: e.rungs[to]!.label, why };
      out.push(ev);
      this.#events.push(ev);
      this.#o.onEvent?.(ev);
    };
    const cloudUp = this.#o.cloudAvailable ?? ((): boolean => false);

    // A comfort service parked on the cloud cannot stay there once the cloud is gone.
    for (const e of this.#comfort) {
      if (e.rungs[e.level]!.label === 'cloud' && !cloudUp()) emit(e, 'shed', e.rungs.length - 1, 'cloud unavailable');
    }

    const cores = inputs.cores ?? this.#o.cores;
    const scale = 1 / Math.max(1e-6, inputs.speed ?? 1);
    for (;;) {
      const check = this.#density(cores, scale);
      if (check.ok) break;
      // A shared process over its single core is relieved by stepping down one of its own members.
      const overCores = check.total > check.bound;
      const shared = overCores ? undefined : check.sharedWorkers.find((w) => !w.ok);
      const worst = this.#safety
        .filter((e) => e.level < e.rungs.length - 1 && (shared === undefined || shared.members.includes(e.spec.domain)))
        .sort((a, b) => this.#densityOf(b, b.level, scale) - this.#densityOf(a, a.level, scale))[0];
      if (!worst) break;
      const speed = `at speed ${(1 / scale).toFixed(2)}`;
      const why =
        shared !== undefined
          ? `shared process ${shared.worker} load ${shared.worst.load.toFixed(2)} > 1 ${speed}`
          : `safety density ${check.total.toFixed(2)} > bound ${check.bound.toFixed(2)} on ${cores} core(s) ${speed}`;
      emit(worst, 'degrade', worst.level + 1, why);
    }

    const hot = this.#hotReason(inputs);
    if (hot !== undefined) {
      if (t - this.#lastStep >= this.#dwell) this.#degradeOne(emit, hot, cloudUp);
    } else if (this.#isCool(inputs) && t - this.#lastStep >= this.#dwell) {
      this.#recoverOne(emit, this.#coolReason(inputs), cloudUp, cores, scale);
    }
    return out;
  }

  #hotReason(i: LadderInputs): string | undefined {
    if (i.socC !== undefined && i.socC > this.#degradeC) return `soc ${i.socC.toFixed(2)} C > ${this.#degradeC} C`;
    const budget = this.#o.powerBudgetW;
    if (budget !== undefined && i.powerW !== undefined && i.powerW > budget) return `power ${i.powerW.toFixed(2)} W > budget ${budget} W`;
    return undefined;
  }

  #isCool(i: LadderInputs): boolean {
    if (i.socC !== undefined && !(i.socC < this.#recoverC)) return false;
    const budget = this.#o.powerBudgetW;
    if (budget !== undefined && i.powerW !== undefined && !(i.powerW < (this.#o.powerRecoverW ?? budget * 0.9))) return false;
    return true;
  }

  #coolReason(i: LadderInputs): string {
    const parts: string[] = [];
    if (i.socC !== undefined) parts.push(`soc ${i.socC.toFixed(2)} C < ${this.#recoverC} C`);
    const budget = this.#o.powerBudgetW;
    if (budget !== undefined && i.powerW !== undefined) parts.push(`power ${i.powerW.toFixed(2)} W < ${this.#o.powerRecoverW ?? budget * 0.9} W`);
    return parts.length > 0 ? parts.join(', ') : 'no pressure';
  }

  #degradeOne(emit: (e: Entry, k: LadderEventKind, to: number, why: string) => void, why: string, cloudUp: () => boolean): void {
    for (const group of [this.#comfort, this.#safety]) {
      const candidates = group.filter((e) => e.level < e.rungs.length - 1);
      if (candidates.length === 0) continue;
      // The mildest next rung across the group goes first; ties in least-urgent-first order.
      const best = Math.min(...candidates.map((c) => RANK[c.rungs[c.level + 1]!.label] ?? 0));
      const e = candidates.find((c) => (RANK[c.rungs[c.level + 1]!.label] ?? 0) === best)!;
      let to = e.level + 1;
      let note = '';
      if (e.rungs[to]!.label === 'cloud' && !cloudUp()) {
        to++;
        note = '; cloud unavailable';
      }
      emit(e, e.rungs[to]!.mode.shed ? 'shed' : 'degrade', to, why + note);
      return;
    }
  }

  #recoverOne(
    emit: (e: Entry, k: LadderEventKind, to: number, why: string) => void,
    why: string,
    cloudUp: () => boolean,
    cores: number,
    scale: number,
  ): void {
    for (const group of [this.#safety, this.#comfort]) {
      const candidates = group.filter((e) => e.level > 0).reverse();
      if (candidates.length === 0) continue;
      // Undo the harshest rung first, so recovery retraces the way down.
      const rank = (c: Entry): number => RANK[c.rungs[c.level]!.label] ?? 0;
      const worst = Math.max(...candidates.map(rank));
      for (const e of candidates.filter((c) => rank(c) === worst)) {
        let to = e.level - 1;
        if (e.rungs[to]!.label === 'cloud' && !cloudUp()) to--;
        // The cloud was the primary rung and it is down: there is nothing milder to go back to.
        if (to < 0) continue;
        if (e.spec.criticality === 'safety') {
          // Recover a safety service only if the lighter load it leaves still passes the test.
          const saved = e.level;
          e.level = to;
          const ok = this.#density(cores, scale).ok;
          e.level = saved;
          if (!ok) continue;
        }
        emit(e, 'recover', to, why);
        return;
      }
      // Safety services that cannot recover yet must not block comfort recovery.
    }
  }

  #density(cores: number, scale: number): ReturnType<typeof safetyDensity> {
    return safetyDensity(this.#o.services, (s) => this.#entries.get(s.domain)!.rungs[this.#entries.get(s.domain)!.level]!.mode.variant, cores, scale);
  }

  #densityOf(e: Entry, level: number, scale: number): number {
    const v = e.rungs[level]!.mode.variant;
    return runsOnCore(v) ? ((e.spec.costMs[v] ?? 0) * scale) / Math.min(e.spec.deadlineMs, e.spec.periodMs) : 0;
  }
}

/** How harsh a rung is; the ladder takes milder rungs across services before harsher ones. */
const RANK: Readonly<Record<string, number>> = { int8: 1, 'half-rate': 2, cloud: 3, shed: 4, fallback: 5 };

/** The rungs of one service's ladder, from its profile. */
function rungsFor(spec: ServiceSpec): Rung[] {
  const mode = (variant: Variant, rateDivisor = 1, shed = false): ServiceMode => ({ variant, rateDivisor, shed });
  const onCoreCost = (v: Variant): number => (runsOnCore(v) ? (spec.costMs[v] ?? Infinity) : 0);
  const rungs: Rung[] = [{ label: spec.primary, mode: mode(spec.primary) }];
  let local: Variant = spec.primary;
  const int8Cost = spec.costMs.int8;
  const cheaper = int8Cost !== undefined && int8Cost < onCoreCost(spec.primary);
  const energy = spec.energyMj;
  const leaner = energy?.int8 !== undefined && energy[spec.primary] !== undefined && energy.int8 < energy[spec.primary]!;
  if (spec.primary !== 'int8' && spec.primary !== 'fallback' && (cheaper || (spec.criticality === 'comfort' && leaner && int8Cost !== undefined))) {
    rungs.push({ label: 'int8', mode: mode('int8') });
    local = 'int8';
  }
  if (spec.criticality === 'safety') {
    if (spec.costMs.fallback !== undefined && spec.primary !== 'fallback') rungs.push({ label: 'fallback', mode: mode('fallback') });
    return rungs;
  }
  rungs.push({ label: 'half-rate', mode: mode(local, 2) });
  if (spec.costMs.cloud !== undefined && spec.primary !== 'cloud') rungs.push({ label: 'cloud', mode: mode('cloud', 2) });
  rungs.push({ label: 'shed', mode: mode(local, 2, true) });
  return rungs;
}
