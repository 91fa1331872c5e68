/**
 * The frames of the J1939-21 transport protocol: connection management (TP.CM, PGN 0xEC00) and data
 * transfer (TP.DT, PGN 0xEB00). Both are PDU1: the PS byte of the id is the destination address.
 *
 * TP.CM, 8 bytes, the PGN being carried in bytes 5..7 (little-endian) of every kind:
 * ```
 *   RTS   16 | size lo | size hi | packets | max packets per CTS (0xFF: no limit) | PGN
 *   CTS   17 | packets allowed (0: hold) | next packet number | 0xFF 0xFF         | PGN
 *   EOMA  19 | size lo | size hi | packets | 0xFF                                  | PGN
 *   BAM   32 | size lo | size hi | packets | 0xFF                                  | PGN
 *   Abort 255 | reason | 0xFF 0xFF 0xFF                                            | PGN
 * ```
 * TP.DT: sequence number 1..255, then 7 payload bytes (the last packet padded with 0xFF).
 */

export const PGN_TP_CM = 0xec00;
export const PGN_TP_DT = 0xeb00;
/** J1939-21's bounds on a transported message: more than one frame, at most 255 packets of 7. */
export const MIN_TP_BYTES = 9;
export const MAX_TP_BYTES = 1785;
export const TP_BYTES_PER_PACKET = 7;

export type ControlMessage =
  | { readonly kind: 'rts'; readonly size: number; readonly packets: number; readonly maxPerCts: number; readonly pgn: number }
  | { readonly kind: 'cts'; readonly allowed: number; readonly next: number; readonly pgn: number }
  | { readonly kind: 'eoma'; readonly size: number; readonly packets: number; readonly pgn: number }
  | { readonly kind: 'bam'; readonly size: number; readonly packets: number; readonly pgn: number }
  | { readonly kind: 'abort'; readonly reason: number; readonly pgn: number }
  | { readonly kind: 'unknown'; readonly control: number; readonly pgn: number };

/** Why an Abort was sent (J1939-21 table), for messages. Unlisted codes print as numbers. */
export const ABORT_REASONS: Readonly<Record<number, string>> = {
  1: 'already in one or more connection-managed sessions',
  2: 'system resources were needed for another task',
  3: 'a timeout occurred',
  4: 'CTS received while a data transfer was in progress',
  5: 'maximum retransmit request limit reached',
  6: 'unexpected data transfer packet',
  7: 'bad sequence number',
  8: 'duplicate sequence number',
  9: 'total message size is greater than 1785 bytes',
};

/**
 * Reads a TP.CM payload; undefined when it is shorter than the 8 bytes every TP.CM has.
 * @throws {never}
 */
export function parseControl(data: Uint8Array): ControlMessage | undefined {
  if (data.length < 8) return undefined;
  const d = data;
  const pgn = (d[5] as number) | ((d[6] as number) << 8) | (((d[7] as number) & 0x03) << 16);
  const size = (d[1] as number) | ((d[2] as number) << 8);
  switch (d[0]) {
    case 16:
      return { kind: 'rts', size, packets: d[3] as number, maxPerCts: d[4] as number, pgn };
    case 17:
      return { kind: 'cts', allowed: d[1] as number, next: d[2] as number, pgn };
    case 19:
      return { kind: 'eoma', size, packets: d[3] as number, pgn };
    case 32:
      return { kind: 'bam', size, packets: d[3] as number, pgn };
    case 255:
      return { kind: 'abort', reason: d[1] as number, pgn };
    default:
      return { kind: 'unknown', control: d[0] as number, pgn };
  }
}

/** Packets needed for `size` bytes. */
export function packetsFor(size: number): number {
  return Math.ceil(size / TP_BYTES_PER_PACKET);
}
