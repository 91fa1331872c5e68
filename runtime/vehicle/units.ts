/**
 * The unit table: every unit a catalog signal or a vehicle profile may name, its dimension and its
 * linear relation to the dimension's base unit (`base = value * factor + offset`; only temperatures
 * have an offset). DBC files spell units freely (`kph`, `km/h`, `°C`, `C`, `m/s2`, `%`), so each unit
 * has aliases, matched exactly first and then case-insensitively where that is unambiguous.
 */
import { IncompatibleUnitsError, UnknownUnitError } from './errors.js';

export type Dimension =
  | 'none'
  | 'speed'
  | 'temperature'
  | 'pressure'
  | 'angle'
  | 'angular rate'
  | 'acceleration'
  | 'voltage'
  | 'current'
  | 'ratio'
  | 'length'
  | 'time'
  | 'power'
  | 'torque'
  | 'frequency'
  | 'energy'
  | 'irradiance'
  | 'illuminance'
  | 'curvature';

export interface UnitDefinition {
  /** The canonical symbol catalog signals use. */
  readonly symbol: string;
  readonly dimension: Dimension;
  /** `base = value * factor + offset`, base being the first unit of the dimension in the table. */
  readonly factor: number;
  readonly offset: number;
  /** Other spellings found in DBC files. */
  readonly aliases: readonly string[];
}

const DEG = Math.PI / 180;

/** [symbol, dimension, factor, offset, aliases]; the first unit of each dimension is its base. */
const TABLE: readonly (readonly [string, Dimension, number, number, readonly string[]])[] = [
  ['', 'none', 1, 0, ['-', 'none', 'unitless', 'counts', 'count', 'bool', 'enum']],
  ['m/s', 'speed', 1, 0, ['mps', 'm/sec', 'meter/s', 'metre/s']],
  ['km/h', 'speed', 1 / 3.6, 0, ['kph', 'kmh', 'km/hr', 'kmph', 'kilometer/hour', 'km per hour']],
  ['mph', 'speed', 0.44704, 0, ['mi/h', 'miles/h', 'mile/hour']],
  ['kn', 'speed', 1852 / 3600, 0, ['knot', 'knots', 'kt']],
  ['K', 'temperature', 1, 0, ['kelvin', 'degK', '°K']],
  ['degC', 'temperature', 1, 273.15, ['°C', 'C', 'deg C', 'degree C', 'degrees C', 'celsius', '℃', 'Cel']],
  ['degF', 'temperature', 5 / 9, 273.15 - (32 * 5) / 9, ['°F', 'F', 'deg F', 'degree F', 'fahrenheit', '℉']],
  ['Pa', 'pressure', 1, 0, ['pascal']],
  ['hPa', 'pressure', 100, 0, []],
  ['kPa', 'pressure', 1000, 0, []],
  ['mbar', 'pressure', 100, 0, ['millibar']],
  ['bar', 'pressure', 1e5, 0, []],
  ['psi', 'pressure', 6894.757293168, 0, ['lbf/in^2', 'lb/in^2']],
  ['rad', 'angle', 1, 0, ['radian', 'radians']],
  ['deg', 'angle', DEG, 0, ['°', 'degree', 'degrees', 'Deg', 'grad']],
  ['rad/s', 'angular rate', 1, 0, ['rad/sec', 'rps']],
  ['deg/s', 'angular rate', DEG, 0, ['°/s', 'deg/sec', 'degree/s', 'degrees/s', 'dps', 'deg per s']],
  ['rpm', 'angular rate', (2 * Math.PI) / 60, 0, ['1/min', 'U/min', 'r/min', 'rev/min', 'min^-1']],
  ['m/s^2', 'acceleration', 1, 0, ['m/s2', 'm/s²', 'm/sec^2', 'm/sec2', 'mps2', 'm/s/s']],
  ['g', 'acceleration', 9.80665, 0, ['G', 'gee']],
  ['V', 'voltage', 1, 0, ['volt', 'volts']],
  ['mV', 'voltage', 1e-3, 0, ['millivolt']],
  ['kV', 'voltage', 1e3, 0, []],
  ['A', 'current', 1, 0, ['amp', 'amps', 'ampere']],
  ['mA', 'current', 1e-3, 0, ['milliamp']],
  ['ratio', 'ratio', 1, 0, ['1', 'fraction']],
  ['percent', 'ratio', 0.01, 0, ['%', 'pct', 'percentage']],
  ['permille', 'ratio', 0.001, 0, ['‰']],
  ['ppm', 'ratio', 1e-6, 0, []],
  ['m', 'length', 1, 0, ['meter', 'metre', 'meters', 'metres']],
  ['mm', 'length', 1e-3, 0, ['millimeter']],
  ['cm', 'length', 1e-2, 0, ['centimeter']],
  ['km', 'length', 1e3, 0, ['kilometer', 'kilometre']],
  ['in', 'length', 0.0254, 0, ['inch', 'inches']],
  ['ft', 'length', 0.3048, 0, ['feet', 'foot']],
  ['mi', 'length', 1609.344, 0, ['mile', 'miles']],
  ['s', 'time', 1, 0, ['sec', 'second', 'seconds']],
  ['ms', 'time', 1e-3, 0, ['msec', 'millisecond', 'milliseconds']],
  ['us', 'time', 1e-6, 0, ['µs', 'μs', 'microsecond']],
  ['min', 'time', 60, 0, ['minute', 'minutes']],
  ['h', 'time', 3600, 0, ['hr', 'hour', 'hours']],
  ['W', 'power', 1, 0, ['watt', 'watts']],
  ['kW', 'power', 1e3, 0, ['kilowatt']],
  ['hp', 'power', 745.6998715822702, 0, ['bhp']],
  ['PS', 'power', 735.49875, 0, []],
  ['Nm', 'torque', 1, 0, ['N.m', 'N*m', 'N m', 'N-m', 'Newton meter']],
  ['kNm', 'torque', 1e3, 0, []],
  ['lbf.ft', 'torque', 1.3558179483314004, 0, ['lb-ft', 'lbft', 'ft-lb', 'ft.lbf']],
  ['Hz', 'frequency', 1, 0, ['1/s']],
  ['kHz', 'frequency', 1e3, 0, []],
  ['J', 'energy', 1, 0, ['joule']],
  ['Wh', 'energy', 3600, 0, []],
  ['kWh', 'energy', 3.6e6, 0, []],
  ['W/m^2', 'irradiance', 1, 0, ['W/m2', 'W/m²', 'w/m2']],
  ['lx', 'illuminance', 1, 0, ['lux']],
  ['1/m', 'curvature', 1, 0, ['m^-1', '/m']],
];

