/**
 * Plays frames (a trace reader, a generator, an array) onto a Bus against a clock.
 *
 * Scheduling is by absolute target time, `origin + (t - t_first) / speed`, never by summing gaps,
 * so sleep overshoot does not accumulate into drift. Against a clock that can be advanced (a
 * `VirtualClock`), replay moves virtual time exactly to each frame's target before sending it:
 * the run is deterministic and as fast as the CPU allows.
 *
 * `bus` imports nothing of ours, so the clock is a structural type that runtime/clock.ts satisfies.
 */
import type { CanFrame } from './frame.js';

export interface ReplayClock {
  now(): number;
  sleepUntil(t: number, signal?: AbortSignal): Promise<void>;
}

/** A clock replay drives instead of waiting on (runtime's `VirtualClock`). */
export interface AdvanceableClock extends ReplayClock {
  advanceTo(t: number): Promise<void>;
}

/** Where frames go: any `Bus` fits. */
export interface ReplayTarget {
  send(frame: CanFrame): Promise<void>;
}

export type ReplaySource = AsyncIterable<CanFrame> | Iterable<CanFrame>;

export interface ReplayOptions {
  readonly clock: ReplayClock;
  /** `'max'`: no waiting (virtual time still follows the trace); a number N: N times real time. Default 1. */
  readonly speed?: 'max' | number;
  /** Play the source again after it ends: `true` until aborted, or a number of passes. Default one pass. */
  readonly loop?: boolean | number;
  readonly signal?: AbortSignal;
  /** Skip the first S seconds of the trace (relative to its first frame); timing starts there. */
  readonly startOffset?: number;
  /**
   * Renames channels (`{ can1: 'vcan0' }`), or a function; `undefined` from the function drops the frame.
   * Unmapped channels in a record pass unchanged.
   */
  readonly channels?: Readonly<Record<string, string>> | ((channel: string) => string | undefined);
  /** Stamp sent frames with the clock's time at sending (default true) instead of the trace's. */
  readonly restamp?: boolean;
}

export interface ReplayStats {
  /** Frames sent. */
  readonly frames: number;
  /** Clock time from the first send's target to the end, in seconds. */
  readonly durationS: number;
  /** How late sends were against their targets, in seconds (0 under a virtual clock). */
  readonly lateness: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly aborted: boolean;
}

// Past this many samples lateness is kept as a uniform reservoir: percentiles stay honest, memory bounded.
const MAX_SAMPLES = 1 << 20;

function isAdvanceable(clock: ReplayClock): clock is AdvanceableClock {
  return typeof (clock as Partial<AdvanceableClock>).advanceTo === 'function';
}

function iteratorOf(source: ReplaySource): AsyncIterator<CanFrame> | Iterator<CanFrame> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

function channelMapper(map: ReplayOptions['channels']): (channel: string) => string | undefined {
  if (map === undefined) return (c) => c;
  if (typeof map === 'function') return map;
  return (c) => map[c] ?? c;
}

/**
 * Sends every frame of `source` to `target` at its time.
 * Abort stops between frames and returns the stats so far with `aborted: true`.
 * @throws {RangeError} on a speed that is not `'max'` or a positive finite number, or a negative start offset.
 * @throws whatever `target.send` throws (e.g. `BusClosedError`); frames before it were sent.
 */
export async function replay(source: ReplaySource, target: ReplayTarget, options: ReplayOptions): Promise<ReplayStats> {
  const { clock, signal } = options;
  const speed = options.speed ?? 1;
  if (speed !== 'max' && !(typeof speed === 'number' && Number.isFinite(speed) && speed > 0)) {
    throw new RangeError(`speed must be 'max' or a positive number, not ${String(speed)}`);
  }
  const startOffset = options.startOffset ?? 0;
  if (!(startOffset >= 0)) throw new RangeError(`startOffset must be >= 0, not ${startOffset}`);
  const passes = options.loop === true ? Infinity : options.loop === false || options.loop === undefined ? 1 : options.loop;
  const mapChannel = channelMapper(options.channels);
  const restamp = options.restamp ?? true;
  const virtual = isAdvanceable(clock) ? clock : undefined;
  // Virtual time follows the trace at 'max'; real time does not wait at all.
  const factor = speed === 'max' ? (virtual ? 1 : 0) : 1 / speed;

  const samples: number[] = [];
  let seen = 0;
  let lateMax = 0;
  let rng = 0x2545f491;
  const sample = (late: number): void => {
    seen++;
    if (late > lateMax) lateMax = late;
    if (samples.length < MAX_SAMPLES) samples.push(late);
    else {
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
      const j = rng % seen;
      if (j < MAX_SAMPLES) samples[j] = late;
    }
  };

  let frames = 0;
  let origin: number | undefined;
  // Trace time mapped to `origin`; each pass continues where the previous one ended.
  let traceBase = 0;
  let passShift = 0;
  let lastTarget = 0;
  let aborted = false;

  outer: for (let pass = 0; pass < passes; pass++) {
    const it = iteratorOf(source);
    let first: number | undefined;
    let last = 0;
    let sentThisPass = 0;
    try {
      for (;;) {
        if (signal?.aborted) {
          aborted = true;
          break outer;
        }
        // Awaiting a sync iterator's result would cost a microtask turn per frame for nothing.
        const next = it.next();
        const step = isPromise(next) ? await next : next;
        if (step.done) break;
        const frame = step.value;
        first ??= frame.timestamp;
        const rel = frame.timestamp - first;
        if (rel < startOffset) continue;
        last = rel;
        const channel = mapChannel(frame.channel);
        if (channel === undefined) continue;
        if (origin === undefined) {
          origin = clock.now();
          traceBase = startOffset;
        }
        const due = origin + (passShift + rel - traceBase) * factor;
        try {
          if (virtual) {
            if (due > virtual.now()) await virtual.advanceTo(due);
          } else if (factor > 0 && due > clock.now()) {
            await clock.sleepUntil(due, signal);
          }
        } catch (err) {
          if (signal?.aborted) {
            aborted = true;
            break outer;
          }
          throw err;
        }
        const now = virtual ? due : clock.now();
        sample(virtual || factor === 0 ? 0 : Math.max(0, now - due));
        const out = restamp || channel !== frame.channel ? { ...frame, channel, timestamp: restamp ? now : frame.timestamp } : frame;
        await target.send(out);
        lastTarget = due;
        frames++;
        sentThisPass++;
      }
    } finally {
      await (it as AsyncIterator<CanFrame>).return?.();
    }
    // A source that yields nothing on a pass (an exhausted generator) cannot loop.
    if (sentThisPass === 0) break;
    passShift += last - traceBase + meanGap(last - traceBase, sentThisPass);
    traceBase = startOffset;
  }

  samples.sort((a, b) => a - b);
  const pick = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  const end = clock.now();
  return {
    frames,
    durationS: origin === undefined ? 0 : Math.max(end, lastTarget) - origin,
    lateness: { p50: pick(0.5), p99: pick(0.99), max: lateMax },
    aborted,
  };
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as Promise<T>)?.then === 'function';
}

/** The gap a loop leaves between the last frame of a pass and the first of the next: one mean frame period. */
function meanGap(span: number, frames: number): number {
  return frames > 1 ? span / (frames - 1) : 0;
}
