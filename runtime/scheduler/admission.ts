/**
 * Start-up admission: a configuration is accepted only if its safety services provably meet their
 * deadlines with their profiled costs on the cores given. Comfort services are best-effort and
 * only reported. The refusal message carries the arithmetic so a user can see what to change.
 */
import { AdmissionError, ConfigInvalidError } from '../errors.js';
import type { ServiceSpec, Variant } from './types.js';
import { defaultComfortCores, runsOnCore } from './types.js';

/** One service's share of the density sum. */
export interface DensityTerm {
  readonly domain: string;
  readonly variant: Variant;
  readonly costMs: number;
  /** min(deadline, period): the window the cost must fit into. */
  readonly windowMs: number;
  readonly density: number;
}

/**
 * A shared inference process runs its members' calls one at a time, whatever the cores: a single
 * core, checked with the uniprocessor EDF density test plus non-preemptive blocking (Baker, "Stack-based
 * scheduling of realtime processes", Real-Time Systems 3(1), 1991): for each safety member i,
 * Σ λ_j over the members + B_i / W_i ≤ 1, where B_i is the longest call of another member.
 */
export interface SharedWorkerCheck {
  readonly worker: string;
  readonly members: readonly string[];
  /** Σ λ_j over every member (comfort members at their primary variant). */
  readonly total: number;
  /** The safety member with the largest total + B_i / W_i, and that figure. */
  readonly worst: { readonly domain: string; readonly blockingMs: number; readonly load: number };
  readonly ok: boolean;
}

/** The result of the schedulability test for one choice of variants. */
export interface DensityCheck {
  readonly terms: readonly DensityTerm[];
  readonly total: number;
  readonly maxDensity: number;
  readonly cores: number;
  /** m − (m − 1)·λmax */
  readonly bound: number;
  /** Services whose single job cannot fit its deadline even alone. */
  readonly overruns: readonly { domain: string; costMs: number; deadlineMs: number }[];
  /** Shared processes holding a safety service. */
  readonly sharedWorkers: readonly SharedWorkerCheck[];
  readonly ok: boolean;
}

export interface AdmissionReport {
  readonly admitted: boolean;
  readonly cores: number;
  /** The configured primary variants. */
  readonly primary: DensityCheck;
  /** Safety services on int8 where they have it (undefined when none has). */
  readonly int8: DensityCheck | undefined;
  /** Safety services on their rule-based fallback where they have one (undefined when none has). */
  readonly fallback: DensityCheck | undefined;
  readonly comfort: {
    readonly terms: readonly DensityTerm[];
    readonly total: number;
    /** Core capacity left after the safety services' density. */
    readonly spare: number;
  };
  /** Safety services that a running non-preemptive job could push past their deadline (a warning). */
  readonly blockingRisks: readonly { domain: string; costMs: number; blockingMs: number; deadlineMs: number }[];
  /** Human-readable lines: the arithmetic, verdicts and alternatives. */
  readonly lines: readonly string[];
}

const EPS = 1e-12;

/**
 * Sound schedulability test for global EDF on `cores` identical cores with constrained deadlines:
 * the density bound Σ λ_i ≤ m − (m − 1)·λmax with λ_i = C_i / min(D_i, T_i), plus C_i ≤ D_i.
 * It is the Goossens–Funk–Baruah utilisation bound ("Priority-driven scheduling of periodic task
 * systems on multiprocessors", Real-Time Systems 25(2–3), 2003) extended to densities by Bertogna,
 * Cirinei and Lipari ("Improved schedulability analysis of EDF on multiprocessor platforms",
 * ECRTS 2005). It assumes preemption; jobs here run to completion, so `checkAdmission` also reports
 * the non-preemptive blocking risk separately rather than pretending the bound covers it.
 * @param services - all services; only safety ones are counted
 * @param variantOf - which variant each safety service is assumed to run
 * @param cores - cores available to the safety services
 * @param costScale - multiplies every cost (e.g. 1/speed when DVFS slows the cores)
 * @throws {ConfigInvalidError} when a chosen variant has no profiled cost
 */
export function safetyDensity(
  services: readonly ServiceSpec[],
  variantOf: (s: ServiceSpec) => Variant,
  cores: number,
  costScale = 1,
): DensityCheck {
  const terms: DensityTerm[] = [];
  const overruns: { domain: string; costMs: number; deadlineMs: number }[] = [];
  for (const s of services) {
    if (s.criticality !== 'safety') continue;
    const variant = variantOf(s);
    const base = s.costMs[variant];
    if (base === undefined) {
      throw new ConfigInvalidError('scheduler', [{ path: `domains.${s.domain}.variant`, message: `no profiled cost for variant ${variant}` }]);
    }
    const costMs = runsOnCore(variant) ? base * costScale : 0;
    const windowMs = Math.min(s.deadlineMs, s.periodMs);
    terms.push({ domain: s.domain, variant, costMs, windowMs, density: costMs / windowMs });
    if (costMs > s.deadlineMs + EPS) overruns.push({ domain: s.domain, costMs, deadlineMs: s.deadlineMs });
  }
  const total = terms.reduce((a, t) => a + t.density, 0);
  const maxDensity = terms.reduce((a, t) => Math.max(a, t.density), 0);
  const bound = cores - (cores - 1) * maxDensity;
  const sharedWorkers = sharedWorkerChecks(services, terms, costScale);
  const ok = total <= bound + EPS && overruns.length === 0 && sharedWorkers.every((w) => w.ok);
  return { terms, total, maxDensity, cores, bound, overruns, sharedWorkers, ok };
}

