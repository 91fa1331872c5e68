/**
 * The budget loop: every `periodS` of dispatcher time, feed the platform the busy time, hand its
 * reading to the degradation ladder, and let the dispatcher pick up the new modes and core speed.
 * Runs as a dispatcher timer, so in replay it fires at the same virtual instants every run.
 */
import type { Platform, PlatformReading } from '../platform/platform.js';
import type { DegradationLadder, LadderEvent } from './degradation.js';
import type { Dispatcher } from './dispatcher.js';

export interface Governor {
  /** The latest platform reading (undefined before the first tick). */
  readonly last: PlatformReading | undefined;
  /** Core speed to scale modelled costs by (pass `() => governor.costScale()` to the dispatcher). */
  costScale(): number;
}

/**
 * Wires platform → ladder on a dispatcher timer.
 * @param onTick - optional observer of each reading and the ladder events it caused
 * @throws {RangeError} for a non-positive period
 */
export function attachGovernor(
  dispatcher: Dispatcher,
  platform: Platform,
  ladder: DegradationLadder,
  periodS: number,
  onTick?: (reading: PlatformReading, events: readonly LadderEvent[]) => void,
): Governor {
  let last: PlatformReading | undefined;
  dispatcher.every(periodS, (t) => {
    last = platform.sample(t, dispatcher.busyCoreSeconds());
    const events = ladder.update(t, { socC: last.socC, powerW: last.powerW, speed: last.speed });
    onTick?.(last, events);
  });
  return {
    get last() {
      return last;
    },
    costScale: () => 1 / Math.max(1e-6, last?.speed ?? 1),
  };
}
