/**
 * A 96-cell series battery pack. Each cell: open-circuit voltage from its state of charge (NMC
 * curve), a series resistance (terminal voltage = OCV - I R, exactly, so a sag under load is I R),
 * a lumped heat capacity cooled by the coolant plate and coupled to its neighbours.
 *
 * Faults, from an onset time:
 * - a weak cell: an aged cell, with less capacity and more resistance. Cells age over months of
 *   cycling, not within one drive, so the cell is already weak when the drive starts (its
 *   scenario puts the onset at key-on) and its factors apply as a step, not a ramp.
 * - a thermal event: an internal short (a separator breach) that develops within tens of seconds
 *   from a soft short of ohms into a hard short of tens of milliohms. The leak discharges the cell
 *   through itself: all of its power (OCV x leak) turns into heat inside the cell, and the leak
 *   flows through the cell's resistance, so the terminal voltage sags by leak x R even at rest.
 *   At 0.1 ohm: ~37 A, ~140 W, ~4 K/min on the cell's 2000 J/K, ~40 mV of sag: twenty times the
 *   2 mV voltage resolution once the short is hard, and a sensor (mean of four cells, 0.5 K steps) rises
 *   by over 1 K/min. What follows a hard short in a real cell (venting, runaway above ~80-90 C)
 *   is not modelled: the drive ends long before the cell gets there.
 */
import { clamp, interpolateEven } from '../numeric.js';
import type { Rng } from '../random.js';

export const CELL_COUNT = 96;
export const CELLS_PER_SENSOR = 4;
export const TEMP_SENSOR_COUNT = CELL_COUNT / CELLS_PER_SENSOR;

/** NMC open-circuit voltage at SoC 0, 0.1, ..., 1. */
const OCV_TABLE = [3.0, 3.45, 3.55, 3.62, 3.68, 3.74, 3.82, 3.91, 4.0, 4.08, 4.18];

export function openCircuitVoltage(soc: number): number {
  return interpolateEven(OCV_TABLE, 0, 1, soc);
}

export type BatteryFaultKind = 'weak_cell' | 'thermal_event';

export interface BatteryFault {
  readonly kind: BatteryFaultKind;
  /** Zero-based cell index. */
  readonly cell: number;
  readonly onsetS: number;
  /** Weak cell: capacity factor (<1) and resistance factor (>1). */
  readonly capacityFactor?: number;
  readonly resistanceFactor?: number;
  /**
   * Thermal event: the short's resistance at onset (ohm), the hard short it ends as (ohm), and how
   * long it takes to get there (s); it falls geometrically in between.
   */
  readonly shortOhmStart?: number;
  readonly shortOhmEnd?: number;
  readonly shortFallS?: number;
}

const NOMINAL_AH = 100;
const NOMINAL_R_OHM = 0.0011;
/** A ~2 kg prismatic cell at ~1 J/(g K). */
const HEAT_CAPACITY_J_PER_K = 2000;
/** Conduction to the coolant plate: a time constant of ~28 min alone, as a plate under a cell. */
const COOLING_W_PER_K = 1.2;
const NEIGHBOUR_W_PER_K = 0.6;

export class Battery {
  readonly soc = new Float64Array(CELL_COUNT);
  readonly capacityAh = new Float64Array(CELL_COUNT);
  readonly resistanceOhm = new Float64Array(CELL_COUNT);
  readonly tempC = new Float64Array(CELL_COUNT);
  readonly voltage = new Float64Array(CELL_COUNT);
  /** Leak current through an internal short, per cell (A). */
  readonly leakA = new Float64Array(CELL_COUNT);
  currentA = 0;
  coolantC: number;
  faults: BatteryFault[] = [];
  readonly #baseCapacity = new Float64Array(CELL_COUNT);
  readonly #baseResistance = new Float64Array(CELL_COUNT);
  readonly #heat = new Float64Array(CELL_COUNT);
  /** Open-circuit voltage per cell, refreshed whenever the SoC changes. */
  readonly #ocv = new Float64Array(CELL_COUNT);

  constructor(rng: Rng, socStart: number, tempC: number) {
    this.coolantC = tempC;
    for (let i = 0; i < CELL_COUNT; i++) {
      this.soc[i] = clamp(socStart + rng.gaussian(0, 0.004), 0.02, 1);
      this.#baseCapacity[i] = NOMINAL_AH * (1 + rng.gaussian(0, 0.01));
      this.#baseResistance[i] = NOMINAL_R_OHM * (1 + rng.gaussian(0, 0.03));
      this.capacityAh[i] = this.#baseCapacity[i] as number;
      this.resistanceOhm[i] = this.#baseResistance[i] as number;
      this.tempC[i] = tempC + rng.gaussian(0, 0.3);
      this.#ocv[i] = openCircuitVoltage(this.soc[i] as number);
    }
    this.#updateVoltages();
  }

