/**
 * The reference vehicle's own encoding: each sensor's reading is its reference message, clamped
 * into what the DBC can carry, counted and sealed when the message is protected, and sent in the
 * step it was read. The default path of `ecu-ai sim`, unchanged since the first traces, so every
 * stored drive and golden replay stays byte-identical.
 */
import { E2eSealer } from '../bus/e2e.js';
import { makeFrame } from '../bus/frame.js';
import type { BusTiming } from './bus-timing.js';
import type { SignalMap } from './messages.js';
import { clamp } from './numeric.js';
import type { BusEncoder, Sensor, TimedFrame } from './sensors.js';

interface Sealing {
  /** The message's end-to-end protection, when the DBC gives it a counter or a CRC. */
  readonly e2e: E2eSealer | undefined;
  /** Physical [min, max] by signal name, to clamp values into what the DBC can carry. */
  readonly ranges: Readonly<Record<string, readonly [number, number]>>;
}

export class ReferenceEncoder implements BusEncoder {
  readonly #sealing: readonly Sealing[];

  constructor(
    sensors: readonly Sensor[],
    private readonly timing: BusTiming,
    private readonly channel: string,
  ) {
    this.#sealing = sensors.map((s) => {
      const ranges: Record<string, readonly [number, number]> = {};
      for (const sig of s.codec.message.signals) ranges[sig.name] = [sig.minimum ?? -Infinity, sig.maximum ?? Infinity];
      return { e2e: E2eSealer.of(s.codec.message), ranges };
    });
  }

  reading(sensor: Sensor, values: SignalMap, k: number, out: TimedFrame[]): void {
    const { e2e, ranges } = this.#sealing[sensor.index] as Sealing;
    for (const name in values) {
      const range = ranges[name];
      if (range) values[name] = clamp(values[name] as number, range[0], range[1]);
    }
    e2e?.prepare(values);
    const packed = sensor.codec.encode(values);
    const data = e2e ? e2e.seal(packed) : packed;
    const t = this.timing.stamp(k, sensor.slotUs);
    if (this.timing.lost()) return;
    const msg = sensor.codec.message;
    out.push({ t, frame: makeFrame({ timestamp: t, channel: this.channel, id: msg.id, extended: msg.extended, fd: msg.fd, brs: msg.fd, data }) });
  }

  endStep(): void {}
}
