import { LANE_WIDTH_M, type Target } from '../vehicle/traffic.js';
import type { Scenario } from './types.js';
import { KMH, initParams, NeighbourTraffic, Road, applyInit, drawInit } from './common.js';

/**
 * Every 25 to 60 s a car from the next lane cuts in at a short gap, slower than the ego, and then
 * brakes hard; after a while it leaves the lane again so the next event starts fresh.
 */
export const cutInEmergencyBrake: Scenario = {
  name: 'cut-in-emergency-brake',
  description:
    'Dry road at 60-110 km/h; repeatedly a car cuts in 10-30 m ahead, 5-25 km/h slower, then brakes at 4-8 m/s^2 for 1-3 s. The driver reacts after 0.7-1.4 s. Produces collision-imminent windows.',
  plan(rng) {
    const init = drawInit(rng, { speedKmh: [60, 110] });
    const road = new Road(rng.fork('road'), rng.uniform(800, 2000));
    const traffic = new NeighbourTraffic(rng.fork('traffic'), rng.uniform(0.5, 2));
    const ev = rng.fork('events');
    let nextEvent = ev.uniform(8, 20);
    let cutter: Target | undefined;
    let leaveAt = 0;
    let pendingBrake: { target: Target; at: number; brake: { accel: number; until: number } } | undefined;
    let prev = 0;
    return {
      init,
      params: { ...initParams(init) },
      start(world) {
        applyInit(world, init);
      },
      update(t, world) {
        road.update(t, t - prev, world);
        prev = t;
        traffic.update(t, world);
        if (cutter && t >= leaveAt) {
          cutter.targetLat = LANE_WIDTH_M;
          cutter.desiredSpeedMps = init.desiredSpeedMps * 1.2;
          cutter = undefined;
          nextEvent = t + ev.uniform(25, 60);
        }
        if (!cutter && t >= nextEvent && world.long.speedMps > 8) {
          const v = world.long.speedMps;
          const gap = ev.uniform(10, 30);
          const speed = Math.max(3, v - ev.uniform(5, 25) * KMH);
          const side = ev.pick([-1, 1]);
          cutter = world.traffic.add({ type: ev.chance(0.2) ? 2 : 1, s: world.egoS + gap - ev.uniform(2, 6), lat: side * LANE_WIDTH_M, speedMps: speed, targetLat: 0, latRate: ev.uniform(1.2, 2.2) });
          cutter.desiredSpeedMps = speed;
          const brakeAt = t + ev.uniform(1.0, 2.5);
          cutter.command = { accel: 0, until: brakeAt };
          const brake = { accel: -ev.uniform(4, 8), until: brakeAt + ev.uniform(1, 3) };
          // The hard brake follows the lane change; it is queued and swapped in when due.
          pendingBrake = { target: cutter, at: brakeAt, brake };
          leaveAt = t + ev.uniform(12, 18);
        }
        if (pendingBrake && t >= pendingBrake.at) {
          pendingBrake.target.command = pendingBrake.brake;
          pendingBrake.target.desiredSpeedMps = Math.max(0, pendingBrake.target.speedMps - 8);
          pendingBrake = undefined;
        }
      },
    };
  },
};
