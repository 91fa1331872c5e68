/**
 * The state of a bus's connection to its medium. Media without a connection (virtual, SocketCAN,
 * UDP) are `up` from open to close; a socketcand session can be lost and comes back on its own, so
 * its owner needs to see `connecting` (never up yet), `down` (lost, being retried) and how often
 * it came back.
 */
import type { BackoffOptions } from './backoff.js';

export type LinkState = 'up' | 'connecting' | 'down' | 'closed';

export interface LinkStatus {
  readonly state: LinkState;
  /** Times the link came back after being lost. */
  readonly reconnects: number;
  /** Failed connection attempts since the link was last up (or since open). */
  readonly attempts: number;
  /** Why the last attempt failed, or why the link was lost. */
  readonly lastError?: string;
  /** Clock time (s) the link stopped being up, or open time while it never was; only while not up. */
  readonly downSince?: number;
}

/** Time for reconnects, in seconds: the runtime's `Clock` fits (the bus layer does not import it). */
export interface LinkClock {
  now(): number;
  /** Resolves once `now() >= t`; rejects when the signal aborts. */
  sleepUntil(t: number, signal?: AbortSignal): Promise<void>;
}

/** Options of a transport whose link can be lost and re-established. */
export interface ReconnectOptions {
  /** Re-establish a lost link with backoff, keeping the readers. Default true; false closes the bus on loss. */
  readonly reconnect?: boolean;
  /** Delays between attempts. Default 50 ms doubling up to 1000 ms, half of each random. */
  readonly backoff?: BackoffOptions;
  /** Random source of the backoff's jitter, in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /**
   * Whether `open()` needs the medium now. Default true: it throws `BusInitError` when the first
   * attempt fails. false: it resolves at once with the link `connecting` and keeps trying.
   */
  readonly requireAtOpen?: boolean;
  /** Default: monotonic wall time. */
  readonly clock?: LinkClock;
  /** Told on each change of state and each failed attempt. */
  readonly onLinkChange?: (status: LinkStatus) => void;
}

export const DEFAULT_RECONNECT_BACKOFF: BackoffOptions = { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0.5 };

/** Monotonic wall time in seconds, with timer sleeps. */
export const wallLinkClock: LinkClock = {
  now: () => performance.now() / 1000,
  sleepUntil: (t, signal) =>
    new Promise<void>((resolve, reject) => {
      signal?.throwIfAborted();
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, (t - performance.now() / 1000) * 1000),
      );
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The status of a medium without a connection. */
export function connectionlessLink(closed: boolean): LinkStatus {
  return { state: closed ? 'closed' : 'up', reconnects: 0, attempts: 0 };
}
