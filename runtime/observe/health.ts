/**
 * Health as data. Others report what they know (a domain's state, heartbeats, errors, a
 * component's check); `report(now)` combines it into one JSON-able answer. Time is passed in, so
 * health is as deterministic in replay as everything else.
 *
 * Rules: a domain is alive unless failed or stopped, or its watchdog ran out since the last
 * heartbeat; ready when alive and serving (running, degraded or on its fallback); degraded when not
 * on its primary path (its fallback answers, its worker restarts), when some of its input signals
 * are stale or invalid, or when it missed deadlines within the last `missWindowS` seconds; every
 * such finding is listed in the domain's `reasons`. The whole is ready when every critical domain
 * and every component and bus link is ready (up); a non-critical domain that is not ready only
 * degrades the whole.
 */
import { RecentCount } from './recent-count.js';

export type DomainState = 'starting' | 'running' | 'degraded' | 'fallback' | 'restarting' | 'stopped' | 'failed';

export interface HealthError {
  readonly message: string;
  readonly code?: string;
  /** When it happened (seconds, on the health clock). */
  readonly t: number;
}

/** What others tell about a domain; every field optional in an update. */
export interface DomainStatus {
  readonly state: DomainState;
  /** Safety-relevant domains are critical; default true. */
  readonly critical: boolean;
  readonly variant?: string;
  /** Seconds without a heartbeat after which the domain counts as hung. */
  readonly watchdogS?: number;
  readonly lastHeartbeat?: number;
  readonly lastError?: HealthError;
  readonly signalsValid?: number;
  readonly signalsTotal?: number;
  /** Input signals that were not alive at the domain's last cycle (the first few, by name). */
  readonly invalidSignals?: readonly string[];
  /**
   * The process the domain's model runs in: `shared` with the others of its group, a `process` of
   * its own (also after being moved out of a group), or a `thread` of the daemon.
   */
  readonly worker?: { readonly isolation: string; readonly pid?: number; readonly restarts: number };
}

export interface DomainHealth extends DomainStatus {
  readonly name: string;
  readonly alive: boolean;
  readonly ready: boolean;
  readonly degraded: boolean;
  /** Deadline misses within the last `missWindowS` seconds. */
  readonly recentMisses: number;
  /** Why the domain is degraded or not ready, one sentence each; empty when healthy. */
  readonly reasons: readonly string[];
}

/** A component check's answer (bus, platform sensors, cloud link, ...). */
export interface ComponentHealth {
  readonly ready: boolean;
  readonly degraded?: boolean;
  readonly detail?: string;
}

/** One bus's link as health tells it. */
export interface BusHealth {
  readonly state: 'up' | 'connecting' | 'down' | 'closed';
  readonly reconnects: number;
  /** Failed connection attempts since the link was last up. */
  readonly attempts: number;
  readonly lastError?: string;
  /** Seconds since the link stopped being up (or since start while it never was); only while not up. */
  readonly downForS?: number;
  /** Seconds since the last frame arrived; null before the first. */
  readonly lastFrameAgeS: number | null;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded' | 'down';
  readonly ready: boolean;
  readonly t: number;
  readonly domains: Readonly<Record<string, DomainHealth>>;
  readonly components: Readonly<Record<string, ComponentHealth>>;
  /** Each bus's link, by bus name. A bus that is not up makes the whole not ready. */
  readonly buses: Readonly<Record<string, BusHealth>>;
  /**
   * Domains not started because the vehicle does not map all their required signals, with the
   * signals missing; only when there are some. They do not make the whole not ready: nothing that
   * was meant to run on this vehicle is down.
   */
  readonly disabled?: Readonly<Record<string, { readonly missing: readonly string[] }>>;
}

const SERVING: ReadonlySet<DomainState> = new Set(['running', 'degraded', 'fallback']);
const DEAD: ReadonlySet<DomainState> = new Set(['stopped', 'failed']);

export interface HealthOptions {
  /** How far back deadline misses make a domain degraded, in seconds. Default 10. */
  readonly missWindowS?: number;
}

/** Signal names a reason lists before it says "and N more". */
const NAMED_SIGNALS = 5;

export class HealthModel {
  readonly missWindowS: number;
  readonly #domains = new Map<string, DomainStatus>();
  readonly #disabled = new Map<string, readonly string[]>();
  readonly #misses = new Map<string, RecentCount>();
  readonly #checks = new Map<string, (now: number) => ComponentHealth>();
  #buses: ((now: number) => Readonly<Record<string, BusHealth>>) | undefined;

  /** @throws {RangeError} for a miss window that is not a positive number of seconds */
  constructor(options: HealthOptions = {}) {
    this.missWindowS = options.missWindowS ?? 10;
    if (!(this.missWindowS > 0)) throw new RangeError(`missWindowS must be positive, got ${this.missWindowS}`);
  }

  /** Creates or updates a domain's status (fields not given are kept). */
  setDomain(name: string, update: Partial<DomainStatus>): void {
    const prev = this.#domains.get(name) ?? { state: 'starting', critical: true };
    this.#domains.set(name, { ...prev, ...update });
  }

