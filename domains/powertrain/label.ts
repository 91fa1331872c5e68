/** Ground truth of the battery anomaly detector: whether a cell is faulty, which, and how. */
export interface PowertrainLabel {
  anomaly: boolean;
  /** Cell number 1..96 (as in the DBC's CV_CellNN), or null. */
  cell: number | null;
  fault: 'weak_cell' | 'thermal_event' | null;
}
