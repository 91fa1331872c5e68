/**
 * The in-process bus: endpoints opened on the same channel name of one `VirtualNetwork` see each
 * other's frames. Frames are immutable, so delivery shares the sender's object (zero copy).
 * Networks are plain instances: tests make their own; `defaultVirtualNetwork` serves callers that
 * do not care.
 */
import type { CanFrame } from '../frame.js';
import type { CommonBusOptions } from './bus.js';
import { BaseBus } from './base-bus.js';

export interface VirtualBusOptions extends CommonBusOptions {
  /** Deliver this endpoint's own sends to its own readers too (like a CAN controller in loopback). Default false. */
  readonly receiveOwn?: boolean;
}

export class VirtualNetwork {
  readonly #channels = new Map<string, Set<VirtualBus>>();

  /**
   * Opens a new endpoint on `channel`.
   * @throws {RangeError} on a bad queue limit or filter.
   */
  open(channel: string, options: VirtualBusOptions = {}): VirtualBus {
    let members = this.#channels.get(channel);
    if (!members) {
      members = new Set();
      this.#channels.set(channel, members);
    }
    const bus = new VirtualBus(channel, options, members, () => {
      members.delete(bus);
      if (members.size === 0 && this.#channels.get(channel) === members) this.#channels.delete(channel);
    });
    members.add(bus);
    return bus;
  }

  /** Number of open endpoints on a channel. */
  endpoints(channel: string): number {
    return this.#channels.get(channel)?.size ?? 0;
  }
}

/** The network `openBus({ kind: 'virtual' })` uses when no other is passed. */
export const defaultVirtualNetwork = new VirtualNetwork();

export class VirtualBus extends BaseBus {
  readonly channel: string;
  readonly #receiveOwn: boolean;
  readonly #members: ReadonlySet<VirtualBus>;
  readonly #leave: () => void;

  /** Use `VirtualNetwork.open`. */
  constructor(channel: string, options: VirtualBusOptions, members: ReadonlySet<VirtualBus>, leave: () => void) {
    super(`virtual:${channel}`, options);
    this.channel = channel;
    this.#receiveOwn = options.receiveOwn ?? false;
    this.#members = members;
    this.#leave = leave;
  }

  protected transmit(frame: CanFrame): void {
    for (const peer of this.#members) {
      if (peer !== this || this.#receiveOwn) peer.deliver(frame);
    }
  }

  protected release(): Promise<void> {
    this.#leave();
    return Promise.resolve();
  }
}
