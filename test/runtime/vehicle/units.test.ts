import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IncompatibleUnitsError, UnknownUnitError } from '../../../runtime/vehicle/errors.js';
import { UNITS, convert, findUnit, unitConversion } from '../../../runtime/vehicle/units.js';

describe('the unit table', () => {
  it('reads the spellings DBC files use as the canonical units', () => {
    const cases: [string, string][] = [
      ['kph', 'km/h'], ['km/h', 'km/h'], ['KPH', 'km/h'], ['Km/h', 'km/h'], ['km / h', 'km/h'],
      ['deg', 'deg'], ['°', 'deg'], ['°C', 'degC'], ['C', 'degC'], ['degC', 'degC'], ['deg C', 'degC'],
      ['%', 'percent'], ['m/s2', 'm/s^2'], ['m/s^2', 'm/s^2'], ['m/s²', 'm/s^2'], ['rpm', 'rpm'], ['RPM', 'rpm'],
      ['deg/s', 'deg/s'], ['°/s', 'deg/s'], ['Nm', 'Nm'], ['N.m', 'Nm'], ['W/m2', 'W/m^2'], ['', ''],
    ];
    for (const [spelling, symbol] of cases) expect(findUnit(spelling)?.symbol, spelling).toBe(symbol);
  });

  it('does not guess a unit it does not know', () => {
    expect(findUnit('furlong/fortnight')).toBeUndefined();
    expect(() => convert(1, 'furlong', 'm')).toThrow(UnknownUnitError);
    expect(() => convert(1, 'furlong', 'm')).toThrow(/unknown unit "furlong".*fix:/);
  });

  it('has one canonical symbol per unit and no spelling naming two units', () => {
    const seen = new Map<string, string>();
    for (const u of UNITS) {
      for (const s of [u.symbol, ...u.aliases]) {
        expect(seen.get(s), `${s} is both ${seen.get(s)} and ${u.symbol}`).toBeUndefined();
        seen.set(s, u.symbol);
      }
    }
  });

  it('converts speeds, temperatures with their offsets, pressures, angles and rates', () => {
    expect(convert(100, 'km/h', 'm/s')).toBeCloseTo(27.7778, 4);
    expect(convert(60, 'mph', 'km/h')).toBeCloseTo(96.5606, 4);
    expect(convert(100, 'degC', 'degF')).toBeCloseTo(212, 9);
    expect(convert(-40, 'degF', 'degC')).toBeCloseTo(-40, 9);
    expect(convert(0, 'degC', 'K')).toBeCloseTo(273.15, 9);
    expect(convert(1, 'bar', 'kPa')).toBeCloseTo(100, 9);
    expect(convert(14.5038, 'psi', 'bar')).toBeCloseTo(1, 4);
    expect(convert(180, 'deg', 'rad')).toBeCloseTo(Math.PI, 12);
    expect(convert(60, 'rpm', 'deg/s')).toBeCloseTo(360, 9);
    expect(convert(1, 'g', 'm/s^2')).toBeCloseTo(9.80665, 9);
    expect(convert(50, 'percent', 'ratio')).toBeCloseTo(0.5, 12);
    expect(convert(3700, 'mV', 'V')).toBeCloseTo(3.7, 12);
    expect(convert(1, 'kW', 'W')).toBe(1000);
    expect(convert(1, 'lbf.ft', 'Nm')).toBeCloseTo(1.35582, 5);
    expect(convert(1500, 'ms', 's')).toBeCloseTo(1.5, 12);
    expect(convert(1, 'mi', 'km')).toBeCloseTo(1.609344, 9);
    expect(convert(2, 'mA', 'A')).toBeCloseTo(0.002, 12);
  });

  it('refuses a conversion between dimensions, naming both', () => {
    expect(() => convert(1, 'km/h', 'degC')).toThrow(IncompatibleUnitsError);
    expect(() => convert(1, 'km/h', 'degC')).toThrow('cannot convert km/h (speed) to degC (temperature)');
    expect(() => unitConversion('%', 'V')).toThrow(IncompatibleUnitsError);
  });

  it('marks two spellings of one unit as the identity', () => {
    expect(unitConversion('kph', 'km/h').identity).toBe(true);
    expect(unitConversion('m/s2', 'm/s^2').identity).toBe(true);
    expect(unitConversion('km/h', 'm/s').identity).toBe(false);
  });

  it('inverts every conversion within a dimension', () => {
    const pairs = UNITS.flatMap((a) => UNITS.filter((b) => b.dimension === a.dimension).map((b) => [a.symbol, b.symbol] as const));
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.double({ min: -1e6, max: 1e6, noNaN: true }), ([from, to], v) => {
        const c = unitConversion(from, to);
        expect(c.invert(c.apply(v))).toBeCloseTo(v, 3);
      }),
    );
  });
});
