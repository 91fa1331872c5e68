import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST } from '../../../domains/index.js';
import { VEHICLE_CATALOG, catalogSignal, nearestCatalogName } from '../../../runtime/vehicle/catalog.js';
import { findUnit } from '../../../runtime/vehicle/units.js';

describe('the vehicle catalog', () => {
  it('has every signal a domain reads', () => {
    const read = DOMAIN_LIST.flatMap((d) => Object.keys(d.inputs));
    expect(read.length).toBeGreaterThan(100);
    expect(read.filter((name) => catalogSignal(name) === undefined)).toEqual([]);
  });

  it('names each signal once, with a unit of the table, a range and a description', () => {
    const names = VEHICLE_CATALOG.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of VEHICLE_CATALOG) {
      expect(findUnit(s.unit)?.symbol, s.name).toBe(s.unit);
      expect(s.min, s.name).toBeLessThan(s.max);
      expect(s.description.length, s.name).toBeGreaterThan(10);
      expect(s.name).toMatch(/^Vehicle(\.[A-Z][A-Za-z0-9]*)+$/);
      if (s.type === 'bool') expect([s.min, s.max, s.unit]).toEqual([0, 1, '']);
    }
  });

  it('marks the names COVESA VSS has as vss and the rest as extension', () => {
    expect(catalogSignal('Vehicle.Speed')?.origin).toBe('vss');
    expect(catalogSignal('Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed')?.origin).toBe('vss');
    expect(catalogSignal('Vehicle.EcuAi.Radar.Object1.Distance')?.origin).toBe('extension');
    expect(catalogSignal('Vehicle.EcuAi.TractionBattery.Cell01.Voltage')?.origin).toBe('extension');
  });

  it('keeps every extension under the Vehicle.EcuAi branch, so no project name passes for a VSS one', () => {
    for (const s of VEHICLE_CATALOG) expect(s.origin === 'extension', s.name).toBe(s.name.startsWith('Vehicle.EcuAi.'));
    // VSS names seats by row and position, and the set temperature per HVAC station.
    expect(catalogSignal('Vehicle.Cabin.Seat.Row1.DriverSide.IsBelted')?.origin).toBe('vss');
    expect(catalogSignal('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature')?.origin).toBe('vss');
  });

  it('suggests the catalog name a slip was meant to be', () => {
    expect(nearestCatalogName('Vehicle.Sped')).toBe('Vehicle.Speed');
    expect(nearestCatalogName('Something.Else.Entirely')).toBeUndefined();
  });
});
