import type { Scenario } from './types.js';
import { KMH, initParams, Road, applyInit, drawInit, ensureLead } from './common.js';

export const hotDayCabin: Scenario = {
  name: 'hot-day-cabin',
  description:
    'A car parked in the sun (cabin 45-65 C when the drive starts here) on a 28-42 C day with 600-1000 W/m2 sun; 1-5 occupants get in and drive through town at 30-60 km/h; the HVAC cools down and the user adjusts the set-point.',
  plan(rng) {
    const init = drawInit(rng, { speedKmh: [0, 10], ambientC: [28, 42], sunWm2: [600, 1000], timeOfDayMin: [11 * 60, 17 * 60], occupants: [1, 5], cabinTempC: rng.uniform(45, 65) });
    init.env.ambientHumidityPct = rng.uniform(20, 60);
    const road = new Road(rng.fork('road'), 150);
    const drive = rng.fork('drive');
    let nextChange = 0;
    let prev = 0;
    return {
      init,
      params: { ...initParams(init), cabin_start_c: Number(init.cabinTempC.toFixed(1)) },
      start(world) {
        applyInit(world, init);
        world.occupants.seat(init.occupants);
        // Only a car that starts its drive here has been soaking in the sun.
        if (world.t < 1) world.cabin.tempC = Math.max(world.cabin.tempC, init.cabinTempC);
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        if (t >= nextChange) {
          nextChange = t + drive.uniform(15, 60);
          world.control.desiredSpeedMps = drive.chance(0.2) ? 0.01 : drive.uniform(30, 60) * KMH;
        }
        if (!world.lead() && drive.chance(0.002)) ensureLead(world, drive, [20, 60], world.control.desiredSpeedMps);
      },
    };
  },
};
