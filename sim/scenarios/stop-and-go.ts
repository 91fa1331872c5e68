import type { Scenario } from './types.js';
import { KMH, initParams, Road, applyInit, drawInit, ensureLead } from './common.js';

export const stopAndGo: Scenario = {
  name: 'stop-and-go',
  description:
    'Congested traffic: the lead car alternates between standstill and 15-50 km/h with 5-40 s phases; dry or wet; driver follows with IDM at short gaps.',
  plan(rng) {
    const wet = rng.chance(0.3);
    const init = drawInit(rng, { speedKmh: [0, 20], surface: wet ? 'wet' : 'dry', rainPct: wet ? rng.uniform(10, 60) : 0 });
    init.idm.timeGapS = rng.uniform(0.9, 1.5);
    const leadRng = rng.fork('lead');
    const road = new Road(rng.fork('road'), 300);
    const cruise = rng.uniform(40, 60) * KMH;
    let nextPhase = 0;
    let moving = true;
    let prev = 0;
    return {
      init: { ...init, desiredSpeedMps: cruise },
      params: { ...initParams(init), surface: init.env.surface },
      start(world) {
        applyInit(world, { ...init, desiredSpeedMps: cruise });
        ensureLead(world, leadRng, [6, 20], world.long.speedMps);
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        const lead = world.traffic.leadOf(world.egoS, world.lat.laneOffset);
        if (!lead) {
          ensureLead(world, leadRng, [10, 30], world.long.speedMps);
          return;
        }
        if (t >= nextPhase) {
          moving = !moving;
          nextPhase = t + (moving ? leadRng.uniform(5, 40) : leadRng.uniform(3, 25));
          lead.desiredSpeedMps = moving ? leadRng.uniform(15, 50) * KMH : 0;
        }
      },
    };
  },
};
