/**
 * Cabin climate: one thermal mass exchanging heat with the outside (more with speed), warmed by
 * the sun through the glass and by the occupants, and an automatic HVAC that drives the cabin to
 * the user's set-point with a PI controller limited to its heating and cooling capacity. CO2 from
 * the occupants is diluted by the fresh-air flow; humidity drifts towards the outside's plus what
 * people breathe out.
 */
import { clamp } from '../numeric.js';

const HEAT_CAPACITY_J_PER_K = 70_000;
const HEATING_MAX_W = 6000;
const COOLING_MAX_W = 6000;
const KP_W_PER_K = 1200;
const KI_W_PER_KS = 10;
const CABIN_VOLUME_M3 = 3;
const CO2_OUTSIDE_PPM = 420;
/** CO2 a seated adult breathes out (m^3/s). */
const CO2_PER_PERSON_M3S = 5e-6;
const SENSIBLE_HEAT_PER_PERSON_W = 80;

export interface CabinInputs {
  readonly ambientC: number;
  readonly ambientHumidityPct: number;
  readonly sunWm2: number;
  readonly occupants: number;
  readonly speedMps: number;
  /** The set-point the HVAC regulates to (the user's, as on the bus). */
  readonly setpointC: number;
}

export class Cabin {
  tempC: number;
  co2Ppm: number;
  humidityPct: number;
  /** Heat the HVAC adds (negative = cooling), W. */
  hvacW = 0;
  #integral = 0;

  constructor(tempC: number, humidityPct: number) {
    this.tempC = tempC;
    this.co2Ppm = CO2_OUTSIDE_PPM;
    this.humidityPct = humidityPct;
  }

  /** Blower level 0..7 the controller uses for this heat flow. */
  get blower(): number {
    const share = this.hvacW >= 0 ? this.hvacW / HEATING_MAX_W : -this.hvacW / COOLING_MAX_W;
    return Math.min(7, 1 + Math.round(share * 6));
  }

  /** Electrical power the HVAC draws (heat pump COP 2, air conditioning COP 2.5), W. */
  get electricW(): number {
    return this.hvacW >= 0 ? this.hvacW / 2 : -this.hvacW / 2.5;
  }

  step(dt: number, u: CabinInputs): void {
    const error = u.setpointC - this.tempC;
    const unclamped = KP_W_PER_K * error + KI_W_PER_KS * this.#integral;
    this.hvacW = clamp(unclamped, -COOLING_MAX_W, HEATING_MAX_W);
    // Integrate only while not saturated (anti-windup).
    if (this.hvacW === unclamped) this.#integral += error * dt;
    const ua = 45 + 2.5 * u.speedMps;
    const sun = 0.7 * u.sunWm2;
    const q = ua * (u.ambientC - this.tempC) + sun + SENSIBLE_HEAT_PER_PERSON_W * u.occupants + this.hvacW;
    this.tempC += (q * dt) / HEAT_CAPACITY_J_PER_K;
    const airChangesPerS = (2 + 3 * this.blower) / 3600;
    this.co2Ppm += ((u.occupants * CO2_PER_PERSON_M3S) / CABIN_VOLUME_M3) * 1e6 * dt - airChangesPerS * (this.co2Ppm - CO2_OUTSIDE_PPM) * dt;
    const humidTarget = clamp(u.ambientHumidityPct + 4 * u.occupants - (this.hvacW < -500 ? 15 : 0), 5, 95);
    this.humidityPct += ((humidTarget - this.humidityPct) * dt) / 300;
  }
}

export interface ComfortInputs {
  /** The occupants' own preference (offset from a neutral 22 C). */
  readonly preferenceC: number;
  readonly ambientC: number;
  readonly sunWm2: number;
  readonly occupants: number;
  readonly humidityPct: number;
}

/**
 * The set-point the occupants find comfortable, rounded to the HVAC's 0.5 C steps: warmer when
 * it is warm outside (adaptive comfort), cooler with strong sun, more people and humid air.
 */
export function comfortSetpoint(u: ComfortInputs): number {
  const raw =
    22 + u.preferenceC + 0.08 * clamp(u.ambientC - 22, -15, 15) - 0.0012 * u.sunWm2 - 0.25 * Math.max(0, u.occupants - 1) - 0.01 * (u.humidityPct - 50);
  return Math.round(clamp(raw, 17, 28) * 2) / 2;
}
