/**
 * What the J1939 transport reassembler gives out: whole messages, and the sessions it dropped.
 */

export type TpMode = 'bam' | 'rts-cts';

/** A multi-frame parameter group put back together. */
export interface TpMessage {
  /** Time of the frame that completed it. */
  readonly timestamp: number;
  /** Time of the announcing TP.CM (BAM or RTS). */
  readonly startedAt: number;
  readonly channel: string;
  readonly mode: TpMode;
  readonly pgn: number;
  /** Priority of the announcing TP.CM frame. */
  readonly priority: number;
  readonly sourceAddress: number;
  /** The global address (0xFF) for a BAM. */
  readonly destinationAddress: number;
  /** Exactly the announced size (the last packet's padding removed). */
  readonly data: Uint8Array;
}

export type TpDropReason =
  /** No frame of the session came within its J1939-21 time limit (T1..T4). */
  | 'timeout'
  /** A TP.DT whose sequence number skips ahead of the next expected one. */
  | 'out-of-order'
  /** A TP.DT repeating a sequence number already received. */
  | 'duplicate'
  /** A TP.DT numbered past the announced packet count. */
  | 'too-long'
  /** A TP.DT outside what the last CTS allowed, or a CTS/EOMA at the wrong moment. */
  | 'protocol'
  /** A BAM or RTS with a size outside 9..limit, a packet count that does not match it, or a wrong destination. */
  | 'bad-announce'
  /** A TP.CM shorter than 8 bytes or a TP.DT too short to carry its part. */
  | 'short-frame'
  /** Either side sent TP.CM Abort. */
  | 'aborted'
  /** A new BAM or RTS for the same addresses while the session was open. */
  | 'replaced'
  /** A new session while the limit of open sessions was reached. */
  | 'session-limit'
  /** A TP.DT for which no session is open. */
  | 'no-session'
  /** Still open when the input ended. */
  | 'unfinished';

export const TP_DROP_REASONS: readonly TpDropReason[] = [
  'timeout', 'out-of-order', 'duplicate', 'too-long', 'protocol', 'bad-announce', 'short-frame', 'aborted', 'replaced',
  'session-limit', 'no-session', 'unfinished',
];

export interface TpDrop {
  readonly reason: TpDropReason;
  readonly timestamp: number;
  readonly channel: string;
  /** The originator of the session (the sender of the data). */
  readonly sourceAddress: number;
  readonly destinationAddress: number;
  /** Undefined when the frame carried none (a TP.DT without a session). */
  readonly pgn: number | undefined;
  readonly detail: string;
}

/** J1939-21 time limits, in seconds. */
export interface TpTimeouts {
  /** Between two TP.DT of a session (receiver's T1): 0.75. */
  readonly t1: number;
  /** From a CTS to the first TP.DT it allows (T2): 1.25. */
  readonly t2: number;
  /** From an RTS or the last TP.DT of a window to the next CTS or the EOMA (T3): 1.25. */
  readonly t3: number;
  /** From a CTS that holds the connection (0 packets) to the next CTS (T4): 1.05. */
  readonly t4: number;
}

export const J1939_TIMEOUTS: TpTimeouts = Object.freeze({ t1: 0.75, t2: 1.25, t3: 1.25, t4: 1.05 });
