/**
 * Ground truth of the forward collision warning, as the simulator and any labelled drive give it.
 * A collision is imminent when the time to collision is under TTC_IMMINENT_S with the lead really
 * closing in (closing speed over MIN_CLOSING_MPS).
 */

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