function sharedWorkerChecks(services: readonly ServiceSpec[], safetyTerms: readonly DensityTerm[], costScale: number): SharedWorkerCheck[] {
  const byWorker = new Map<string, DensityTerm[]>();
  for (const s of services) {
    if (s.worker === undefined) continue;
    const term = safetyTerms.find((t) => t.domain === s.domain) ?? comfortTerm(s, costScale);
    byWorker.set(s.worker, [...(byWorker.get(s.worker) ?? []), term]);
  }
  const checks: SharedWorkerCheck[] = [];
  for (const [worker, members] of byWorker) {
    const safety = members.filter((m) => safetyTerms.includes(m));
    if (safety.length === 0) continue;
    const total = members.reduce((a, m) => a + m.density, 0);
    let worst = { domain: '', blockingMs: 0, load: -1 };
    for (const i of safety) {
      const blockingMs = members.reduce((a, j) => (j === i ? a : Math.max(a, j.costMs)), 0);
      const load = total + blockingMs / i.windowMs;
      if (load > worst.load) worst = { domain: i.domain, blockingMs, load };
    }
    checks.push({ worker, members: members.map((m) => m.domain), total, worst, ok: worst.load <= 1 + EPS });
  }
  return checks;
}

function comfortTerm(s: ServiceSpec, costScale: number): DensityTerm {
  const costMs = runsOnCore(s.primary) ? (s.costMs[s.primary] ?? 0) * costScale : 0;
  const windowMs = Math.min(s.deadlineMs, s.periodMs);
  return { domain: s.domain, variant: s.primary, costMs, windowMs, density: costMs / windowMs };
}

/**
 * Checks the start-up configuration without throwing on refusal.
 * @param services - every service with its profile
 * @param cores - cores the scheduler may use at once
 * @param comfortCores - most cores comfort jobs may hold (as given to the dispatcher)
 * @throws {ConfigInvalidError} when a service profile is malformed (named by its config path)
 */
export function checkAdmission(services: readonly ServiceSpec[], cores: number, comfortCores = defaultComfortCores(cores)): AdmissionReport {
  validateServices(services, cores);
  const primary = safetyDensity(services, (s) => s.primary, cores);
  const safety = services.filter((s) => s.criticality === 'safety');
  const int8 = safety.some((s) => s.costMs.int8 !== undefined)
    ? safetyDensity(services, (s) => (s.costMs.int8 !== undefined ? 'int8' : s.primary), cores)
    : undefined;
  const fallback = safety.some((s) => s.costMs.fallback !== undefined)
    ? safetyDensity(services, (s) => (s.costMs.fallback !== undefined ? 'fallback' : s.primary), cores)
    : undefined;

  const comfortTerms: DensityTerm[] = services
    .filter((s) => s.criticality === 'comfort')
    .map((s) => comfortTerm(s, 1));
  const comfortTotal = comfortTerms.reduce((a, t) => a + t.density, 0);
  const spare = Math.max(0, cores - primary.total);

  // A job that started just before a safety release keeps its core until it finishes. The safety
  // job waits only while every core is so occupied, and comfort jobs may hold at most
  // `comfortCores` of them; the wait is bounded by the shortest of the m jobs that can fill them.
  const blockingRisks: { domain: string; costMs: number; blockingMs: number; deadlineMs: number }[] = [];
  for (const s of safety) {
    const own = s.costMs[s.primary] ?? 0;
    const blockingMs = worstBlockingMs(services, s, cores, comfortCores);
    if (own + blockingMs > s.deadlineMs + EPS) blockingRisks.push({ domain: s.domain, costMs: own, blockingMs, deadlineMs: s.deadlineMs });
  }

  const lines: string[] = [];
  lines.push(`${primary.ok ? 'admitted' : 'refused'}: ${describeCheck(primary)}`);
  if (!primary.ok) {
    if (int8) lines.push(`with int8: ${describeCheck(int8)} -> ${int8.ok ? 'would admit' : 'would not admit'}`);
    if (fallback) lines.push(`with fallback: ${describeCheck(fallback)} -> ${fallback.ok ? 'would admit' : 'would not admit'}`);
  }
  for (const b of blockingRisks) {
    lines.push(
      `warning: ${b.domain} cost ${fmt(b.costMs)} ms + non-preemptive blocking up to ${fmt(b.blockingMs)} ms > deadline ${fmt(b.deadlineMs)} ms when every core is busy`,
    );
  }
  lines.push(
    comfortTerms.length === 0
      ? 'comfort: none'
      : `comfort best-effort: ${comfortTerms.map((t) => `${t.domain} ${fmt(t.density)}`).join(' + ')} = ${fmt(comfortTotal)} of ${fmt(spare)} core(s) spare` +
          (comfortTotal > spare + EPS ? ' (overloaded: expect comfort drops until the ladder degrades them)' : ''),
  );
  return { admitted: primary.ok, cores, primary, int8, fallback, comfort: { terms: comfortTerms, total: comfortTotal, spare }, blockingRisks, lines };
}