  /** Sum of the cells' open-circuit voltages and resistances (the pack's Thevenin model). */
  thevenin(): { ocv: number; resistance: number } {
    let ocv = 0;
    let resistance = 0;
    for (let i = 0; i < CELL_COUNT; i++) {
      ocv += this.#ocv[i] as number;
      resistance += this.resistanceOhm[i] as number;
    }
    return { ocv, resistance };
  }

  /** Current (A, positive = discharge) that delivers `powerW` at the terminals. */
  currentForPower(powerW: number): number {
    const { ocv, resistance } = this.thevenin();
    // P = I (Voc - I R): the smaller root is the physical one; beyond the pack's limit take the peak.
    const disc = ocv * ocv - 4 * resistance * powerW;
    return disc <= 0 ? ocv / (2 * resistance) : (ocv - Math.sqrt(disc)) / (2 * resistance);
  }

  get packVoltage(): number {
    let v = 0;
    for (let i = 0; i < CELL_COUNT; i++) v += this.voltage[i] as number;
    return v;
  }

  get meanSoc(): number {
    let s = 0;
    for (let i = 0; i < CELL_COUNT; i++) s += this.soc[i] as number;
    return s / CELL_COUNT;
  }

  /** Advances by `dt` at simulation time `now` with pack current `currentA`. */
  step(dt: number, now: number, currentA: number): void {
    this.currentA = currentA;
    this.#applyFaults(now);
    const heat = this.#heat;
    for (let i = 0; i < CELL_COUNT; i++) {
      const r = this.resistanceOhm[i] as number;
      const leak = this.leakA[i] as number;
      const through = currentA + leak;
      this.soc[i] = clamp((this.soc[i] as number) - (through * dt) / (3600 * (this.capacityAh[i] as number)), 0, 1);
      this.#ocv[i] = openCircuitVoltage(this.soc[i] as number);
      // Joule heat of the load current plus the energy the short dissipates inside the cell.
      heat[i] = currentA * currentA * r + leak * (this.#ocv[i] as number);
    }
    for (let i = 0; i < CELL_COUNT; i++) {
      const t = this.tempC[i] as number;
      const left = i > 0 ? (this.tempC[i - 1] as number) : t;
      const right = i < CELL_COUNT - 1 ? (this.tempC[i + 1] as number) : t;
      const q = (heat[i] as number) - COOLING_W_PER_K * (t - this.coolantC) + NEIGHBOUR_W_PER_K * (left + right - 2 * t);
      this.tempC[i] = t + (q * dt) / HEAT_CAPACITY_J_PER_K;
    }
    this.#updateVoltages();
  }

  #applyFaults(now: number): void {
    for (const f of this.faults) {
      if (now < f.onsetS) continue;
      const age = now - f.onsetS;
      if (f.kind === 'weak_cell') {
        this.capacityAh[f.cell] = (this.#baseCapacity[f.cell] as number) * (f.capacityFactor ?? 0.75);
        this.resistanceOhm[f.cell] = (this.#baseResistance[f.cell] as number) * (f.resistanceFactor ?? 2.5);
      } else {
        const start = f.shortOhmStart ?? 2;
        const end = f.shortOhmEnd ?? 0.1;
        const ohm = start * (end / start) ** Math.min(1, age / (f.shortFallS ?? 20));
        // The leak loop is the short in series with the cell's own resistance.
        this.leakA[f.cell] = (this.#ocv[f.cell] as number) / (ohm + (this.resistanceOhm[f.cell] as number));
      }
    }
  }

  #updateVoltages(): void {
    for (let i = 0; i < CELL_COUNT; i++) {
      // The leak flows inside the cell, through its resistance, like extra load.
      const through = this.currentA + (this.leakA[i] as number);
      this.voltage[i] = (this.#ocv[i] as number) - through * (this.resistanceOhm[i] as number);
    }
  }

  /** Temperature a sensor between cells 4k..4k+3 reads (their mean). */
  sensorTemp(sensor: number): number {
    let t = 0;
    for (let j = 0; j < CELLS_PER_SENSOR; j++) t += this.tempC[sensor * CELLS_PER_SENSOR + j] as number;
    return t / CELLS_PER_SENSOR;
  }
}
