/**
 * SOME/IP input in `/metrics` and `/health`: what arrived and was dropped (malformed datagrams,
 * datagrams over a sender's rate, TP drops by reason, forged Subscribes). A flood shows up twice:
 * in the counters, and as a degraded `someip` component while drops keep happening within the health window. Drops degrade, never
 * "down": the vehicle functions do not depend on SOME/IP input being accepted.
 */
import type { HealthModel } from '../observe/health.js';
import type { MetricsRegistry } from '../observe/metrics.js';
import { RecentCount } from '../observe/recent-count.js';
import { TP_DROP_REASONS, type SomeipBridge, type SomeipInputStats } from './bridge.js';

/** Seconds of SOME/IP input drops that make the `someip` health component degraded. */
export const SOMEIP_DROP_WINDOW_S = 10;

function totalDrops(s: SomeipInputStats): number {
  return s.malformed + s.rateLimited + s.foreignEndpointSubscriptions + TP_DROP_REASONS.reduce((sum, r) => sum + s.tpDrops[r], 0);
}

/** Registers the SOME/IP input counters and the `someip` health check for a running bridge. */
export function observeSomeip(bridge: SomeipBridge, metrics: MetricsRegistry, health: HealthModel): void {
  const tp = metrics.counter('ecu_ai_someip_tp_dropped_total', 'SOME/IP-TP segments or messages dropped, by reason.', ['reason']);
  const malformed = metrics.counter('ecu_ai_someip_malformed_datagrams_total', 'SOME/IP datagrams that did not parse.');
  const rateLimited = metrics.counter('ecu_ai_someip_rate_limited_datagrams_total', 'SOME/IP datagrams dropped undecoded because their sender exceeded its datagram rate.');
  const foreign = metrics.counter('ecu_ai_someip_foreign_subscriptions_total', 'SOME/IP-SD Subscribes refused for naming an endpoint other than the sender.');
  const catchUp = (c: { value: number; inc(by: number): void }, total: number): void => {
    if (total > c.value) c.inc(total - c.value);
  };
  metrics.onCollect(() => {
    const s = bridge.inputStats();
    for (const r of TP_DROP_REASONS) catchUp(tp.labels({ reason: r }), s.tpDrops[r]);
    catchUp(malformed.labels(), s.malformed);
    catchUp(rateLimited.labels(), s.rateLimited);
    catchUp(foreign.labels(), s.foreignEndpointSubscriptions);
  });
  const recent = new RecentCount(SOMEIP_DROP_WINDOW_S);
  health.addCheck('someip', (now) => {
    const s = bridge.inputStats();
    recent.observe(now, totalDrops(s));
    const n = recent.count(now);
    if (n === 0) return { ready: true, detail: `offering ${bridge.services.length} services` };
    const tpDropped = TP_DROP_REASONS.filter((r) => s.tpDrops[r] > 0).map((r) => `${r} ${s.tpDrops[r]}`);
    return {
      ready: true,
      degraded: true,
      detail: `${n} SOME/IP input drop${n === 1 ? '' : 's'} in the last ${SOMEIP_DROP_WINDOW_S} s (totals: malformed ${s.malformed}, over the rate ${s.rateLimited}, forged subscribes ${s.foreignEndpointSubscriptions}${tpDropped.length ? `, TP ${tpDropped.join(', ')}` : ''})`,
    };
  });
}
