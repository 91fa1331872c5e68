import type { Scenario } from './types.js';
import { initParams, NeighbourTraffic, Road, applyInit, drawInit, ensureLead } from './common.js';

export const wetRoad: Scenario = {
  name: 'wet-road',
  description:
    'Rain (20-90 %) on a country road or motorway at 60-110 km/h, friction 0.5-0.7; the lead car brakes moderately now and then; spray lowers radar detection.',
  plan(rng) {
    const init = drawInit(rng, { speedKmh: [60, 110], surface: 'wet', rainPct: rng.uniform(20, 90), sunWm2: [0, 150], ambientC: [4, 20] });
    init.env.ambientHumidityPct = rng.uniform(75, 98);
    const road = new Road(rng.fork('road'), rng.uniform(300, 900));
    const traffic = new NeighbourTraffic(rng.fork('traffic'), rng.uniform(0.5, 2));
    const leadRng = rng.fork('lead');
    let nextBrake = leadRng.uniform(15, 40);
    let prev = 0;
    return {
      init,
      params: { ...initParams(init), rain_pct: Math.round(init.env.rainPct) },
      start(world) {
        applyInit(world, init);
        ensureLead(world, leadRng, [40, 90], init.desiredSpeedMps * 0.95);
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        traffic.update(t, world);
        const lead = world.traffic.leadOf(world.egoS, world.lat.laneOffset);
        if (!lead && t > 5) ensureLead(world, leadRng, [60, 120], init.desiredSpeedMps * 0.95);
        if (lead && t >= nextBrake) {
          nextBrake = t + leadRng.uniform(20, 50);
          lead.command = { accel: -leadRng.uniform(2, 4), until: t + leadRng.uniform(1.5, 4) };
        }
      },
    };
  },
};
