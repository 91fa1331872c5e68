import { SURFACES, type SurfaceName } from '../vehicle/tyre.js';
import type { Scenario } from './types.js';
import { initParams, Road, applyInit, drawInit, ensureLead } from './common.js';

export const icyRoad: Scenario = {
  name: 'icy-road',
  description:
    'Winter road at -12 to -1 C and 40-80 km/h with stretches of snow (mu 0.25-0.35), ice (0.07-0.14) and cleared asphalt of 100-600 m; the driver brakes now and then, with ABS on the slippery parts.',
  plan(rng) {
    const init = drawInit(rng, { speedKmh: [40, 80], surface: 'snow', ambientC: [-12, -1], sunWm2: [0, 300] });
    init.idm.comfortDecel = rng.uniform(1.0, 1.8);
    const road = new Road(rng.fork('road'), rng.uniform(600, 1500));
    const patchRng = rng.fork('patches');
    const leadRng = rng.fork('lead');
    let patchEnd = 0;
    let prev = 0;
    let nextBrake = patchRng.uniform(10, 30);
    return {
      init,
      params: { ...initParams(init) },
      start(world) {
        applyInit(world, init);
        patchEnd = world.egoS;
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        if (world.egoS >= patchEnd) {
          patchEnd = world.egoS + patchRng.uniform(100, 600);
          const surface: SurfaceName = patchRng.pick(['snow', 'snow', 'ice', 'ice', 'dry']);
          applyInit(world, { ...init, env: { ...init.env, surface, mu: patchRng.uniform(...SURFACES[surface].muRange) } });
        }
        if (!world.lead() && leadRng.chance(0.002)) ensureLead(world, leadRng, [60, 120], init.desiredSpeedMps * 0.9);
        if (t >= nextBrake) {
          nextBrake = t + patchRng.uniform(20, 45);
          world.control.desiredSpeedMps = init.desiredSpeedMps * patchRng.uniform(0.3, 0.7);
        } else if (t >= nextBrake - 12) {
          world.control.desiredSpeedMps = init.desiredSpeedMps;
        }
      },
    };
  },
};
