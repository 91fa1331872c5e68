/**
 * Frame construction for the readers' hot loops. Object spreads (`{ ...base, tx }`) cost several
 * microseconds per frame in V8 and give frames varying shapes; two fixed literals keep reading fast
 * and consumers monomorphic.
 */
import type { CanFrame } from '../frame.js';

export function frameOf(
  timestamp: number, channel: string, id: number, extended: boolean, fd: boolean, brs: boolean, esi: boolean,
  rtr: boolean, error: boolean, dlc: number, data: Uint8Array, tx: boolean | undefined,
): CanFrame {
  if (tx !== true) return { timestamp, channel, id, extended, fd, brs, esi, rtr, error, dlc, data };
  return { timestamp, channel, id, extended, fd, brs, esi, rtr, error, dlc, data, tx };
}