/**
 * Admits the configuration or refuses it with the arithmetic in the message.
 * @param services - every service with its profile
 * @param cores - cores the scheduler may use at once
 * @param comfortCores - most cores comfort jobs may hold (as given to the dispatcher)
 * @throws {AdmissionError} when the safety services cannot be shown to meet their deadlines
 * @throws {ConfigInvalidError} when a service profile is malformed
 */
export function admit(services: readonly ServiceSpec[], cores: number, comfortCores = defaultComfortCores(cores)): AdmissionReport {
  const report = checkAdmission(services, cores, comfortCores);
  if (!report.admitted) throw new AdmissionError(report.lines.join('; '));
  return report;
}

/**
 * The longest a release of `s` can wait for a core: choose m other jobs (at most `comfortCores` of
 * them comfort) to hold all m cores, maximising the shortest of them. Greedy is optimal here: take
 * the longest comfort jobs up to the limit and fill the rest with the longest safety ones, trying
 * every comfort count.
 */
function worstBlockingMs(services: readonly ServiceSpec[], s: ServiceSpec, cores: number, comfortCores: number): number {
  const costs = (c: 'safety' | 'comfort'): number[] =>
    services
      .filter((o) => o !== s && o.criticality === c && runsOnCore(o.primary))
      .map((o) => o.costMs[o.primary] ?? 0)
      .sort((a, b) => b - a);
  const safetyCosts = costs('safety');
  const comfortCostsSorted = costs('comfort');
  let worst = 0;
  for (let k = 0; k <= Math.min(comfortCores, comfortCostsSorted.length, cores); k++) {
    const need = cores - k;
    if (need > safetyCosts.length) continue;
    const chosen = [...comfortCostsSorted.slice(0, k), ...safetyCosts.slice(0, need)];
    if (chosen.length === cores) worst = Math.max(worst, Math.min(...chosen));
  }
  return worst;
}

function describeCheck(c: DensityCheck): string {
  if (c.terms.length === 0) return 'no safety services';
  const parts = c.terms.map((t) => fmt(t.density));
  const names = c.terms.map((t) => `${t.domain} ${t.variant} ${fmt(t.costMs)}/${fmt(t.windowMs)} ms`).join(', ');
  const cmp = c.total <= c.bound + EPS ? '<=' : '>';
  let s =
    `safety density ${parts.join('+')} = ${fmt(c.total)} ${cmp} ${fmt(c.bound)} ` +
    `(m - (m-1)*max = ${c.cores} - ${c.cores - 1}*${fmt(c.maxDensity)}, ${c.cores} core(s) available to safety; ${names})`;
  for (const o of c.overruns) s += `; ${o.domain} cost ${fmt(o.costMs)} ms > deadline ${fmt(o.deadlineMs)} ms`;
  for (const w of c.sharedWorkers) {
    s +=
      `; shared process ${w.worker} (${w.members.join(', ')}) runs one call at a time: ` +
      `${fmt(w.total)} + ${w.worst.domain} blocking ${fmt(w.worst.blockingMs)} ms = ${fmt(w.worst.load)} ${w.ok ? '<=' : '>'} 1`;
  }
  return s;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function validateServices(services: readonly ServiceSpec[], cores: number): void {
  const issues: { path: string; message: string }[] = [];
  if (!Number.isInteger(cores) || cores < 1) issues.push({ path: 'scheduler.cores', message: `must be an integer >= 1, got ${cores}` });
  const seen = new Set<string>();
  for (const s of services) {
    const at = `domains.${s.domain}`;
    if (seen.has(s.domain)) issues.push({ path: at, message: 'listed twice' });
    seen.add(s.domain);
    if (!(s.periodMs > 0) || !Number.isFinite(s.periodMs)) issues.push({ path: `${at}.rate_hz`, message: `period must be positive, got ${s.periodMs} ms` });
    if (!(s.deadlineMs > 0) || !Number.isFinite(s.deadlineMs)) issues.push({ path: `${at}.deadline_ms`, message: `must be positive, got ${s.deadlineMs}` });
    for (const [v, c] of Object.entries(s.costMs)) {
      if (c === undefined) continue;
      if (!(c >= 0) || !Number.isFinite(c)) issues.push({ path: `${at}.cost_ms.${v}`, message: `must be a finite cost >= 0, got ${c}` });
    }
    if (s.costMs[s.primary] === undefined) issues.push({ path: `${at}.variant`, message: `variant ${s.primary} has no profiled cost` });
    if (s.criticality === 'safety' && s.primary === 'cloud') issues.push({ path: `${at}.variant`, message: 'a safety service cannot run in the cloud' });
  }
  if (issues.length > 0) throw new ConfigInvalidError('scheduler', issues);
}
