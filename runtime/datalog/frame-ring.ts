/**
 * The pre-trigger ring: the raw frames of the last `windowS` seconds, bounded also by bytes, so a
 * flooded bus (a babbling node, an FD burst) costs memory proportional to the bound, never to the
 * flood. Oldest frames go first; pushing and evicting are O(1) amortised (a growable circular array).
 */
import type { CanFrame } from '../../bus/frame.js';

/** One kept frame and the clock time it was received at (the engine's time base). */
export interface RingEntry {
  readonly t: number;
  readonly frame: CanFrame;
  /** What the frame counts against the byte bound (see `frameCost`). */
  readonly cost: number;
}

export interface FrameRingOptions {
  /** Seconds kept behind the newest frame. */
  readonly windowS: number;
  /** Bytes kept at most (by `frameCost`). */
  readonly maxBytes: number;
}

export interface FrameRingStats {
  pushed: number;
  /** Frames evicted because they were older than the window. */
  expired: number;
  /** Frames evicted to keep the byte bound. */
  evicted: number;
  /** Frames refused because one alone exceeds the byte bound. */
  oversized: number;
}

/**
 * Bytes a frame counts for: its payload plus what a snippet spends around it (time, id, flags,
 * channel name and protobuf framing), so the bound is close to the encoded snippet size.
 */
export function frameCost(frame: CanFrame): number {
  return frame.data.length + frame.channel.length + 24;
}

export class FrameRing {
  readonly stats: FrameRingStats = { pushed: 0, expired: 0, evicted: 0, oversized: 0 };
  readonly windowS: number;
  readonly maxBytes: number;
  #buf: (RingEntry | undefined)[] = new Array<RingEntry | undefined>(64);
  #head = 0;
  #size = 0;
  #bytes = 0;

  /** @throws {RangeError} for a negative or non-finite window or a non-positive byte bound */
  constructor(opts: FrameRingOptions) {
    if (!(opts.windowS >= 0) || !Number.isFinite(opts.windowS)) throw new RangeError(`frame ring: window ${opts.windowS} s is not a finite number >= 0`);
    if (!(opts.maxBytes > 0)) throw new RangeError(`frame ring: max bytes ${opts.maxBytes} is not positive`);
    this.windowS = opts.windowS;
    this.maxBytes = opts.maxBytes;
  }

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Keeps a frame received at `t`. Times should not decrease; a frame older than the newest is kept
   * in arrival order all the same (the bus said so), and only ages out with the window.
   * @returns the kept entry, or undefined when the frame alone exceeds the byte bound
   */
  push(frame: CanFrame, t: number): RingEntry | undefined {
    this.stats.pushed++;
    const cost = frameCost(frame);
    if (cost > this.maxBytes) {
      this.stats.oversized++;
      return undefined;
    }
    // Age first, so only frames still inside the window are counted as evicted for bytes.
    this.expire(t);
    if (this.#size === this.#buf.length) this.#grow();
    const entry: RingEntry = { t, frame, cost };
    this.#buf[(this.#head + this.#size) % this.#buf.length] = entry;
    this.#size++;
    this.#bytes += cost;
    while (this.#bytes > this.maxBytes) {
      this.#shift();
      this.stats.evicted++;
    }
    return entry;
  }

  /** Drops the frames older than `now - windowS`. */
  expire(now: number): void {
    const oldest = now - this.windowS;
    for (let e = this.#peek(); e !== undefined && e.t < oldest; e = this.#peek()) {
      this.#shift();
      this.stats.expired++;
    }
  }

  /** The kept frames with `from <= t <= to`, oldest first. */
  between(from: number, to: number): RingEntry[] {
    const out: RingEntry[] = [];
    for (let i = 0; i < this.#size; i++) {
      const e = this.#buf[(this.#head + i) % this.#buf.length] as RingEntry;
      if (e.t >= from && e.t <= to) out.push(e);
    }
    return out;
  }

  #peek(): RingEntry | undefined {
    return this.#size > 0 ? this.#buf[this.#head] : undefined;
  }

  #shift(): void {
    const e = this.#buf[this.#head] as RingEntry;
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#size--;
    this.#bytes -= e.cost;
  }

  #grow(): void {
    const next = new Array<RingEntry | undefined>(this.#buf.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#buf[(this.#head + i) % this.#buf.length];
    this.#buf = next;
    this.#head = 0;
  }
}
