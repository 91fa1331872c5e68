import type { Scenario } from './types.js';
import { initParams, NeighbourTraffic, Road, applyInit, drawInit, ensureLead } from './common.js';

export const highwayCruise: Scenario = {
  name: 'highway-cruise',
  description:
    'Dry motorway at 90-130 km/h behind a lead car that varies its speed gently; traffic overtakes on both sides; long bends. Collision warnings should be rare.',
  plan(rng) {
    const init = drawInit(rng, { speedKmh: [90, 130] });
    const traffic = new NeighbourTraffic(rng.fork('traffic'), rng.uniform(1, 4));
    const road = new Road(rng.fork('road'), rng.uniform(600, 1500));
    const leadRng = rng.fork('lead');
    let nextChange = 0;
    let prev = 0;
    return {
      init,
      params: { ...initParams(init) },
      start(world) {
        applyInit(world, init);
        ensureLead(world, leadRng, [40, 100], init.desiredSpeedMps * leadRng.uniform(0.9, 1.0));
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        traffic.update(t, world);
        const lead = world.traffic.leadOf(world.egoS, world.lat.laneOffset);
        if (!lead && t > 5) ensureLead(world, leadRng, [80, 150], init.desiredSpeedMps * leadRng.uniform(0.85, 1.0));
        if (lead && t >= nextChange) {
          nextChange = t + leadRng.uniform(20, 60);
          lead.desiredSpeedMps = init.desiredSpeedMps * leadRng.uniform(0.85, 1.02);
        }
      },
    };
  },
};
