/**
 * Session IDs and the reboot flag of SOME/IP-SD, both ways.
 *
 * Sending: each channel (multicast, and unicast per peer) counts its own session ID from 1,
 * skipping 0 on wrap; the reboot flag stays set until that counter has wrapped once.
 *
 * Receiving: a peer rebooted when, on the same channel, its reboot flag goes from 0 to 1, or stays
 * 1 while the session ID does not increase. A flag going 1 to 0 is the normal wrap.
 */

export interface SdSessionState {
  readonly sessionId: number;
  readonly reboot: boolean;
}

/** Outgoing session counters, one per channel key ("multicast" or a peer address). */
export class SdSessionCounter {
  readonly #channels = new Map<string, { next: number; wrapped: boolean }>();
  readonly #max: number;

  constructor(maxChannels = 1024) {
    this.#max = maxChannels;
  }

  /** The session ID and reboot flag for the next message on `channel`. */
  next(channel: string): SdSessionState {
    let c = this.#channels.get(channel);
    if (c) {
      // Most recently used last, so the eviction below drops the peer talked to least recently.
      this.#channels.delete(channel);
    } else {
      c = { next: 1, wrapped: false };
      if (this.#channels.size >= this.#max) {
        // A forgotten unicast channel restarts at 1 with reboot set, which that peer would take for a
        // reboot of ours; only a flood of distinct peers gets here, and then the stalest one pays.
        for (const k of this.#channels.keys()) {
          if (k === 'multicast') continue;
          this.#channels.delete(k);
          break;
        }
      }
    }
    this.#channels.set(channel, c);
    const out = { sessionId: c.next, reboot: !c.wrapped };
    if (c.next === 0xffff) {
      c.next = 1;
      c.wrapped = true;
    } else c.next++;
    return out;
  }
}

/** Incoming state per peer and channel; detects reboots. Bounded: least recently heard peers go first. */
export class SdRebootDetector {
  readonly #peers = new Map<string, SdSessionState>();
  readonly #max: number;

  constructor(maxPeers = 256) {
    this.#max = maxPeers;
  }

  /**
   * Records a message from `peer` on `channel` and says whether it shows the peer rebooted.
   * The first message ever seen from a peer is not a reboot (there is nothing to compare).
   */
  observe(peer: string, channel: 'multicast' | 'unicast', s: SdSessionState): boolean {
    const key = `${peer}|${channel}`;
    const prev = this.#peers.get(key);
    this.#peers.delete(key);
    this.#peers.set(key, s);
    if (this.#peers.size > this.#max) this.#peers.delete(this.#peers.keys().next().value as string);
    if (!prev) return false;
    const rebooted = (!prev.reboot && s.reboot) || (prev.reboot && s.reboot && s.sessionId <= prev.sessionId);
    // The other channel restarted too; without this its next message would report the same reboot again.
    if (rebooted) this.#peers.delete(`${peer}|${channel === 'multicast' ? 'unicast' : 'multicast'}`);
    return rebooted;
  }

  get size(): number {
    return this.#peers.size;
  }
}
