/**
 * The modelled SoC: power from the dispatcher's busy time, temperature from the RC model, core
 * speed from the throttle curve. Integrated with fixed steps in the caller's (virtual) time, so a
 * replay gives the same temperatures every run.
 */
import { modelPowerW } from './power-model.js';
import { throttleSpeed, type PlatformProfile } from './profiles.js';
import { ThermalModel } from './thermal-model.js';

export interface SocModelOptions {
  readonly profile: PlatformProfile;
  readonly ambientC: number;
  /** Starting SoC temperature; default ambient. */
  readonly startC?: number;
  /** Integration step, s; default 0.1. */
  readonly stepS?: number;
  /** Time at which the model starts; default 0. */
  readonly t0?: number;
}

export interface SocState {
  readonly t: number;
  readonly socC: number;
  readonly powerW: number;
  readonly speed: number;
  /** Average busy cores over the last interval. */
  readonly busyCores: number;
}

export class SocModel {
  readonly #profile: PlatformProfile;
  readonly #thermal: ThermalModel;
  readonly #step: number;
  #t: number;
  #busySeen = 0;
  #state: SocState;

  /** @throws {RangeError} for a non-positive step or invalid thermal constants */
  constructor(o: SocModelOptions) {
    this.#profile = o.profile;
    this.#step = o.stepS ?? 0.1;
    if (!(this.#step > 0)) throw new RangeError(`step must be positive, got ${this.#step}`);
    this.#thermal = new ThermalModel({ rThKPerW: o.profile.rThKPerW, cThJPerK: o.profile.cThJPerK, ambientC: o.ambientC }, o.startC ?? o.ambientC);
    this.#t = o.t0 ?? 0;
    const socC = this.#thermal.temperatureC;
    const speed = throttleSpeed(o.profile, socC);
    this.#state = { t: this.#t, socC, powerW: modelPowerW(o.profile, 0, speed), speed, busyCores: 0 };
  }

  get state(): SocState {
    return this.#state;
  }

  /**
   * Advances the model to `t`, with the cores busy for `busyCoreSeconds` in total since the start
   * (a cumulative counter such as `Dispatcher.busyCoreSeconds()`); the interval's busy time is
   * spread evenly over it. Power and speed follow the temperature step by step.
   * @throws {RangeError} when time or the busy counter goes backwards
   */
  advance(t: number, busyCoreSeconds: number): SocState {
    if (t < this.#t) throw new RangeError(`model time cannot go back from ${this.#t} to ${t}`);
    if (busyCoreSeconds < this.#busySeen - 1e-9) throw new RangeError(`busy counter went back from ${this.#busySeen} to ${busyCoreSeconds}`);
    const dt = t - this.#t;
    const busyCores = dt > 0 ? Math.min(this.#profile.cores, Math.max(0, busyCoreSeconds - this.#busySeen) / dt) : this.#state.busyCores;
    this.#busySeen = Math.max(this.#busySeen, busyCoreSeconds);
    let cur = this.#t;
    let powerW = this.#state.powerW;
    let speed = this.#state.speed;
    // Fixed steps counted, not accumulated, so rounding never adds or loses a step.
    const n = Math.ceil(dt / this.#step - 1e-9);
    for (let i = 1; i <= n; i++) {
      const next = i === n ? t : this.#t + i * this.#step;
      speed = throttleSpeed(this.#profile, this.#thermal.temperatureC);
      powerW = modelPowerW(this.#profile, busyCores, speed);
      this.#thermal.step(next - cur, powerW);
      cur = next;
    }
    this.#t = t;
    const socC = this.#thermal.temperatureC;
    speed = throttleSpeed(this.#profile, socC);
    this.#state = { t, socC, powerW, speed, busyCores };
    return this.#state;
  }
}
