/**
 * The reference vehicle's sensors and when they read the world. Each input message of the
 * reference DBC is one sensor (an ECU reading part of the world): it reads every GenMsgCycleTime,
 * at its own phase within the cycle and its own slot within the 10 ms step. The sensors read on
 * this schedule whatever vehicle the drive is encoded onto, so the world, the sensor noise and the
 * labels of a seed are the same on every vehicle.
 */
import type { CompiledDatabase, MessageCodec } from '../bus/dbc/index.js';
import type { CanFrame } from '../bus/frame.js';
import type { MessageBuilder, SignalMap } from './messages.js';

export const STEP_S = 0.01;
export const STEP_MS = 10;

/** When something recurs in the step loop: every `cycleSteps` steps, starting at step `phase`. */
export interface StepCycle {
  readonly cycleSteps: number;
  readonly phase: number;
}

/** One sensor: the reference message it fills and how it reads the world. */
export interface Sensor extends StepCycle {
  /** Position in the schedule, for per-sensor tables. */
  readonly index: number;
  /** The reference message (name, signals, cycle time). */
  readonly codec: MessageCodec;
  readonly build: MessageBuilder;
  /** Offset of its frames within the step, us. */
  readonly slotUs: number;
}

/** A frame and the time it goes on the bus. */
export interface TimedFrame {
  readonly t: number;
  readonly frame: CanFrame;
}

/** Turns the sensors' readings of one step into frames of one vehicle's bus. */
export interface BusEncoder {
  /** `sensor` read `values` at step `k`; frames that reading makes go to `out`. */
  reading(sensor: Sensor, values: SignalMap, k: number, out: TimedFrame[]): void;
  /** Every sensor due at step `k` has read; frames due now go to `out`. */
  endStep(k: number, out: TimedFrame[]): void;
}

/** True when a cycle is due at step `k`. */
export function isDue(cycle: StepCycle, k: number): boolean {
  return (k - cycle.phase) % cycle.cycleSteps === 0;
}

/** Steps in a period of `ms`, at least one. */
export function stepsOf(ms: number): number {
  return Math.max(1, Math.round(ms / STEP_MS));
}

/** Slot of the message at `index` of its DBC within a step, us: spread over the step, 50 us apart at least. */
export function slotOf(index: number): number {
  return ((index * 523) % 9000) + 50;
}

/**
 * The sensors of the reference DBC that have a builder and a cycle time, in DBC order.
 * @param db - the compiled reference DBC
 * @param builders - the world read-outs by reference message name
 */
export function sensorSchedule(db: CompiledDatabase, builders: Readonly<Record<string, MessageBuilder>>): Sensor[] {
  const out: Sensor[] = [];
  db.codecs.forEach((codec, dbIndex) => {
    const build = builders[codec.message.name];
    const cycle = codec.message.cycleTimeMs;
    if (!build || cycle === undefined) return;
    const cycleSteps = stepsOf(cycle);
    out.push({ index: out.length, codec, build, cycleSteps, phase: dbIndex % cycleSteps, slotUs: slotOf(dbIndex) });
  });
  return out;
}
