/** Ground truth of the road-friction estimate: the surface class and its friction coefficient. */
export interface ChassisLabel {
  friction_class: 'dry' | 'wet' | 'snow' | 'ice';
  mu: number;
}
