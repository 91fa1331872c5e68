/**
 * Labels agree with what the vehicle's own sensors put on the bus: the ground truth a model is
 * trained on must be visible (noisily) in its inputs.
 */
import { describe, expect, it } from 'vitest';
import type { CanFrame } from '../../../bus/frame.js';
import type { AdasLabel, BodyLabel, ChassisLabel, CockpitLabel, LabelRecord, PowertrainLabel } from '../../../sim/labels.js';
import { SCENARIOS } from '../../../sim/scenarios/index.js';
import { startSimulation } from '../../../sim/simulate.js';
import { SURFACES } from '../../../sim/vehicle/tyre.js';
import { vehicleDatabase } from '../../../sim/vehicle-dbc.js';

const db = vehicleDatabase();

interface Run {
  params: Readonly<Record<string, number | string>>;
  frames: CanFrame[];
  labels: LabelRecord[];
  collisions: number;
}

function run(scenario: string, durationS: number, seed: number, keep: readonly string[] = []): Run {
  const ids = new Set(keep.map((n) => db.byName(n)!.message.id));
  const sim = startSimulation({ scenario, durationS, seed });
  const frames: CanFrame[] = [];
  const labels: LabelRecord[] = [];
  let r = sim.events.next();
  while (!r.done) {
    if (r.value.kind === 'label') labels.push(r.value.label);
    else if (ids.has(r.value.frame.id)) frames.push(r.value.frame);
    r = sim.events.next();
  }
  return { params: sim.params, frames, labels, collisions: r.value.collisions };
}

function labelsOf<T>(r: Run, domain: LabelRecord['domain']): { t: number; label: T }[] {
  return r.labels.filter((l) => l.domain === domain) as unknown as { t: number; label: T }[];
}

function decodeAll(r: Run, name: string): { t: number; v: Record<string, number | string> }[] {
  const codec = db.byName(name)!;
  return r.frames.filter((f) => f.id === codec.message.id).map((f) => ({ t: f.timestamp, v: codec.decode(f.data) }));
}

describe('scenario registry', () => {
  it('knows the nine scenarios, each with a description', () => {
    expect([...SCENARIOS.keys()].sort()).toEqual(
      ['battery-cell-fault', 'cut-in-emergency-brake', 'drowsy-night', 'highway-cruise', 'hot-day-cabin', 'icy-road', 'mixed-drive', 'stop-and-go', 'wet-road'].sort(),
    );
    for (const s of SCENARIOS.values()) expect(s.description.length).toBeGreaterThan(40);
  });

  it('draws new parameters for every seed, so held-out seeds are new situations', () => {
    for (const name of SCENARIOS.keys()) {
      const seen = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(startSimulation({ scenario: name, durationS: 300, seed }).params)));
      expect(seen.size, name).toBe(5);
    }
  });
});

describe('adas labels', () => {
  it('mark collision-imminent windows in a cut-in drive, where the radar sees a close, closing object', () => {
    const r = run('cut-in-emergency-brake', 150, 21, ['RDR_Objects']);
    const adas = labelsOf<AdasLabel>(r, 'adas');
    const imminent = adas.filter((l) => l.label.collision_imminent);
    expect(imminent.length).toBeGreaterThan(5);
    for (const l of imminent) {
      expect(l.label.ttc_s!).toBeLessThan(2.5);
      expect(l.label.closing_speed_mps!).toBeGreaterThan(0.5);
    }
    const radar = decodeAll(r, 'RDR_Objects');
    let matched = 0;
    for (const l of imminent) {
      const frame = radar.filter((f) => f.t <= l.t + 0.06).pop();
      if (!frame) continue;
      for (let k = 1; k <= 8; k++) {
        const d = Number(frame.v[`RDR_Obj${k}_Distance`]);
        const vr = Number(frame.v[`RDR_Obj${k}_RelSpeed`]);
        if (Number(frame.v[`RDR_Obj${k}_Valid`]) === 1 && Math.abs(d - l.label.lead_distance_m!) < 3 && vr < 0) {
          matched++;
          break;
        }
      }
    }
    // A detection can drop out, and an object that has only just cut in is one radar cycle late.
    expect(matched / imminent.length).toBeGreaterThan(0.7);
  });

  it('are almost never imminent when cruising on the motorway', () => {
    const r = run('highway-cruise', 150, 22);
    const adas = labelsOf<AdasLabel>(r, 'adas');
    expect(adas.filter((l) => l.label.collision_imminent).length / adas.length).toBeLessThan(0.01);
    expect(adas.filter((l) => l.label.lead_distance_m !== null).length).toBeGreaterThan(adas.length / 2);
    expect(r.collisions).toBe(0);
  });
});

