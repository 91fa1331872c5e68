/**
 * The ADAS model's contract: the 23 entries `adasFeatures` writes (21 network inputs, then the TTC
 * and target id the shipped graph passes through to its output) and the 3 outputs `interpret` reads.
 */
import type { ContractFeature, ModelContract } from '../../runtime/service/model-contract.js';
import { NO_TTC_S } from './features.js';

const FEATURES: readonly ContractFeature[] = [
  { name: 'lead_present', unit: '1', range: [0, 1], description: 'an in-path lead is tracked (held through a radar dropout of up to 0.15 s)' },
  { name: 'lead_distance', unit: '100 m', range: [0, 2.56], description: 'distance to the lead; 2.55 when there is none' },
  { name: 'closing_speed', unit: '10 m/s', range: [-3, 5], description: 'speed at which the lead closes in (minus its relative speed); 0 without a lead' },
  { name: 'inverse_ttc', unit: '1/s', range: [0, 5], description: 'closing speed over distance (1 / time to collision), now' },
  { name: 'inverse_ttc_0_05s', unit: '1/s', range: [0, 5], description: 'the same, 0.05 s ago' },
  { name: 'inverse_ttc_0_15s', unit: '1/s', range: [0, 5], description: 'the same, 0.15 s ago' },
  { name: 'inverse_ttc_0_3s', unit: '1/s', range: [0, 5], description: 'the same, 0.3 s ago' },
  { name: 'closing_rate', unit: '10 m/s²', range: [-3, 3], description: 'growth of the closing speed over 0.25 s (same target): the lead braking' },
  { name: 'ego_speed', unit: '100 km/h', description: 'own speed' },
  { name: 'ego_accel', unit: '5 m/s²', range: [-3, 3], description: 'own longitudinal acceleration' },
  { name: 'required_decel', unit: '10 m/s²', range: [0, 5], description: 'deceleration needed to stop closing in (closing² / 2 distance); 0 when not closing' },
  { name: 'lead_lateral_offset', unit: '2 m', range: [0, 2], description: "lead's lateral offset from the ego's axis, absolute; 1 without a lead" },
  { name: 'inverse_ttc_accel', unit: '1/s', range: [0, 5], description: '1 / time to collision with the relative acceleration' },
  { name: 'lead_presence_share', unit: '1', range: [0, 1], description: 'share of the 0.5 s window with an in-path lead' },
  { name: 'lead_existence', unit: '1', description: "radar's existence probability of the lead; 0 without a lead" },
  { name: 'ego_yaw_rate', unit: 'rad/s', range: [-1, 1], description: 'own yaw rate' },
  { name: 'lead_held', unit: '1', range: [0, 1], description: 'radar cycles the lead has been held through a dropout, over 3' },
  { name: 'peak_inverse_ttc', unit: '1/s', range: [0, 5], description: 'largest inverse TTC over the window' },
  { name: 'smoothed_inverse_ttc', unit: '1/s', range: [0, 5], description: 'closing speed averaged over 0.2 s, over distance' },
  { name: 'cut_in_inverse_ttc', unit: '1/s', range: [0, 5], description: 'inverse TTC of a car within 1.4 m outside the corridor moving into it; 0 when none' },
  { name: 'cut_in_entry_rate', unit: '2/s', range: [0, 5], description: 'how soon that car enters the corridor (lateral speed over its gap)' },
  { name: 'ttc', unit: 's', range: [0, NO_TTC_S], description: `pass-through, not a network input: constant-speed TTC of the newest radar cycle; ${NO_TTC_S} when none` },
  { name: 'target_id', unit: '1', description: 'pass-through, not a network input: radar id of that target; 0 when none' },
];

export const ADAS_MODEL_CONTRACT: ModelContract = {
  features: FEATURES,
  outputs: [
    { name: 'collision_probability', unit: '1', meaning: 'probability that a collision is imminent (TTC < 2.5 s with the lead closing in)' },
    { name: 'ttc', unit: 's', meaning: 'TTC the warning message carries: input 21 passed through' },
    { name: 'target_id', unit: '1', meaning: 'target the warning message carries: input 22 passed through' },
  ],
  interpretation: `output 0 clamped to 0..1 is the probability; from 0.5 the level is 2 (acute warning), else 0, held on at least 0.5 s; output 1 is clamped to 0..${NO_TTC_S} s, output 2 rounded and clamped to 0..255`,
};
