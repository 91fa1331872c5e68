/**
 * Errors of the J1939 layer: options that cannot work, and (in strict mode) a transport session
 * dropped, naming why, when, on which channel and between which addresses.
 */
import { BusError } from '../errors.js';
import type { TpDrop } from './transport-types.js';

export class J1939TransportError extends BusError {
  /** The dropped session; undefined for an options error. */
  readonly drop: TpDrop | undefined;
  constructor(detail: string, drop?: TpDrop) {
    super('J1939_TRANSPORT', `J1939 transport: ${detail}`);
    this.drop = drop;
  }
}

/** One line for a drop: time, channel, addresses, PGN and the reason. */
export function describeDrop(drop: TpDrop): string {
  const pgn = drop.pgn === undefined ? '' : ` PGN 0x${drop.pgn.toString(16).toUpperCase().padStart(4, '0')}`;
  const hex = (x: number): string => `0x${x.toString(16).toUpperCase().padStart(2, '0')}`;
  return `t=${drop.timestamp} ${drop.channel} ${hex(drop.sourceAddress)}->${hex(drop.destinationAddress)}${pgn}: ${drop.reason} (${drop.detail})`;
}
