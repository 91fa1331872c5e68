/**
 * The frames of a J1939-21 transport session for a message, as they would appear on the bus: a
 * BAM with its TP.DT, or an RTS/CTS exchange (both sides) ending with the end-of-message ack.
 * Used to play J1939 devices in simulations, tests and benchmarks.
 */
import { makeFrame, type CanFrame } from '../frame.js';
import { GLOBAL_ADDRESS, makeJ1939Id } from './id.js';
import { MAX_TP_BYTES, MIN_TP_BYTES, PGN_TP_CM, PGN_TP_DT, TP_BYTES_PER_PACKET, packetsFor } from './tp-frames.js';

export interface TpSessionSpec {
  readonly pgn: number;
  readonly sourceAddress: number;
  /** The receiver of an RTS/CTS session; omitted (or 0xFF) for a BAM. */
  readonly destinationAddress?: number;
  readonly data: Uint8Array;
  readonly channel?: string;
  /** Time of the first frame, seconds. */
  readonly start?: number;
  /** Seconds between consecutive frames (default 0.05, the BAM minimum). */
  readonly gap?: number;
  /** Priority of the TP.CM and TP.DT frames (default 7). */
  readonly priority?: number;
  /** RTS/CTS only: packets the receiver allows per CTS (default 16). */
  readonly packetsPerCts?: number;
}

function cmPayload(control: number, b1: number, b2: number, b3: number, b4: number, pgn: number): number[] {
  return [control, b1, b2, b3, b4, pgn & 0xff, (pgn >>> 8) & 0xff, (pgn >>> 16) & 0xff];
}

/**
 * All frames of the session, in bus order.
 * @throws {RangeError} when the data is not 9..1785 bytes or an address or the PGN does not fit
 */
export function tpSessionFrames(spec: TpSessionSpec): CanFrame[] {
  const size = spec.data.length;
  if (size < MIN_TP_BYTES || size > MAX_TP_BYTES) throw new RangeError(`a transported message has ${MIN_TP_BYTES} to ${MAX_TP_BYTES} bytes, not ${size}`);
  const da = spec.destinationAddress ?? GLOBAL_ADDRESS;
  const sa = spec.sourceAddress;
  const priority = spec.priority ?? 7;
  const gap = spec.gap ?? 0.05;
  const channel = spec.channel ?? 'can0';
  const packets = packetsFor(size);
  const frames: CanFrame[] = [];
  let t = spec.start ?? 0;
  const push = (pgn: number, from: number, to: number, data: number[]): void => {
    frames.push(makeFrame({ timestamp: t, channel, id: makeJ1939Id({ priority, pgn, sourceAddress: from, destinationAddress: to }), extended: true, data }));
    t += gap;
  };
  const dt = (seq: number): void => {
    const part = Array.from({ length: TP_BYTES_PER_PACKET }, (_, i) => spec.data[(seq - 1) * TP_BYTES_PER_PACKET + i] ?? 0xff);
    push(PGN_TP_DT, sa, da, [seq, ...part]);
  };
  if (da === GLOBAL_ADDRESS) {
    push(PGN_TP_CM, sa, da, cmPayload(32, size & 0xff, size >>> 8, packets, 0xff, spec.pgn));
    for (let seq = 1; seq <= packets; seq++) dt(seq);
    return frames;
  }
  const perCts = spec.packetsPerCts ?? 16;
  push(PGN_TP_CM, sa, da, cmPayload(16, size & 0xff, size >>> 8, packets, 0xff, spec.pgn));
  for (let next = 1; next <= packets; next += perCts) {
    const allowed = Math.min(perCts, packets - next + 1);
    push(PGN_TP_CM, da, sa, cmPayload(17, allowed, next, 0xff, 0xff, spec.pgn));
    for (let seq = next; seq < next + allowed; seq++) dt(seq);
  }
  push(PGN_TP_CM, da, sa, cmPayload(19, size & 0xff, size >>> 8, packets, 0xff, spec.pgn));
  return frames;
}
