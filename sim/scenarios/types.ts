/** The shape of a scenario: a description and a seeded plan that steers the world over time. */
import type { Rng } from '../random.js';
import type { World, WorldInit } from '../vehicle/world.js';

export interface ScenarioPlan {
  /** Initial conditions when the drive starts with this plan. */
  readonly init: WorldInit;
  /** The parameters drawn for this run (for the run's metadata and for reproducing a case). */
  readonly params: Readonly<Record<string, number | string>>;
  /** Applies the plan to a world already running (mixed-drive switches segments this way). */
  start(world: World): void;
  /** Called before every step; `t` is seconds since this plan started. */
  update(t: number, world: World): void;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Draws one run's parameters from the scenario's ranges. */
  plan(rng: Rng, durationS: number): ScenarioPlan;
}
