import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../sim/random.js';
import { Battery, CELL_COUNT, openCircuitVoltage } from '../../../sim/vehicle/battery.js';
import { Cabin } from '../../../sim/vehicle/cabin.js';
import { GRAVITY, Longitudinal } from '../../../sim/vehicle/longitudinal.js';
import { magicFormula, peakSlip, slipForFriction, surfaceCurve, type SurfaceName } from '../../../sim/vehicle/tyre.js';
import { Lateral } from '../../../sim/vehicle/lateral.js';

/** Full braking from `v0` until standstill; returns the distance covered. */
function brakingDistance(surface: SurfaceName, mu: number, v0: number): number {
  const car = new Longitudinal(v0);
  const curve = surfaceCurve(surface, mu);
  const jitter = new Rng(1);
  for (let i = 0; i < 100_000 && car.speedMps > 0; i++) car.step(0.001, -12, curve, 2 * jitter.next() - 1);
  return car.positionM;
}

describe('longitudinal dynamics', () => {
  const v0 = 100 / 3.6;
  for (const [surface, mu] of [['dry', 0.9], ['wet', 0.6], ['snow', 0.3], ['ice', 0.1]] as const) {
    it(`brakes from 100 km/h on ${surface} (mu ${mu}) within the distances friction, rolling resistance and drag allow`, () => {
      const car = new Longitudinal(v0);
      const p = car.params;
      // ABS holds 95 % of peak friction; rolling resistance always helps, drag helps most at the start.
      const slowest = (0.95 * mu + p.rollingResistance) * GRAVITY;
      const fastest = slowest + car.resistance() / p.massKg - p.rollingResistance * GRAVITY;
      const d = brakingDistance(surface, mu, v0);
      expect(d).toBeLessThanOrEqual((v0 * v0) / (2 * slowest) + 0.5);
      expect(d).toBeGreaterThanOrEqual((v0 * v0) / (2 * fastest) - 0.5);
      if (mu >= 0.6) expect(Math.abs(d / ((v0 * v0) / (2 * mu * GRAVITY)) - 1)).toBeLessThan(0.1);
    });
  }

  it('needs about nine times the distance on ice as on dry asphalt', () => {
    const ratio = brakingDistance('ice', 0.1, v0) / brakingDistance('dry', 0.9, v0);
    expect(ratio).toBeGreaterThan(7.5);
    expect(ratio).toBeLessThan(10.5);
  });

  it('turns the driven wheels faster than the car when accelerating and slower when braking', () => {
    const car = new Longitudinal(20);
    const curve = surfaceCurve('wet', 0.6);
    expect(car.step(0.01, 2, curve).slipRear).toBeGreaterThan(0);
    const braking = car.step(0.01, -3, curve);
    expect(braking.slipRear).toBeLessThan(0);
    expect(braking.slipFront).toBeLessThan(0);
    expect(braking.absActive).toBe(false);
  });

  it('coasts down under drag and rolling resistance alone', () => {
    const car = new Longitudinal(30);
    const curve = surfaceCurve('dry', 0.9);
    const out = car.step(0.01, -car.resistance() / car.params.massKg, curve);
    expect(out.accelMps2).toBeLessThan(0);
    expect(out.brakePressureBar).toBeCloseTo(0, 6);
  });
});

describe('tyre model', () => {
  it('finds the slip that transmits a friction below the peak (inverse of the magic formula)', () => {
    fc.assert(
      fc.property(fc.constantFrom<SurfaceName>('dry', 'wet', 'snow', 'ice'), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 0.98, noNaN: true }), (surface, mu, share) => {
        const curve = surfaceCurve(surface, mu);
        const wanted = share * magicFormula(peakSlip(curve), curve);
        const s = slipForFriction(-wanted, curve);
        expect(s).toBeLessThan(0);
        expect(magicFormula(-s, curve)).toBeCloseTo(wanted, 4);
      }),
    );
  });
});

describe('lateral dynamics', () => {
  it('settles to the bicycle-model yaw rate and saturates lateral acceleration at the friction limit', () => {
    const lat = new Lateral();
    const v = 20;
    const wheel = lat.steeringForCurvature(v, 1 / 200);
    for (let i = 0; i < 300; i++) lat.step(0.01, v, wheel, 0.9, 1 / 200);
    expect(lat.yawRate).toBeCloseTo(v / 200, 3);
    const ice = new Lateral();
    let ay = 0;
    for (let i = 0; i < 300; i++) ay = ice.step(0.01, v, wheel, 0.1, 1 / 200);
    expect(Math.abs(ay)).toBeLessThanOrEqual(0.95 * 0.1 * 9.81 + 1e-9);
  });
});

