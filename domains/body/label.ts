/** Ground truth of the comfort predictor: the set-point the occupants choose and how many they are. */
export interface BodyLabel {
  setpoint_c: number;
  occupancy: number;
}
