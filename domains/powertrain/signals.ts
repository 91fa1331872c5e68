/** The catalog signals the powertrain service reads, which it requires, and their columns in its feature window. */
import type { DomainInput } from '../../runtime/service/domain.js';
import { REQUIRED, columnsOf, optional } from '../common/inputs.js';

export const CELLS = 96;
export const TEMP_SENSORS = 24;
export const CELLS_PER_SENSOR = CELLS / TEMP_SENSORS;

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Every cell voltage and temperature sensor is required: a cell is judged against the others of
 * its group and a sensor against the median sensor, so a gap would hide exactly the cell the
 * service exists to find; the pack current is the load the resistances are measured under. The
 * state of charge is in the window but no feature reads it (50 %).
 */
function buildInputs(): Record<string, DomainInput> {
  const out: Record<string, DomainInput> = {};
  for (let c = 1; c <= CELLS; c++) out[`Vehicle.EcuAi.TractionBattery.Cell${pad(c)}.Voltage`] = REQUIRED;
  for (let s = 1; s <= TEMP_SENSORS; s++) out[`Vehicle.EcuAi.TractionBattery.Sensor${pad(s)}.Temperature`] = REQUIRED;
  out['Vehicle.EcuAi.TractionBattery.Current'] = REQUIRED;
  out['Vehicle.Powertrain.TractionBattery.StateOfCharge.Current'] = optional(50);
  return out;
}

export const POWERTRAIN_INPUTS: Readonly<Record<string, DomainInput>> = Object.freeze(buildInputs());
export const POWERTRAIN_COLUMNS: readonly string[] = columnsOf(POWERTRAIN_INPUTS);
/** Column of cell c (0-based) voltage, of sensor s temperature, of the pack current and SoC. */
export const COL_CELL = 0;
export const COL_TEMP = CELLS;
export const COL_CURRENT = CELLS + TEMP_SENSORS;
export const COL_SOC = COL_CURRENT + 1;
/**
 * Window: 2.5 Hz (every cell is refreshed each 240 ms, so each 400 ms row still holds a fresh
 * reading of every cell), 120 s: a weak cell only shows its resistance when the load changes, and
 * a cruise can hold one load for minutes; at a steady 10 A its extra sag (~10 mV) is within the
 * healthy cells' spread of charge, so the resistance seen under the last acceleration must still
 * be in the window. Two minutes also hold a thermal event's whole hardening (10-40 s) and its
 * sensor's warming of a few kelvin. 300 rows: the features scan every cell of every row ten
 * times a second, and 600 rows (5 Hz) halved the replay's speed.
 */
export const POWERTRAIN_WINDOW = { signals: POWERTRAIN_COLUMNS, rateHz: 2.5, length: 300 } as const;
