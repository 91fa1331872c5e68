import type { Scenario } from './types.js';
import { initParams, NeighbourTraffic, Road, applyInit, drawInit, ensureLead } from './common.js';

export const drowsyNight: Scenario = {
  name: 'drowsy-night',
  description:
    'Night motorway (22:00-04:00, headlights, sparse traffic) at 90-130 km/h; the driver starts at fatigue 0.15-0.4 and tires so that drowsiness reaches level 1 and usually 2; short recoveries (window down, music) set it back a little.',
  plan(rng, durationS) {
    const start = rng.uniform(22 * 60, 28 * 60) % 1440;
    const init = drawInit(rng, { speedKmh: [90, 130], fatigue: [0.15, 0.4], timeOfDayMin: [start, start + 0.001], ambientC: [2, 16], occupants: [1, 2] });
    const peak = rng.uniform(0.6, 1.0);
    const reachBy = rng.uniform(0.5, 0.9) * durationS;
    const drift = (peak - init.fatigue) / Math.max(reachBy, 1);
    const road = new Road(rng.fork('road'), rng.uniform(700, 2000));
    const traffic = new NeighbourTraffic(rng.fork('traffic'), rng.uniform(0.2, 1));
    const ev = rng.fork('events');
    let nextRecovery = ev.uniform(0.2, 0.6) * durationS;
    let prev = 0;
    return {
      init,
      params: { ...initParams(init), fatigue_start: Number(init.fatigue.toFixed(2)), fatigue_peak: Number(peak.toFixed(2)), reach_by_s: Math.round(reachBy) },
      start(world) {
        applyInit(world, init);
        world.driver.driftPerS = drift;
        if (ev.chance(0.5)) ensureLead(world, ev, [80, 150], init.desiredSpeedMps * 0.95);
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        traffic.update(t, world);
        world.driver.driftPerS = t < reachBy ? drift : world.driver.fatigue > peak ? -0.0005 : 0.0002;
        if (t >= nextRecovery) {
          nextRecovery = t + ev.uniform(0.2, 0.5) * durationS;
          world.driver.fatigue = Math.max(0, world.driver.fatigue - ev.uniform(0.05, 0.2));
        }
      },
    };
  },
};
