/**
 * The daemon's view of its buses: opens the configured ones (a socketcand server need not be up at
 * start), tells the log of each link change and, while a link is not up, every `warnPeriodS` with
 * the frames refused meanwhile, and gives health and metrics each link's state, reconnects and the
 * age of its last frame. One line per change plus one per period, never one per refused frame.
 */
import type { Logger } from 'pino';
import { BusDownError } from '../../bus/errors.js';
import { openBus, type Bus, type BusSpec } from '../../bus/transport/index.js';
import type { LinkStatus } from '../../bus/transport/link.js';
import type { Clock } from '../clock.js';
import type { EcuAiConfig } from '../config.js';
import type { BusHealth, ComponentHealth, StandardMetrics } from './index.js';

/** How often a bus that is not up is logged again (s). */
export const BUS_DOWN_LOG_PERIOD_S = 5;

const LINK_STATES = ['up', 'connecting', 'down', 'closed'] as const;

/** Per bus, updated on the hot path by the reader: kept as a plain mutable record. */
export interface BusTrack {
  lastFrameAt: number | undefined;
  refusedWhileDown: number;
}

export class BusMonitor {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #std: StandardMetrics;
  readonly #tracks = new Map<Bus, BusTrack>();

  constructor(clock: Clock, log: Logger, std: StandardMetrics) {
    this.#clock = clock;
    this.#log = log;
    this.#std = std;
  }

  /**
   * Opens one configured transport. A socketcand bus reconnects (unless `reconnect: false`) and is
   * waited for unless `required_at_start`.
   * @throws {BusInitError} when a bus that is required now cannot be opened.
   */
  async open(spec: EcuAiConfig['transports'][number]): Promise<Bus> {
    if (spec.kind !== 'socketcand') return this.track(await openBus(spec as BusSpec));
    const opened: { bus?: Bus } = {};
    const { required_at_start: required, ...rest } = spec;
    const bus = await openBus({ ...rest, requireAtOpen: required, clock: this.#clock, onLinkChange: (s) => this.#changed(opened.bus, s) });
    opened.bus = bus;
    return this.track(bus);
  }

  /** Starts watching a bus (opened here or given); returns the record its reader updates. */
  track(bus: Bus): Bus {
    if (!this.#tracks.has(bus)) this.#tracks.set(bus, { lastFrameAt: undefined, refusedWhileDown: 0 });
    return bus;
  }

  /** The record the reader loop stamps each frame's arrival on. */
  trackOf(bus: Bus): BusTrack {
    this.track(bus);
    return this.#tracks.get(bus) as BusTrack;
  }

  /** Whether a send failure is the link being down (counted here, logged with the link), not a failure of its own. */
  refused(bus: Bus, err: unknown): boolean {
    if (!(err instanceof BusDownError)) return false;
    this.trackOf(bus).refusedWhileDown++;
    return true;
  }

  #changed(bus: Bus | undefined, s: LinkStatus): void {
    const name = bus?.name ?? 'socketcand';
    const fields = { bus: name, state: s.state, reconnects: s.reconnects, attempts: s.attempts, ...(s.lastError ? { err: s.lastError } : {}) };
    if (s.state === 'up') this.#log.info(fields, s.reconnects > 0 ? 'bus link back up' : 'bus link up');
    else if (s.state === 'down' && s.attempts === 0) this.#log.warn(fields, 'bus link lost; reconnecting');
    else if (s.state === 'connecting' && s.attempts === 1) this.#log.warn(fields, `bus link ${s.state}: ${s.lastError ?? 'no answer'}; retrying`);
  }

  /** Logs each bus that is not up every period until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.#clock.sleepUntil(this.#clock.now() + BUS_DOWN_LOG_PERIOD_S, signal);
      } catch {
        return;
      }
      for (const [bus, track] of this.#tracks) {
        const s = bus.link;
        if (s.state !== 'connecting' && s.state !== 'down') continue;
        const downForS = s.downSince === undefined ? undefined : round1(this.#clock.now() - s.downSince);
        this.#log.warn(
          { bus: bus.name, state: s.state, attempts: s.attempts, downForS, refusedFrames: track.refusedWhileDown, ...(s.lastError ? { err: s.lastError } : {}) },
          `bus link still ${s.state} after ${downForS ?? '?'} s: ${s.lastError ?? 'no answer'}; retrying`,
        );
        track.refusedWhileDown = 0;
      }
    }
  }

  /** Each bus's link as of `now`. */
  buses(now: number): Record<string, BusHealth> {
    const out: Record<string, BusHealth> = {};
    for (const [bus, track] of this.#tracks) {
      const s = bus.link;
      out[bus.name] = {
        state: s.state,
        reconnects: s.reconnects,
        attempts: s.attempts,
        ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
        ...(s.downSince === undefined ? {} : { downForS: round1(now - s.downSince) }),
        lastFrameAgeS: track.lastFrameAt === undefined ? null : round1(now - track.lastFrameAt),
      };
    }
    return out;
  }

  /** The `buses` component: ready when every link is up. */
  component(now: number): ComponentHealth {
    const all = Object.entries(this.buses(now));
    const notUp = all.filter(([, b]) => b.state !== 'up');
    return {
      ready: all.length > 0 && notUp.length === 0,
      detail: all.length === 0 ? 'no bus' : all.map(([name, b]) => (b.state === 'up' ? `${name}: up` : `${name}: ${b.state}${b.lastError ? ` (${b.lastError})` : ''}`)).join(', '),
    };
  }

  /** Brings the bus metrics up to date (at each scrape). */
  refreshMetrics(now: number): void {
    for (const [name, b] of Object.entries(this.buses(now))) {
      for (const state of LINK_STATES) this.#std.busLinkState.labels({ bus: name, state }).set(state === b.state ? 1 : 0);
      const reconnects = this.#std.busReconnects.labels({ bus: name });
      if (b.reconnects > reconnects.value) reconnects.inc(b.reconnects - reconnects.value);
      if (b.lastFrameAgeS !== null) this.#std.busLastFrameAge.labels({ bus: name }).set(b.lastFrameAgeS);
    }
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
