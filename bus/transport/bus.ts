/**
 * The one contract every CAN transport meets, whatever carries the frames: an in-process virtual
 * network, a SocketCAN socket, a socketcand TCP session or UDP datagrams.
 *
 * Each call to `frames()` is its own reader with its own bounded queue, so a slow consumer only
 * loses its own frames (counted in `stats.dropped`) and never stalls the sender or other readers.
 */
import type { BusError } from '../errors.js';
import type { CanFrame } from '../frame.js';
import type { LinkStatus } from './link.js';

export interface BusStats {
  /** Frames this endpoint handed to its medium. */
  sent: number;
  /** Frames that arrived at this endpoint and passed its filters. */
  received: number;
  /** Frame deliveries discarded because a reader's queue was full (summed over readers). */
  dropped: number;
  /** Units the medium delivered that did not decode to a frame (malformed lines, datagrams); skipped. */
  malformed: number;
}

export interface Bus {
  /** `kind:where`, e.g. `virtual:can0`, `socketcand:10.0.0.2:29536/can0`. */
  readonly name: string;
  /**
   * Puts a frame on the medium.
   * @throws {BusClosedError} after `close()`.
   * @throws {BusOperationError} when the medium refuses the frame.
   */
  send(frame: CanFrame): Promise<void>;
  /**
   * A new reader: an async iterable of the frames arriving from now on. Registration happens at
   * the call, not at the first `next()`, so nothing sent in between is missed. The iteration ends
   * (without throwing) when the signal aborts or the bus closes.
   */
  frames(signal?: AbortSignal): AsyncIterable<CanFrame>;
  /** Releases the medium and ends every reader. Safe to call more than once. */
  close(): Promise<void>;
  readonly stats: Readonly<BusStats>;
  /** The connection to the medium: `up` from open to close for media without one. */
  readonly link: Readonly<LinkStatus>;
}

/**
 * Acceptance filter in SocketCAN/python-can style: a frame passes when `(frame.id & mask) === (id & mask)`
 * and, where `extended` is given, its id width matches. A bus with no filters passes everything;
 * with several, a frame passes when any one matches.
 */
export interface FrameFilter {
  readonly id: number;
  readonly mask: number;
  readonly extended?: boolean;
}

/** What a full reader queue gives up: the oldest queued frame (fresh data wins) or the arriving one. */
export type DropPolicy = 'drop-oldest' | 'drop-newest';

/** Options every backend accepts; they are implemented once, in `BaseBus`. */
export interface CommonBusOptions {
  /** Per-reader queue bound (frames). Default 10 000. */
  readonly queueLimit?: number;
  readonly dropPolicy?: DropPolicy;
  readonly filters?: readonly FrameFilter[];
  /**
   * Told about input the bus skipped (a malformed socketcand line, an undecodable datagram), as a
   * typed error naming the place. The bus keeps running either way; `stats.malformed` counts them.
   */
  readonly onError?: (error: BusError) => void;
}
