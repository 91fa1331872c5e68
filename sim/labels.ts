/**
 * Ground truth for the five domain services, read off the simulated world at each service's rate.
 * One JSON line per label: {"t": seconds, "domain": "adas", "label": {...}}.
 */
import type { World } from './vehicle/world.js';

/** Time to collision below which (with the lead really closing) a collision counts as imminent. */
export const TTC_IMMINENT_S = 2.5;
/** Closing speed below which the ego is not considered to be closing in (sensor noise level). */
export const MIN_CLOSING_MPS = 0.5;

export interface AdasLabel {
  collision_imminent: boolean;
  ttc_s: number | null;
  lead_distance_m: number | null;
  closing_speed_mps: number | null;
  lead_id: number | null;
}
export interface ChassisLabel {
  friction_class: 'dry' | 'wet' | 'snow' | 'ice';
  mu: number;
}
export interface PowertrainLabel {
  anomaly: boolean;
  /** Cell number 1..96 (as in the DBC's CV_CellNN), or null. */
  cell: number | null;
  fault: 'weak_cell' | 'thermal_event' | null;
}
export interface CockpitLabel {
  drowsiness: 0 | 1 | 2;
  fatigue: number;
}
export interface BodyLabel {
  setpoint_c: number;
  occupancy: number;
}

export type LabelRecord =
  | { t: number; domain: 'adas'; label: AdasLabel }
  | { t: number; domain: 'chassis'; label: ChassisLabel }
  | { t: number; domain: 'powertrain'; label: PowertrainLabel }
  | { t: number; domain: 'cockpit'; label: CockpitLabel }
  | { t: number; domain: 'body'; label: BodyLabel };

export type Domain = LabelRecord['domain'];

/** Label period of each domain, in ms: the service's rate. */
export const LABEL_PERIOD_MS: Readonly<Record<Domain, number>> = { adas: 50, chassis: 20, powertrain: 100, cockpit: 200, body: 1000 };

export const DOMAINS: readonly Domain[] = ['adas', 'chassis', 'powertrain', 'cockpit', 'body'];

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
