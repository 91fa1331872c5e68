import { describe, expect, it } from 'vitest';
import { bodyDomain, BODY_FEATURE_SIZE } from '../../domains/body/index.js';
import { BODY_COLUMNS, BODY_WINDOW } from '../../domains/body/signals.js';
import { makeWindow } from './helpers.js';

/** Cabin at 24 °C, set-point 21.5 °C, outside 12 °C; driver belted, passenger seat pressed (a bag: no belt). */
function cabin(co2Rise = 0): Float32Array {
  return makeWindow(BODY_COLUMNS, BODY_WINDOW.length, (r, set) => {
    set('Vehicle.Cabin.HVAC.AmbientAirTemperature', 24);
    set('Vehicle.Exterior.AirTemperature', 12);
    set('Vehicle.EcuAi.Cabin.Humidity', 60);
    set('Vehicle.EcuAi.Exterior.SunLoad', 250);
    set('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 21.5);
    set('Vehicle.EcuAi.Cabin.Co2', 500 + co2Rise * r);
    set('Vehicle.Cabin.Seat.Row1.DriverSide.IsOccupied', 1);
    set('Vehicle.Cabin.Seat.Row1.DriverSide.IsBelted', 1);
    set('Vehicle.Cabin.Seat.Row1.PassengerSide.IsOccupied', 1);
  });
}

describe('body domain', () => {
  it('computes the comfort features from the newest row and the CO2 trend', () => {
    const out = new Float32Array(BODY_FEATURE_SIZE);
    bodyDomain.features(cabin(0.5), out);
    expect(out[0]).toBeCloseTo(-0.5 / 3, 6);
    expect(out[1]).toBeCloseTo(-1, 6);
    expect(out[2]).toBeCloseTo(0.5, 6);
    expect(out[3]).toBeCloseTo(0.5, 6);
    expect(out[4]).toBeCloseTo(2 / 5, 6);
    expect(out[5]).toBeCloseTo(1 / 5, 6);
    expect(out[6]).toBeCloseTo(1 / 5, 6);
    expect(out[7]).toBeCloseTo(0.5, 6); // +0.5 ppm per 1 Hz row
    expect(out[8]).toBeCloseTo((500 + 0.5 * 119) / 1000, 5);
    expect(out[9]).toBeCloseTo(2.5 / 5, 6);
  });

  it('falls back to the user set-point and the pressed seat mats', () => {
    expect(bodyDomain.fallback(cabin())).toEqual({ setpointC: 21.5, occupancy: 2, source: 'fallback' });
  });

  it('interprets scaled outputs to 0.5 °C steps and whole occupants, and encodes them', () => {
    const r = bodyDomain.interpret(Float32Array.of((23.3 - 22) / 3, (2.6 - 2.5) / 1.5));
    expect(r).toEqual({ setpointC: 23.5, occupancy: 3, source: 'model' });
    expect(bodyDomain.encode(r)).toEqual({ CMF_Setpoint: 23.5, CMF_Occupancy: 3, CMF_Mode: 0 });
    expect(bodyDomain.encode({ setpointC: 40, occupancy: 9, source: 'fallback' })).toEqual({ CMF_Setpoint: 32, CMF_Occupancy: 5, CMF_Mode: 3 });
  });

  it('scores the set-point MAE', () => {
    const s = bodyDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    s.add(0, { setpointC: 22, occupancy: 1, source: 'model' }, { setpoint_c: 23, occupancy: 1 });
    s.add(1, { setpointC: 20, occupancy: 2, source: 'model' }, { setpoint_c: 20.5, occupancy: 1 });
    const m = s.summary(2);
    expect(m.mae).toBeCloseTo(0.75, 9);
    expect(m.occupancy_accuracy).toBeCloseTo(0.5, 9);
  });
});
