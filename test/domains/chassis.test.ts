import { describe, expect, it } from 'vitest';
import { chassisDomain, CHASSIS_FEATURE_SIZE } from '../../domains/chassis/index.js';
import { CHASSIS_COLUMNS, CHASSIS_WINDOW } from '../../domains/chassis/signals.js';
import { makeWindow } from './helpers.js';

// Friction the rear axle uses for a motor torque, by hand: T · 9 (gear) · 0.9 (efficiency) / 0.34 m / (0.52 · 1900 kg · 9.81).
const muFor = (torque: number): number => (torque * 9 * 0.9) / 0.34 / (0.52 * 1900 * 9.81);

function driving(rearSlip: number, torque: number, rain = 0): Float32Array {
  return makeWindow(CHASSIS_COLUMNS, CHASSIS_WINDOW.length, (_r, set) => {
    set('Vehicle.Speed', 72);
    set('Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed', 72);
    set('Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed', 72);
    set('Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed', 72 * (1 + rearSlip));
    set('Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed', 72 * (1 + rearSlip));
    set('Vehicle.Powertrain.ElectricMotor.Torque', torque);
    set('Vehicle.Body.Raindetection.Intensity', rain);
    set('Vehicle.Exterior.AirTemperature', -5);
  });
}

describe('chassis domain', () => {
  it('computes the rear slip and the slip stiffness as features', () => {
    const out = new Float32Array(CHASSIS_FEATURE_SIZE);
    chassisDomain.features(driving(0.01, 200), out);
    const mu = muFor(200);
    expect(out[0]).toBeCloseTo(1, 3); // 1 % rear slip
    expect(out[1]).toBeCloseTo(0, 5);
    expect(out[3]).toBeCloseTo(mu * 10, 4);
    // Stiffness = mu / slip, fed as log(1 + k) / 3.
    expect(out[4]).toBeCloseTo(Math.log1p(mu / 0.01) / 3, 3);
    expect(out[5]).toBe(1);
    expect(out[10]).toBeCloseTo(-0.5, 5);
  });

  it('classifies by slip stiffness in the fallback: asphalt, snow, ice', () => {
    // Stiff asphalt: 0.3 % slip for this torque is a stiffness above the snow threshold (8).
    const k = (slip: number): number => muFor(200) / slip;
    expect(k(0.003)).toBeGreaterThan(8);
    expect(chassisDomain.fallback(driving(0.003, 200)).frictionClass).toBe(0);
    expect(chassisDomain.fallback(driving(0.003, 200, 50)).frictionClass).toBe(1);
    expect(k(0.1)).toBeGreaterThan(1.6);
    expect(k(0.1)).toBeLessThan(8);
    expect(chassisDomain.fallback(driving(0.1, 200)).frictionClass).toBe(2);
    expect(k(0.4)).toBeLessThan(1.6);
    expect(chassisDomain.fallback(driving(0.4, 200)).frictionClass).toBe(3);
  });

  it('interprets softmax probabilities and encodes within CHS_Friction ranges', () => {
    const r = chassisDomain.interpret(Float32Array.of(0.1, 0.2, 0.6, 0.1));
    expect(r.frictionClass).toBe(2);
    expect(r.confidence).toBeCloseTo(0.6, 6);
    // Expected mu: 0.1·0.92 + 0.2·0.6 + 0.6·0.3 + 0.1·0.1 = 0.402.
    expect(r.mu).toBeCloseTo(0.402, 5);
    const e = chassisDomain.encode({ ...r, mu: 9 });
    expect(e).toMatchObject({ CHS_FrictionClass: 2, CHS_Confidence: 60, CHS_Mode: 0 });
    expect(Object.keys(e).some((k) => k === 'CHS_CRC' || k === 'CHS_Counter')).toBe(false);
    expect(e.CHS_MuEstimate).toBeCloseTo(1.275, 9);
  });

  it('scores accuracy against the label class', () => {
    const s = chassisDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    const r = (k: 0 | 1 | 2 | 3) => ({ frictionClass: k, confidence: 1, mu: 0, source: 'model' as const });
    s.add(0, r(0), { friction_class: 'dry', mu: 0.9 });
    s.add(0, r(3), { friction_class: 'ice', mu: 0.1 });
    s.add(0, r(1), { friction_class: 'snow', mu: 0.3 });
    s.add(0, r(2), { friction_class: 'snow', mu: 0.3 });
    expect(s.summary(1).accuracy).toBeCloseTo(0.75, 9);
  });
});
