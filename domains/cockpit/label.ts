/** Ground truth of the drowsiness monitor: the driver's level (0 alert, 1 drowsy, 2 very) and fatigue. */
export interface CockpitLabel {
  drowsiness: 0 | 1 | 2;
  fatigue: number;
}