describe('battery pack', () => {
  it('sags each cell by exactly I times its resistance under load', () => {
    const pack = new Battery(new Rng(3), 0.7, 25);
    pack.step(0.01, 0, 0);
    const rest = Array.from(pack.voltage);
    const current = 250;
    pack.step(0.01, 0.01, current);
    for (let i = 0; i < CELL_COUNT; i++) {
      const ocv = openCircuitVoltage(pack.soc[i] as number);
      expect(pack.voltage[i]).toBeCloseTo(ocv - current * (pack.resistanceOhm[i] as number), 9);
      expect((rest[i] as number) - (pack.voltage[i] as number)).toBeGreaterThan(0.9 * current * (pack.resistanceOhm[i] as number));
    }
  });

  it('delivers the asked power at its terminals', () => {
    const pack = new Battery(new Rng(4), 0.5, 25);
    const power = 80_000;
    const current = pack.currentForPower(power);
    const { ocv, resistance } = pack.thevenin();
    expect(current * (ocv - current * resistance)).toBeCloseTo(power, 3);
  });

  it('heats a cell in a thermal event within a minute and sags it by tens of mV at rest', () => {
    const pack = new Battery(new Rng(5), 0.8, 25);
    pack.faults.push({ kind: 'thermal_event', cell: 40, onsetS: 10, shortOhmStart: 3, shortOhmEnd: 0.2, shortFallS: 40 });
    const before = { temp: pack.tempC[40] as number, sensor: pack.sensorTemp(10) };
    for (let t = 0; t < 70; t += 0.1) pack.step(0.1, t, 0);
    const others = Array.from(pack.voltage).filter((_, i) => i !== 40);
    const median = [...others].sort((a, b) => a - b)[others.length >> 1] as number;
    // Even the slowest short of the scenario's ranges: tens of mV below the pack, over 1 K warmer.
    expect(pack.voltage[40]).toBeLessThan(median - 0.015);
    expect((pack.tempC[40] as number) - before.temp).toBeGreaterThan(1);
    // Its sensor (cells 40..43) sees a quarter of it at least: several 0.5 K steps soon after.
    expect(pack.sensorTemp(10) - before.sensor).toBeGreaterThan(0.25);
    expect(pack.sensorTemp(10)).toBeGreaterThan(pack.sensorTemp(3) + 0.25);
  });

  it('leaves a thermal event invisible before its onset', () => {
    const pack = new Battery(new Rng(5), 0.8, 25);
    pack.faults.push({ kind: 'thermal_event', cell: 40, onsetS: 100, shortOhmStart: 1, shortOhmEnd: 0.05, shortFallS: 10 });
    for (let t = 0; t < 50; t += 0.1) pack.step(0.1, t, 30);
    expect(pack.leakA[40]).toBe(0);
  });

  it('sags a weak cell more than the others under the same current, from its onset on', () => {
    const pack = new Battery(new Rng(6), 0.6, 25);
    pack.faults.push({ kind: 'weak_cell', cell: 7, onsetS: 0, capacityFactor: 0.7, resistanceFactor: 1.8 });
    pack.step(0.1, 0, 100);
    const others = Array.from(pack.voltage).filter((_, i) => i !== 7);
    // 0.8 x 1.1 mOhm extra at 100 A: ~90 mV, at once (the cell was aged before the drive).
    expect(pack.voltage[7]).toBeLessThan(Math.min(...others) - 0.05);
    const idle = new Battery(new Rng(6), 0.6, 25);
    idle.faults.push({ kind: 'weak_cell', cell: 7, onsetS: 0, capacityFactor: 0.7, resistanceFactor: 1.8 });
    idle.step(0.1, 0, 0);
    expect(Math.abs((idle.voltage[7] as number) - (idle.voltage[6] as number))).toBeLessThan(0.02);
  });
});

describe('cabin climate', () => {
  it('brings a sun-soaked cabin to within 1 C of the set-point in 20 minutes', () => {
    const cabin = new Cabin(60, 40);
    const inputs = { ambientC: 35, ambientHumidityPct: 40, sunWm2: 900, occupants: 3, speedMps: 15, setpointC: 22 };
    for (let t = 0; t < 1200; t += 0.1) cabin.step(0.1, inputs);
    expect(Math.abs(cabin.tempC - 22)).toBeLessThan(1);
    expect(cabin.hvacW).toBeLessThan(0);
  });

  it('heats a cold cabin towards the set-point and builds up CO2 with occupants', () => {
    const cabin = new Cabin(-5, 50);
    const inputs = { ambientC: -5, ambientHumidityPct: 50, sunWm2: 0, occupants: 4, speedMps: 20, setpointC: 21 };
    for (let t = 0; t < 1800; t += 0.1) cabin.step(0.1, inputs);
    expect(Math.abs(cabin.tempC - 21)).toBeLessThan(1);
    expect(cabin.co2Ppm).toBeGreaterThan(600);
  });
});
