/**
 * The buses: the configured transports opened through the bus monitor (or buses handed in), and
 * the monitor's link loop. Opened before any model loads, so a bus required at start that refuses
 * fails the start before a worker is spawned; a bus opened before the refusing one is closed again.
 */
import type { Bus } from '../../bus/transport/index.js';
import type { EcuAiConfig } from '../config.js';
import type { BusMonitor } from '../observe/bus-monitor.js';
import type { Component } from './lifecycle.js';

export interface BusInputsOptions {
  readonly monitor: BusMonitor;
  readonly transports: EcuAiConfig['transports'];
  /** Buses to use instead of opening the transports; they stay open on close (their owner closes them). */
  readonly given?: readonly Bus[];
}

/** @throws {BusInitError} (from start) when a bus required at start refuses */
export function busInputs(o: BusInputsOptions): Component<readonly Bus[]> {
  const buses: Bus[] = [];
  const ctl = new AbortController();
  let monitoring: Promise<void> | undefined;
  const closeOwn = async (): Promise<void> => {
    if (o.given === undefined) await Promise.allSettled(buses.map((b) => b.close()));
  };
  return {
    name: 'buses',
    async start() {
      try {
        if (o.given) buses.push(...o.given.map((b) => o.monitor.track(b)));
        else for (const spec of o.transports) buses.push(await o.monitor.open(spec));
      } catch (err) {
        await closeOwn();
        throw err;
      }
      monitoring = o.monitor.run(ctl.signal);
      return buses;
    },
    async close() {
      ctl.abort();
      await closeOwn();
      await monitoring;
    },
  };
}
