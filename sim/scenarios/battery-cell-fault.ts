import { CELL_COUNT, type BatteryFault } from '../vehicle/battery.js';
import type { Scenario } from './types.js';
import { KMH, initParams, Road, applyInit, drawInit, ensureLead } from './common.js';

export const batteryCellFault: Scenario = {
  name: 'battery-cell-fault',
  description:
    'Mixed driving with hard accelerations (to load the pack); one random cell is faulty: a weak, aged cell from key-on (capacity 60-85 %, resistance x1.8-3) or, at 10-40 % of the drive, a thermal event (an internal short falling from 1-3 ohm to 0.05-0.2 ohm in 10-40 s: heat and voltage sag).',
  plan(rng, durationS) {
    const init = drawInit(rng, { speedKmh: [50, 100] });
    const f = rng.fork('fault');
    const cell = f.int(0, CELL_COUNT - 1);
    const onset = f.uniform(0.1, 0.4) * durationS;
    // An aged cell does not age within a drive: it is weak from key-on (in a mixed drive, from its
    // segment's start). The onset draw stays for both kinds so the stream's layout is one.
    const fault: BatteryFault = f.chance(0.5)
      ? { kind: 'weak_cell', cell, onsetS: 0, capacityFactor: f.uniform(0.6, 0.85), resistanceFactor: f.uniform(1.8, 3) }
      : {
          kind: 'thermal_event',
          cell,
          onsetS: onset,
          shortOhmStart: f.uniform(1, 3),
          shortOhmEnd: f.uniform(0.05, 0.2),
          shortFallS: f.uniform(10, 40),
        };
    const road = new Road(rng.fork('road'), 400);
    const drive = rng.fork('drive');
    let nextChange = 0;
    let prev = 0;
    return {
      init,
      params: { ...initParams(init), fault: fault.kind, cell: cell + 1, onset_s: Number(fault.onsetS.toFixed(3)) },
      start(world) {
        applyInit(world, init);
        world.battery.faults.push({ ...fault, onsetS: world.t + fault.onsetS });
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        if (t >= nextChange) {
          nextChange = t + drive.uniform(10, 30);
          world.control.desiredSpeedMps = drive.uniform(30, 130) * KMH;
          world.control.idm.maxAccel = drive.uniform(1.5, 3.5);
        }
        if (!world.lead() && drive.chance(0.001)) ensureLead(world, drive, [60, 120], world.control.desiredSpeedMps);
      },
    };
  },
};
