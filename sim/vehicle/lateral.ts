/**
 * Lateral dynamics: a linear single-track (bicycle) model in steady state with a first-order lag,
 * whose lateral acceleration saturates at the road's friction (the car understeers instead of
 * turning harder). Also tracks the car's position in its lane against the road's curvature.
 */

export interface LateralParams {
  readonly wheelbaseM: number;
  readonly steeringRatio: number;
  /** Understeer gradient in s^2/m: yaw gain = v / (L (1 + K v^2)). */
  readonly understeerGradient: number;
  readonly yawLagS: number;
  readonly trackWidthM: number;
}

export const DEFAULT_LATERAL: LateralParams = {
  wheelbaseM: 2.9,
  steeringRatio: 15,
  understeerGradient: 0.0025,
  yawLagS: 0.15,
  trackWidthM: 1.6,
};

export class Lateral {
  readonly params: LateralParams;
  yawRate = 0;
  /** Heading of the car relative to the lane (rad). */
  headingError = 0;
  /** Offset of the car's centre from the lane centre, positive to the left (m). */
  laneOffset = 0;

  constructor(params: LateralParams = DEFAULT_LATERAL) {
    this.params = params;
  }

  /** Yaw rate the car settles to at speed `v` with steering wheel angle `wheelRad`, before saturation. */
  steadyYawRate(v: number, wheelRad: number): number {
    const p = this.params;
    return (v * (wheelRad / p.steeringRatio)) / (p.wheelbaseM * (1 + p.understeerGradient * v * v));
  }

  /** Steering wheel angle that holds a curve of `curvature` (1/m) at speed `v`. */
  steeringForCurvature(v: number, curvature: number): number {
    const p = this.params;
    return curvature * p.wheelbaseM * (1 + p.understeerGradient * v * v) * p.steeringRatio;
  }

  /** Advances by `dt`; returns the lateral acceleration (m/s^2, positive to the left). */
  step(dt: number, v: number, wheelRad: number, mu: number, roadCurvature: number): number {
    let target = this.steadyYawRate(v, wheelRad);
    const aMax = 0.95 * mu * 9.81;
    if (v > 0.5 && Math.abs(target * v) > aMax) target = (Math.sign(target) * aMax) / v;
    this.yawRate += ((target - this.yawRate) * dt) / Math.max(this.params.yawLagS, dt);
    this.headingError += (this.yawRate - v * roadCurvature) * dt;
    this.laneOffset += v * Math.sin(this.headingError) * dt;
    return v * this.yawRate;
  }
}