export const UNITS: readonly UnitDefinition[] = Object.freeze(
  TABLE.map(([symbol, dimension, factor, offset, aliases]) => Object.freeze({ symbol, dimension, factor, offset, aliases: Object.freeze([...aliases]) })),
);

function buildIndexes(): { exact: Map<string, UnitDefinition>; folded: Map<string, UnitDefinition | null> } {
  const exact = new Map<string, UnitDefinition>();
  // null marks a folded spelling two units share, which must then match exactly. Units whose case
  // matters (mPa against MPa) are left out of the table rather than risk a factor of 10^9.
  const folded = new Map<string, UnitDefinition | null>();
  for (const unit of UNITS) {
    for (const spelling of [unit.symbol, ...unit.aliases]) {
      exact.set(spelling, unit);
      const key = spelling.toLowerCase();
      const seen = folded.get(key);
      folded.set(key, seen === undefined || seen === unit ? unit : null);
    }
  }
  return { exact, folded };
}

const INDEX = buildIndexes();

/** Superscripts and stray spaces DBC files write around units (`m/s²`, `km / h`). */
function tidy(spelling: string): string {
  return spelling.trim().replace(/\s*\/\s*/g, '/').replace(/²/g, '^2').replace(/\s+/g, ' ');
}

/**
 * The unit a spelling names, or undefined when the table does not know it.
 * @param spelling - a symbol or alias, e.g. `kph`, `°C`, `m/s2`, `%`.
 */
export function findUnit(spelling: string): UnitDefinition | undefined {
  const exact = INDEX.exact.get(spelling);
  if (exact) return exact;
  const tidied = tidy(spelling);
  return INDEX.exact.get(tidied) ?? INDEX.folded.get(tidied.toLowerCase()) ?? undefined;
}

/**
 * The unit a spelling names.
 * @throws {UnknownUnitError} when the table does not know it.
 */
export function requireUnit(spelling: string): UnitDefinition {
  const unit = findUnit(spelling);
  if (!unit) throw new UnknownUnitError(spelling);
  return unit;
}

/** A conversion from one unit to another, both ways. */
export interface UnitConversion {
  readonly from: UnitDefinition;
  readonly to: UnitDefinition;
  /** True when the two spellings name the same unit: no arithmetic is needed. */
  readonly identity: boolean;
  apply(value: number): number;
  invert(value: number): number;
}

/**
 * The conversion between two units of one dimension.
 * @throws {UnknownUnitError} when either spelling is not in the table.
 * @throws {IncompatibleUnitsError} when their dimensions differ.
 */
export function unitConversion(from: string, to: string): UnitConversion {
  const a = requireUnit(from);
  const b = requireUnit(to);
  if (a.dimension !== b.dimension) throw new IncompatibleUnitsError(from, a.dimension, to, b.dimension);
  if (a === b) return { from: a, to: b, identity: true, apply: (v) => v, invert: (v) => v };
  // One multiply and one add each way: value * k + c.
  const k = a.factor / b.factor;
  const c = (a.offset - b.offset) / b.factor;
  return { from: a, to: b, identity: false, apply: (v) => v * k + c, invert: (v) => (v - c) / k };
}

/**
 * `value` in `from` expressed in `to`, e.g. `convert(100, 'km/h', 'm/s')` is 27.78.
 * @throws {UnknownUnitError} when either spelling is not in the table.
 * @throws {IncompatibleUnitsError} when their dimensions differ.
 */
export function convert(value: number, from: string, to: string): number {
  return unitConversion(from, to).apply(value);
}
