/**
 * The simulator's entry point: runs a scenario for a duration from a seed and yields, in time
 * order, the frames the vehicle puts on its bus and the ground-truth labels. Synchronous and
 * allocation-light, so a ten-minute drive takes seconds.
 *
 * Bus timing: the world advances in 10 ms steps; each message goes out every GenMsgCycleTime at
 * its own phase and slot within the step, with up to 300 us of jitter. A small share of frames is
 * lost on the way (their counters still advance, as the sender sent them).
 *
 * The reference sensors (`sensors.ts`) read the world the same way on every run of a seed; what
 * goes on the bus is the reference DBC's messages (`reference-encoder.ts`) or, with `vehicle`,
 * another vehicle's messages through its profile (`vehicle-encoder.ts`).
 */
import type { CompiledDatabase } from '../bus/dbc/index.js';
import type { CanFrame } from '../bus/frame.js';
import { BusTiming } from './bus-timing.js';
import { SimUsageError } from './errors.js';
import { DOMAINS, LABEL_PERIOD_MS, labelFor, type LabelRecord } from './labels.js';
import { createMessageBuilders } from './messages.js';
import { Rng } from './random.js';
import { ReferenceEncoder } from './reference-encoder.js';
import { referenceCatalogSources } from './reference-signals.js';
import { SCENARIOS } from './scenarios/index.js';
import { isDue, sensorSchedule, STEP_MS, STEP_S, type BusEncoder, type Sensor, type TimedFrame } from './sensors.js';
import { vehicleDatabase } from './vehicle-dbc.js';
import { VehicleEncoder, type VehicleEncoding, type VehicleTarget } from './vehicle-encoder.js';
import { World } from './vehicle/world.js';

export { SimUsageError, VehicleEncodingError } from './errors.js';
export { STEP_S } from './sensors.js';
export type { VehicleEncoding, VehicleTarget } from './vehicle-encoder.js';

export interface SimOptions {
  scenario: string;
  durationS: number;
  seed: number;
  /** Share of frames lost on the bus (default 0.0005). */
  dropRate?: number;
  /** The compiled reference DBC (default: `sim/vehicle.dbc`). */
  database?: CompiledDatabase;
  /** CAN channel name on the frames (default `can0`; a profile mapping's `channel` wins for its message). */
  channel?: string;
  /**
   * Encode the drive onto this vehicle (a profile's signals and its DBC) instead of the reference
   * DBC. The world, the sensors and the labels are the same as the reference drive of the seed.
   */
  vehicle?: VehicleTarget;
}

export type SimEvent = { readonly kind: 'frame'; readonly frame: CanFrame } | { readonly kind: 'label'; readonly label: LabelRecord };

/** Scenario name, drawn parameters and seed of a run (what `ecu-ai sim` prints). */
export interface SimRun {
  readonly scenario: string;
  readonly seed: number;
  readonly durationS: number;
  readonly params: Readonly<Record<string, number | string>>;
  readonly world: World;
  /** What goes on the bus when the drive is encoded onto a vehicle (`SimOptions.vehicle`). */
  readonly encoding?: VehicleEncoding;
  readonly events: Generator<SimEvent, SimSummary>;
}

export interface SimSummary {
  readonly frames: number;
  readonly dropped: number;
  readonly labels: number;
  readonly collisions: number;
}

/**
 * Prepares a run: draws the scenario's parameters and builds the world. Iterate `events` to run it.
 * @throws {SimUsageError} for an unknown scenario, a non-positive duration or a non-integer seed
 * @throws {VehicleEncodingError} when a mapping of `vehicle` does not fit its DBC
 */
export function startSimulation(options: SimOptions): SimRun {
  const scenario = SCENARIOS.get(options.scenario);
  if (!scenario) throw new SimUsageError(`unknown scenario "${options.scenario}"; known: ${[...SCENARIOS.keys()].join(', ')}`);
  if (!(options.durationS > 0) || !Number.isFinite(options.durationS)) throw new SimUsageError(`duration must be a positive number of seconds, not ${options.durationS}`);
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new SimUsageError(`seed must be a non-negative integer, not ${options.seed}`);
  const root = new Rng(options.seed);
  const plan = scenario.plan(root.fork(`scenario:${scenario.name}`), options.durationS);
  const world = new World(options.seed, plan.init);
  plan.start(world);
  const db = options.database ?? vehicleDatabase();
  const sensors = sensorSchedule(db, createMessageBuilders(world, root.fork('sensors')));
  const timing = new BusTiming(root.fork('bus'), options.dropRate ?? 0.0005);
  const channel = options.channel ?? 'can0';
  const vehicle = options.vehicle ? new VehicleEncoder(options.vehicle, sensors, referenceCatalogSources(), timing, channel) : undefined;
  const encoder: BusEncoder = vehicle ?? new ReferenceEncoder(sensors, timing, channel);
  return {
    scenario: scenario.name,
    seed: options.seed,
    durationS: options.durationS,
    params: plan.params,
    world,
    ...(vehicle ? { encoding: vehicle.encoding } : {}),
    events: run(world, (t) => plan.update(t, world), sensors, encoder, timing, options.durationS),
  };
}

/** Runs a scenario and yields frames and labels in time order (see `startSimulation`). */
export function simulate(options: SimOptions): Generator<SimEvent, SimSummary> {
  return startSimulation(options).events;
}

function* run(world: World, update: (t: number) => void, sensors: readonly Sensor[], encoder: BusEncoder, timing: BusTiming, durationS: number): Generator<SimEvent, SimSummary> {
  const steps = Math.round(durationS / STEP_S);
  const labelSteps = DOMAINS.map((d) => [d, Math.round(LABEL_PERIOD_MS[d] / STEP_MS)] as const);
  let frames = 0;
  let labels = 0;
  const due: TimedFrame[] = [];
  for (let k = 1; k <= steps; k++) {
    update(world.t);
    world.step(STEP_S);
    const t = k * STEP_S;
    const stamp = Math.round(t * 1e6) / 1e6;
    for (const [domain, every] of labelSteps) {
      if (k % every !== 0) continue;
      labels++;
      yield { kind: 'label', label: labelFor(domain, stamp, world) };
    }
    due.length = 0;
    for (const s of sensors) if (isDue(s, k)) encoder.reading(s, s.build(), k, due);
    encoder.endStep(k, due);
    due.sort((a, b) => a.t - b.t);
    for (const d of due) {
      frames++;
      yield { kind: 'frame', frame: d.frame };
    }
  }
  return { frames, dropped: timing.dropped, labels, collisions: world.collisions };
}
