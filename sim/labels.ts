/**
 * Ground truth for the five domain services, read off the simulated world at each service's rate.
 * One JSON line per label: {"t": seconds, "domain": "adas", "label": {...}}. What each label means
 * is its domain's (domains/NAME/label.ts); this file only reads it off the world.
 */
import { DOMAINS as DOMAIN_TABLE } from '../domains/index.js';
import { MIN_CLOSING_MPS, TTC_IMMINENT_S, type AdasLabel } from '../domains/adas/label.js';
import type { BodyLabel } from '../domains/body/label.js';
import type { ChassisLabel } from '../domains/chassis/label.js';
import type { CockpitLabel } from '../domains/cockpit/label.js';
import type { PowertrainLabel } from '../domains/powertrain/label.js';
import type { World } from './vehicle/world.js';

export type { AdasLabel, BodyLabel, ChassisLabel, CockpitLabel, PowertrainLabel };

export type LabelRecord =
  | { t: number; domain: 'adas'; label: AdasLabel }
  | { t: number; domain: 'chassis'; label: ChassisLabel }
  | { t: number; domain: 'powertrain'; label: PowertrainLabel }
  | { t: number; domain: 'cockpit'; label: CockpitLabel }
  | { t: number; domain: 'body'; label: BodyLabel };

export type Domain = LabelRecord['domain'];

/** The labelled domains, in the order of the domain table (the order of each step's labels). */
export const DOMAINS: readonly Domain[] = Object.keys(DOMAIN_TABLE) as Domain[];

/** Label period of each domain, in ms: one label per run of its service. */
export const LABEL_PERIOD_MS: Readonly<Record<Domain, number>> = Object.fromEntries(
  DOMAINS.map((d) => [d, Math.round(1000 / DOMAIN_TABLE[d].rateHz)]),
) as Record<Domain, number>;

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The label of `domain` for the world as it is now, stamped `t`. */
export function labelFor(domain: Domain, t: number, world: World): LabelRecord {
  switch (domain) {
    case 'adas': {
      const lead = world.lead();
      const closing = lead ? world.long.speedMps - lead.speedMps : null;
      const ttc = lead && closing !== null && closing > MIN_CLOSING_MPS ? Math.max(0, lead.gapM) / closing : null;
      return {
        t,
        domain,
        label: {
          collision_imminent: ttc !== null && ttc < TTC_IMMINENT_S,
          ttc_s: ttc === null ? null : round(ttc, 3),
          lead_distance_m: lead ? round(lead.gapM, 3) : null,
          closing_speed_mps: closing === null ? null : round(closing, 3),
          lead_id: lead ? lead.id : null,
        },
      };
    }
    case 'chassis':
      return { t, domain, label: { friction_class: world.env.surface, mu: round(world.env.mu, 3) } };
    case 'powertrain': {
      const fault = world.battery.faults.find((f) => t >= f.onsetS);
      return { t, domain, label: { anomaly: fault !== undefined, cell: fault ? fault.cell + 1 : null, fault: fault ? fault.kind : null } };
    }
    case 'cockpit':
      return { t, domain, label: { drowsiness: world.driver.level, fatigue: round(world.driver.fatigue, 3) } };
    case 'body':
      return { t, domain, label: { setpoint_c: world.comfortSetpointC(), occupancy: world.occupants.count } };
  }
}