describe('chassis labels', () => {
  it('follow the winter road patches, with mu inside each surface range, and slip shows in the wheel speeds', () => {
    const r = run('icy-road', 150, 23, ['ESP_WheelSpeeds', 'ESP_Brake']);
    const chassis = labelsOf<ChassisLabel>(r, 'chassis');
    const classes = new Set(chassis.map((l) => l.label.friction_class));
    expect(classes.has('snow') || classes.has('ice')).toBe(true);
    for (const l of chassis) {
      const [lo, hi] = SURFACES[l.label.friction_class].muRange;
      expect(l.label.mu).toBeGreaterThanOrEqual(lo);
      expect(l.label.mu).toBeLessThanOrEqual(hi);
    }
    // The driven rear wheels spin faster than the free front ones by the slip the surface needs.
    const classAt = (t: number) => chassis.filter((l) => l.t <= t).pop()?.label.friction_class ?? chassis[0]!.label.friction_class;
    const slip = new Map<string, number[]>();
    for (const f of decodeAll(r, 'ESP_WheelSpeeds')) {
      const front = (Number(f.v.WHL_SpeedFL) + Number(f.v.WHL_SpeedFR)) / 2;
      const rear = (Number(f.v.WHL_SpeedRL) + Number(f.v.WHL_SpeedRR)) / 2;
      if (front < 10) continue;
      const c = classAt(f.t);
      slip.set(c, [...(slip.get(c) ?? []), Math.abs(rear - front) / front]);
    }
    const meanSlip = (c: string) => {
      const xs = slip.get(c) ?? [];
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const order = ['dry', 'wet', 'snow', 'ice'].filter((c) => (slip.get(c)?.length ?? 0) > 100);
    expect(order.length).toBeGreaterThanOrEqual(2);
    const grippiest = meanSlip(order[0]!);
    const slipperiest = meanSlip(order[order.length - 1]!);
    expect(slipperiest).toBeGreaterThan(2 * grippiest);
    const wet = run('wet-road', 20, 24, ['BDY_Environment']);
    expect(new Set(labelsOf<ChassisLabel>(wet, 'chassis').map((l) => l.label.friction_class))).toEqual(new Set(['wet']));
    expect(decodeAll(wet, 'BDY_Environment').every((f) => Number(f.v.ENV_Wiper) > 0 || Number(f.v.ENV_Rain) <= 5)).toBe(true);
  });
});

describe('powertrain labels', () => {
  it('turn anomalous at the fault onset on the faulty cell and stay so', () => {
    const r = run('battery-cell-fault', 120, 25);
    const pt = labelsOf<PowertrainLabel>(r, 'powertrain');
    const onset = Number(r.params.onset_s);
    const cell = Number(r.params.cell);
    for (const l of pt) {
      // The onset is reported to the millisecond; labels come every 100 ms.
      if (Math.abs(l.t - onset) > 0.001) expect(l.label.anomaly).toBe(l.t >= onset);
      if (l.label.anomaly) {
        expect(l.label.cell).toBe(cell);
        expect(l.label.fault).toBe(r.params.fault);
      }
    }
    expect(pt.some((l) => l.label.anomaly)).toBe(true);
  });
});

/** The first seed from `from` whose battery-cell-fault drive holds a fault of `kind`. */
function seedWith(kind: string, from: number): number {
  for (let seed = from; seed < from + 50; seed++) {
    if (startSimulation({ scenario: 'battery-cell-fault', durationS: 1, seed }).params.fault === kind) return seed;
  }
  throw new Error(`no ${kind} in 50 seeds`);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The faulty cell's voltage minus the mean of the other three of its frame, per decoded frame. */
function groupDeviation(r: Run, cell: number): { t: number; dev: number }[] {
  const g = Math.floor((cell - 1) / 4);
  return decodeAll(r, 'BMS_CellVoltages')
    .filter((f) => f.v.CV_Group === g)
    .map((f) => {
      const vs = [1, 2, 3, 4].map((j) => Number(f.v[`CV_Cell${pad(4 * g + j)}`]));
      const own = vs[(cell - 1) % 4] as number;
      return { t: f.t, dev: own - (vs.reduce((a, b) => a + b, 0) - own) / 3 };
    });
}

function meanIn<T extends { t: number }>(xs: readonly T[], from: number, to: number, value: (x: T) => number): number {
  const inside = xs.filter((x) => x.t >= from && x.t < to);
  return inside.reduce((a, x) => a + value(x), 0) / inside.length;
}

describe('battery faults on the bus', () => {
  it('a thermal event sags its cell against its group within 30 s of onset and warms its sensor above the others within 2 min', () => {
    const r = run('battery-cell-fault', 240, seedWith('thermal_event', 100), ['BMS_CellVoltages', 'BMS_CellTemps']);
    const onset = Number(r.params.onset_s);
    const cell = Number(r.params.cell);
    const dev = groupDeviation(r, cell);
    const before = meanIn(dev, onset - 10, onset, (d) => d.dev);
    // Even the slowest short (3 ohm to 0.2 ohm in 40 s) is below 0.4 ohm by then: over 10 mV at rest.
    expect(meanIn(dev, onset + 30, onset + 35, (d) => d.dev)).toBeLessThan(before - 0.008);
    const sensor = Math.floor((cell - 1) / 4);
    const temps = decodeAll(r, 'BMS_CellTemps');
    const reading = (s: number) => (f: { v: Record<string, number | string> }) => Number(f.v[`CT_Temp${pad(s + 1)}`]);
    const ofSensor = (s: number) => temps.filter((f) => f.v.CT_Group === Math.floor(s / 6));
    const rise = (s: number): number => meanIn(ofSensor(s), onset + 110, onset + 120, reading(s)) - meanIn(ofSensor(s), onset - 10, onset, reading(s));
    const others = Array.from({ length: 24 }, (_, s) => s).filter((s) => s !== sensor).map(rise).sort((a, b) => a - b);
    expect(rise(sensor)).toBeGreaterThan((others[others.length >> 1] as number) + 0.5);
  });

  it('a weak cell is there from key-on and sags more than its group under load', () => {
    const r = run('battery-cell-fault', 60, seedWith('weak_cell', 100), ['BMS_CellVoltages', 'BMS_PackStatus']);
    expect(Number(r.params.onset_s)).toBe(0);
    const dev = groupDeviation(r, Number(r.params.cell));
    const current = decodeAll(r, 'BMS_PackStatus').map((f) => ({ t: f.t, i: Number(f.v.BMS_PackCurrent) }));
    // Least-squares slope of the deviation against the pack current at the same moment.
    const pairs = dev.map((d) => ({ dev: d.dev, i: (current.find((c) => c.t >= d.t) ?? current[current.length - 1])?.i ?? 0 }));
    const mi = pairs.reduce((a, p) => a + p.i, 0) / pairs.length;
    const md = pairs.reduce((a, p) => a + p.dev, 0) / pairs.length;
    const slope = pairs.reduce((a, p) => a + (p.i - mi) * (p.dev - md), 0) / pairs.reduce((a, p) => a + (p.i - mi) ** 2, 0);
    // At least 0.8 x 1.1 mOhm of extra resistance (factor 1.8 or more).
    expect(-slope).toBeGreaterThan(0.0007);
    expect(-slope).toBeLessThan(0.0025);
  });

  it('draws the same fault for the same seed', () => {
    const a = startSimulation({ scenario: 'battery-cell-fault', durationS: 240, seed: 77 }).params;
    const b = startSimulation({ scenario: 'battery-cell-fault', durationS: 240, seed: 77 }).params;
    expect(a).toEqual(b);
    expect(['weak_cell', 'thermal_event']).toContain(a.fault);
  });
});

describe('cockpit labels', () => {
  it('rise to drowsy on a night drive, and the camera sees the eyes less open when drowsy', () => {
    const r = run('drowsy-night', 240, 26, ['DMS_Driver']);
    const levels = labelsOf<CockpitLabel>(r, 'cockpit');
    expect(levels.some((l) => l.label.drowsiness >= 1)).toBe(true);
    expect(levels[0]!.label.drowsiness).toBeLessThanOrEqual(levels[levels.length - 1]!.label.drowsiness);
    const dms = decodeAll(r, 'DMS_Driver');
    const levelAt = (t: number) => levels.filter((l) => l.t <= t).pop()?.label.drowsiness ?? levels[0]!.label.drowsiness;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const open = (lvl: number) => mean(dms.filter((f) => Number(f.v.DMS_FaceDetected) === 1 && levelAt(f.t) === lvl).map((f) => Number(f.v.DMS_EyeOpenLeft)));
    const lo = Math.min(...levels.map((l) => l.label.drowsiness));
    const hi = Math.max(...levels.map((l) => l.label.drowsiness));
    expect(hi).toBeGreaterThan(lo);
    expect(open(hi)).toBeLessThan(open(lo) - 5);
  });
});

describe('body labels', () => {
  it('give the occupancy drawn for the run and a comfortable set-point the cabin is cooled towards', () => {
    const r = run('hot-day-cabin', 180, 27, ['BDY_Climate']);
    const body = labelsOf<BodyLabel>(r, 'body');
    for (const l of body) {
      expect(l.label.occupancy).toBe(Number(r.params.occupants));
      expect(l.label.setpoint_c).toBeGreaterThanOrEqual(17);
      expect(l.label.setpoint_c).toBeLessThanOrEqual(28);
      expect((l.label.setpoint_c * 2) % 1).toBe(0);
    }
    const climate = decodeAll(r, 'BDY_Climate');
    const first = Number(climate[0]!.v.CLM_CabinTemp);
    const last = Number(climate[climate.length - 1]!.v.CLM_CabinTemp);
    // About 5 kW of cooling against the sun and the heat soaked into the interior: a few kelvin a minute.
    expect(last).toBeLessThan(first - 5);
  });
});

describe('every scenario', () => {
  it('keeps the car in its lane and the steering wheel below its lock', () => {
    for (const name of SCENARIOS.keys()) {
      const sim = startSimulation({ scenario: name, durationS: 60, seed: 31 });
      let worst = 0;
      let steer = 0;
      for (let r = sim.events.next(); !r.done; r = sim.events.next()) {
        worst = Math.max(worst, Math.abs(sim.world.lat.laneOffset));
        steer = Math.max(steer, Math.abs(sim.world.control.steeringWheelRad));
      }
      expect(worst, name).toBeLessThan(1.8);
      expect((steer * 180) / Math.PI, name).toBeLessThanOrEqual(540);
    }
  });
});
