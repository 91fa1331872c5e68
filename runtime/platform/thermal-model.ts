/**
 * A lumped RC thermal model of the SoC: C·dT/dt = P − (T − T_amb)/R, i.e.
 * dT/dt = (P·R − (T − T_amb)) / (R·C). Power is held constant over each step (zero-order hold) and
 * the step is integrated exactly, T ← T_ss + (T − T_ss)·e^(−h/RC) with T_ss = T_amb + P·R, so the
 * model is stable for any step and identical for identical inputs.
 */

export interface ThermalParams {
  readonly rThKPerW: number;
  readonly cThJPerK: number;
  readonly ambientC: number;
}

export class ThermalModel {
  readonly #p: ThermalParams;
  #t: number;

  /** @throws {RangeError} for a non-positive R or C */
  constructor(params: ThermalParams, startC: number = params.ambientC) {
    if (!(params.rThKPerW > 0) || !(params.cThJPerK > 0)) throw new RangeError(`R and C must be positive, got R=${params.rThKPerW} C=${params.cThJPerK}`);
    this.#p = params;
    this.#t = startC;
  }

  get temperatureC(): number {
    return this.#t;
  }

  /** Time constant R·C, s. */
  get tauS(): number {
    return this.#p.rThKPerW * this.#p.cThJPerK;
  }

  /**
   * Integrates `h` seconds at constant power `powerW`.
   * @throws {RangeError} for a negative step or a non-finite power
   */
  step(h: number, powerW: number): number {
    if (!(h >= 0)) throw new RangeError(`thermal step must be >= 0, got ${h}`);
    if (!Number.isFinite(powerW)) throw new RangeError(`power must be finite, got ${powerW}`);
    const steady = this.#p.ambientC + powerW * this.#p.rThKPerW;
    this.#t = steady + (this.#t - steady) * Math.exp(-h / this.tauS);
    return this.#t;
  }
}
