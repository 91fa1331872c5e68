/**
 * The real-time loops, started last and closed first: the dispatcher releasing each domain's jobs
 * on the clock, and one reader per bus handing every frame to the engine. Closing ends the
 * readers, then lets the dispatcher finish its in-flight work.
 */
import type { Logger } from 'pino';
import type { CanFrame } from '../../bus/frame.js';
import type { Bus } from '../../bus/transport/index.js';
import type { Engine } from '../engine/engine.js';
import { component, type Component } from './lifecycle.js';

/** The dispatcher's real-time loop until close; its failure is logged, never thrown at close. */
export function schedulerLoop(engine: Engine, log: Logger): Component<void> {
  const ctl = new AbortController();
  let dispatching: Promise<void> | undefined;
  return component(
    'scheduler',
    () => {
      dispatching = engine.dispatcher.run(ctl.signal);
    },
    async () => {
      ctl.abort();
      await dispatching?.catch((err: unknown) => log.error({ err: (err as Error).message }, 'dispatcher failed'));
    },
  );
}

/** One reader per bus; `onFrame` sees every received frame, in arrival order per bus. */
export function frameIntake(buses: readonly Bus[], onFrame: (bus: Bus, frame: CanFrame) => void): Component<void> {
  const ctl = new AbortController();
  let readers: Promise<void>[] = [];
  return component(
    'frame intake',
    () => {
      readers = buses.map(async (bus) => {
        for await (const frame of bus.frames(ctl.signal)) onFrame(bus, frame);
      });
    },
    async () => {
      ctl.abort();
      await Promise.allSettled(readers);
    },
  );
}