  /** Records a heartbeat (the watchdog restarts). */
  heartbeat(name: string, t: number): void {
    this.setDomain(name, { lastHeartbeat: t });
  }

  /** Records a domain's last error; its state is left to the caller (the supervisor decides). */
  reportError(name: string, err: unknown, t: number): void {
    const message = err instanceof Error ? err.message : String(err);
    const code = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;
    this.setDomain(name, { lastError: code === undefined ? { message, t } : { message, code, t } });
  }

  /** Records a domain's cumulative deadline misses as of `t` (the scheduler's counter). */
  recordMisses(name: string, total: number, t: number): void {
    let m = this.#misses.get(name);
    if (!m) {
      m = new RecentCount(this.missWindowS);
      this.#misses.set(name, m);
    }
    m.observe(t, total);
  }

  removeDomain(name: string): void {
    this.#domains.delete(name);
    this.#misses.delete(name);
  }

  /** Adds (or replaces) a component check, called on every report. A check that throws counts as not ready. */
  addCheck(name: string, check: (now: number) => ComponentHealth): void {
    this.#checks.set(name, check);
  }

  /** Sets where the bus links are read from on every report. */
  setBusSource(source: (now: number) => Readonly<Record<string, BusHealth>>): void {
    this.#buses = source;
  }

  /** A domain the vehicle cannot serve: listed under `disabled` with what it lacks. */
  setDisabled(name: string, missing: readonly string[]): void {
    this.#disabled.set(name, [...missing]);
  }

  /** Combines everything known into one report as of `now`. */
  report(now: number): HealthReport {
    const domains: Record<string, DomainHealth> = {};
    let ready = true;
    let degraded = false;
    for (const [name, s] of [...this.#domains].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const h = evaluateDomain(name, s, now, this.#misses.get(name)?.count(now) ?? 0, this.missWindowS);
      domains[name] = h;
      if (!h.ready && s.critical) ready = false;
      if (h.degraded || !h.ready) degraded = true;
    }
    const components: Record<string, ComponentHealth> = {};
    for (const [name, check] of this.#checks) {
      let c: ComponentHealth;
      try {
        c = check(now);
      } catch (err) {
        c = { ready: false, detail: `check failed: ${err instanceof Error ? err.message : String(err)}` };
      }
      components[name] = c;
      if (!c.ready) ready = false;
      if (c.degraded) degraded = true;
    }
    const buses = this.#buses?.(now) ?? {};
    for (const b of Object.values(buses)) if (b.state !== 'up') ready = false;
    const disabled = this.#disabled.size === 0 ? {} : { disabled: Object.fromEntries([...this.#disabled].map(([name, missing]) => [name, { missing }])) };
    return { status: !ready ? 'down' : degraded ? 'degraded' : 'ok', ready, t: now, domains, components, buses, ...disabled };
  }
}

function evaluateDomain(name: string, s: DomainStatus, now: number, recentMisses: number, missWindowS: number): DomainHealth {
  const reasons: string[] = [];
  let alive = !DEAD.has(s.state);
  if (!alive) reasons.push(`domain ${s.state}`);
  if (alive && s.watchdogS !== undefined) {
    // Before the first heartbeat only a starting domain gets the benefit of the doubt.
    alive = s.lastHeartbeat === undefined ? s.state === 'starting' : now - s.lastHeartbeat < s.watchdogS;
    if (!alive) reasons.push(s.lastHeartbeat === undefined ? 'no answer yet' : `no answer for ${round1(now - s.lastHeartbeat)} s (watchdog ${s.watchdogS} s)`);
  }
  const ready = alive && SERVING.has(s.state);
  if (alive && !ready) reasons.push(`domain ${s.state}`);
  if (s.state === 'fallback') reasons.push('answering from its rule-based fallback');
  if (s.state === 'restarting') reasons.push('inference worker restarting');
  if (s.state === 'degraded') reasons.push('off its primary path');
  const signalsShort = s.signalsTotal !== undefined && s.signalsValid !== undefined && s.signalsValid < s.signalsTotal;
  if (signalsShort) reasons.push(`inputs invalid: ${(s.signalsTotal as number) - (s.signalsValid as number)} of ${s.signalsTotal} signals stale or missing${namedSignals(s.invalidSignals)}`);
  if (recentMisses > 0) reasons.push(`${recentMisses} deadline miss${recentMisses === 1 ? '' : 'es'} in the last ${missWindowS} s`);
  const degraded = s.state === 'degraded' || s.state === 'fallback' || s.state === 'restarting' || signalsShort || recentMisses > 0;
  return { name, ...s, alive, ready, degraded, recentMisses, reasons };
}

function namedSignals(names: readonly string[] | undefined): string {
  if (names === undefined || names.length === 0) return '';
  const shown = names.slice(0, NAMED_SIGNALS).join(', ');
  return names.length > NAMED_SIGNALS ? ` (${shown} and ${names.length - NAMED_SIGNALS} more)` : ` (${shown})`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
