import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ThermalModel } from '../../../runtime/platform/thermal-model.js';
import { SocModel } from '../../../runtime/platform/soc-model.js';
import { modelPowerW } from '../../../runtime/platform/power-model.js';
import { PROFILES, throttleSpeed, type PlatformProfile } from '../../../runtime/platform/profiles.js';

describe('ThermalModel', () => {
  it('follows the analytic step response T(t) = Ta + P·R·(1 − e^(−t/RC))', () => {
    const p = { rThKPerW: 11, cThJPerK: 13.6, ambientC: 25 };
    const m = new ThermalModel(p);
    const P = 6.4;
    const h = 0.1;
    for (let i = 1; i <= 6000; i++) {
      m.step(h, P);
      if (i % 500 === 0) {
        const t = i * h;
        const analytic = p.ambientC + P * p.rThKPerW * (1 - Math.exp(-t / (p.rThKPerW * p.cThJPerK)));
        expect(Math.abs(m.temperatureC - analytic)).toBeLessThan(1e-6);
      }
    }
  });

  it('agrees with a fine explicit Euler integration of the ODE under a varying load', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 30 }), (powers) => {
        const p = { rThKPerW: 8, cThJPerK: 20, ambientC: 30 };
        const m = new ThermalModel(p, 50);
        let euler = 50;
        const fine = 0.001;
        for (const P of powers) {
          m.step(1, P);
          for (let k = 0; k < 1000; k++) euler += (fine * (P * p.rThKPerW - (euler - p.ambientC))) / (p.rThKPerW * p.cThJPerK);
        }
        expect(Math.abs(m.temperatureC - euler)).toBeLessThan(0.01);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a non-positive resistance and a negative step', () => {
    expect(() => new ThermalModel({ rThKPerW: 0, cThJPerK: 1, ambientC: 20 })).toThrow(RangeError);
    expect(() => new ThermalModel({ rThKPerW: 1, cThJPerK: 1, ambientC: 20 }).step(-1, 1)).toThrow(RangeError);
  });
});

describe('power and throttle models', () => {
  it('throttles the Raspberry Pi 4 between 80 and 85 °C', () => {
    const pi4 = PROFILES.rpi4;
    expect(throttleSpeed(pi4, 79.9)).toBe(1);
    expect(throttleSpeed(pi4, 82.5)).toBeCloseTo(1 - 0.5 * (1 - pi4.minSpeed), 12);
    expect(throttleSpeed(pi4, 85)).toBe(pi4.minSpeed);
    expect(throttleSpeed(pi4, 95)).toBe(pi4.minSpeed);
  });

  it('adds per-core active power to idle, scaled down by the square of the speed', () => {
    const pi5 = PROFILES.rpi5;
    expect(modelPowerW(pi5, 0)).toBe(pi5.idleW);
    expect(modelPowerW(pi5, 2)).toBeCloseTo(pi5.idleW + 2 * pi5.coreActiveW, 12);
    expect(modelPowerW(pi5, 2, 0.5)).toBeCloseTo(pi5.idleW + 0.5 * pi5.coreActiveW, 12);
    expect(modelPowerW(pi5, 99)).toBeCloseTo(modelPowerW(pi5, pi5.cores), 12);
    expect(() => modelPowerW(pi5, -1)).toThrow(RangeError);
  });
});

describe('SocModel', () => {
  const cool: PlatformProfile = { ...PROFILES.rpi4, throttleStartC: 500, throttleHardC: 600 };

  it('matches the analytic response for a constant busy load when no throttling applies', () => {
    const m = new SocModel({ profile: cool, ambientC: 25, stepS: 0.1 });
    const busyCores = 3;
    const P = modelPowerW(cool, busyCores);
    const tau = cool.rThKPerW * cool.cThJPerK;
    for (let t = 10; t <= 300; t += 10) {
      const s = m.advance(t, busyCores * t);
      const analytic = 25 + P * cool.rThKPerW * (1 - Math.exp(-t / tau));
      expect(Math.abs(s.socC - analytic)).toBeLessThan(1e-6);
      expect(s.busyCores).toBeCloseTo(busyCores, 9);
      expect(s.powerW).toBeCloseTo(P, 9);
    }
  });

  it('settles a fully loaded Pi 4 inside its throttle band rather than running away', () => {
    const m = new SocModel({ profile: PROFILES.rpi4, ambientC: 25 });
    let s = m.state;
    for (let t = 5; t <= 3600; t += 5) s = m.advance(t, 4 * t);
    expect(s.socC).toBeGreaterThan(PROFILES.rpi4.throttleStartC);
    expect(s.socC).toBeLessThan(PROFILES.rpi4.throttleHardC);
    expect(s.speed).toBeLessThan(1);
  });

  it('gives identical results for the same inputs and refuses to go back in time', () => {
    const run = (): number[] => {
      const m = new SocModel({ profile: PROFILES.rpi5, ambientC: 30, stepS: 0.05 });
      const out: number[] = [];
      for (let t = 0.37; t < 60; t += 0.37) out.push(m.advance(t, 2.5 * t).socC);
      return out;
    };
    expect(run()).toEqual(run());
    const m = new SocModel({ profile: PROFILES.rpi5, ambientC: 30 });
    m.advance(2, 1);
    expect(() => m.advance(1, 1)).toThrow(/cannot go back/);
    expect(() => m.advance(3, 0.5)).toThrow(/busy counter went back/);
  });
});
