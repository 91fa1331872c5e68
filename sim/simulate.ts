/**
 * The simulator's entry point: runs a scenario for a duration from a seed and yields, in time
 * order, the frames the vehicle puts on its bus and the ground-truth labels. Synchronous and
 * allocation-light, so a ten-minute drive takes seconds.
 *
 * Bus timing: the world advances in 10 ms steps; each message goes out every GenMsgCycleTime at
 * its own phase and slot within the step, with up to 300 us of jitter. A small share of frames is
 * lost on the way (their counters still advance, as the sender sent them).
 */
import type { CompiledDatabase, MessageCodec } from '../bus/dbc/index.js';
import { makeFrame, type CanFrame } from '../bus/frame.js';
import { E2eSealer } from '../bus/e2e.js';
import { DOMAINS, LABEL_PERIOD_MS, labelFor, type LabelRecord } from './labels.js';
import { createMessageBuilders, type MessageBuilder } from './messages.js';
import { clamp } from './numeric.js';
import { Rng } from './random.js';
import { SCENARIOS } from './scenarios/index.js';
import { vehicleDatabase } from './vehicle-dbc.js';
import { World } from './vehicle/world.js';

export const STEP_S = 0.01;
const STEP_MS = 10;

export interface SimOptions {
  scenario: string;
  durationS: number;
  seed: number;
  /** Share of frames lost on the bus (default 0.0005). */
  dropRate?: number;
  /** The compiled reference DBC (default: `sim/vehicle.dbc`). */
  database?: CompiledDatabase;
  /** CAN channel name on the frames (default `can0`). */
  channel?: string;
}

export type SimEvent = { readonly kind: 'frame'; readonly frame: CanFrame } | { readonly kind: 'label'; readonly label: LabelRecord };

/** Scenario name, drawn parameters and seed of a run (what `ecu-ai sim` prints). */
export interface SimRun {
  readonly scenario: string;
  readonly seed: number;
  readonly durationS: number;
  readonly params: Readonly<Record<string, number | string>>;
  readonly world: World;
  readonly events: Generator<SimEvent, SimSummary>;
}

export interface SimSummary {
  readonly frames: number;
  readonly dropped: number;
  readonly labels: number;
  readonly collisions: number;
}

interface Scheduled {
  readonly codec: MessageCodec;
  readonly build: MessageBuilder;
  readonly cycleSteps: number;
  readonly phase: number;
  readonly slotUs: number;
  /** The message's end-to-end protection, when the DBC gives it a counter or a CRC. */
  readonly e2e: E2eSealer | undefined;
  /** Physical [min, max] by signal name, to clamp values into what the DBC can carry. */
  readonly ranges: Readonly<Record<string, readonly [number, number]>>;
}

/** Thrown for a scenario name or duration the simulator does not accept. */
export class SimUsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'SimUsageError';
  }
}

/**
 * Prepares a run: draws the scenario's parameters and builds the world. Iterate `events` to run it.
 * @throws {SimUsageError} for an unknown scenario, a non-positive duration or a non-integer seed
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
  const builders = createMessageBuilders(world, root.fork('sensors'));
  const schedule = buildSchedule(db, builders);
  return {
    scenario: scenario.name,
    seed: options.seed,
    durationS: options.durationS,
    params: plan.params,
    world,
    events: run(world, (t) => plan.update(t, world), schedule, options, root.fork('bus')),
  };
}

/** Runs a scenario and yields frames and labels in time order (see `startSimulation`). */
export function simulate(options: SimOptions): Generator<SimEvent, SimSummary> {
  return startSimulation(options).events;
}

function buildSchedule(db: CompiledDatabase, builders: Readonly<Record<string, MessageBuilder>>): Scheduled[] {
  const out: Scheduled[] = [];
  db.codecs.forEach((codec, index) => {
    const build = builders[codec.message.name];
    const cycle = codec.message.cycleTimeMs;
    if (!build || cycle === undefined) return;
    const cycleSteps = Math.max(1, Math.round(cycle / STEP_MS));
    const ranges: Record<string, readonly [number, number]> = {};
    for (const s of codec.message.signals) ranges[s.name] = [s.minimum ?? -Infinity, s.maximum ?? Infinity];
    const signals = codec.message.signals;
    out.push({
      codec,
      build,
      cycleSteps,
      phase: index % cycleSteps,
      slotUs: ((index * 523) % 9000) + 50,
      e2e: E2eSealer.of(codec.message),
      ranges,
    });
  });
  return out;
}

function* run(world: World, update: (t: number) => void, schedule: Scheduled[], options: SimOptions, bus: Rng): Generator<SimEvent, SimSummary> {
  const steps = Math.round(options.durationS / STEP_S);
  const dropRate = options.dropRate ?? 0.0005;
  const channel = options.channel ?? 'can0';
  const labelSteps = DOMAINS.map((d) => [d, Math.round(LABEL_PERIOD_MS[d] / STEP_MS)] as const);
  let frames = 0;
  let dropped = 0;
  let labels = 0;
  const due: { t: number; frame: CanFrame }[] = [];
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
    for (const m of schedule) {
      if ((k - m.phase) % m.cycleSteps !== 0) continue;
      const data = encode(m);
      const ts = Math.round(k * STEP_MS * 1000 + m.slotUs + bus.int(0, 300)) / 1e6;
      if (bus.chance(dropRate)) {
        dropped++;
        continue;
      }
      const msg = m.codec.message;
      due.push({ t: ts, frame: makeFrame({ timestamp: ts, channel, id: msg.id, extended: msg.extended, fd: msg.fd, brs: msg.fd, data }) });
    }
    due.sort((a, b) => a.t - b.t);
    for (const d of due) {
      frames++;
      yield { kind: 'frame', frame: d.frame };
    }
  }
  return { frames, dropped, labels, collisions: world.collisions };
}

function encode(m: Scheduled): Uint8Array {
  const values = m.build();
  for (const name in values) {
    const range = m.ranges[name];
    if (range) values[name] = clamp(values[name] as number, range[0], range[1]);
  }
  m.e2e?.prepare(values);
  const data = m.codec.encode(values);
  return m.e2e ? m.e2e.seal(data) : data;
}
