/**
 * The SAE J1939 view of a 29-bit CAN identifier (J1939-21): priority (3 bits), extended data page,
 * data page, PDU format (PF), PDU specific (PS) and source address (SA).
 *
 * ```
 *   bits 28..26  25   24   23..16  15..8  7..0
 *        prio    EDP  DP   PF      PS     SA
 * ```
 *
 * PF < 240 is PDU1: PS is the destination address and no part of the parameter group number (PGN).
 * PF >= 240 is PDU2: a broadcast, PS is the group extension and part of the PGN.
 */

/** The address every node listens to; a PDU2 frame goes to it implicitly. */
export const GLOBAL_ADDRESS = 0xff;
/** The first PDU format value of PDU2 (broadcast) groups. */
export const PDU2_FIRST_PF = 240;
/** The largest PGN: EDP, DP, PF and PS all set (18 bits). */
export const MAX_PGN = 0x3ffff;

export interface J1939Id {
  readonly priority: number;
  /** Parameter group number: EDP, DP, PF, and PS for PDU2 (0 in the PS byte for PDU1). */
  readonly pgn: number;
  readonly sourceAddress: number;
  /** PS for PDU1; the global address for PDU2. */
  readonly destinationAddress: number;
  /** True for PDU1 (PF < 240), whose PS names a destination. */
  readonly pdu1: boolean;
}

/**
 * The PGN an identifier carries: PS is masked for PDU1 (a destination address), kept for PDU2.
 * Plain arithmetic, no allocation: the DBC lookup calls it per frame.
 */
export function pgnOfId(id: number): number {
  const pgn = (id >>> 8) & MAX_PGN;
  return ((pgn >>> 8) & 0xff) < PDU2_FIRST_PF ? pgn & 0x3ff00 : pgn;
}

/** True when a PGN is of the PDU1 kind (its PF below 240), so its frames name a destination. */
export function isPdu1Pgn(pgn: number): boolean {
  return ((pgn >>> 8) & 0xff) < PDU2_FIRST_PF;
}

/** Splits a 29-bit identifier into its J1939 fields. */
export function parseJ1939Id(id: number): J1939Id {
  const pdu1 = ((id >>> 16) & 0xff) < PDU2_FIRST_PF;
  return {
    priority: (id >>> 26) & 0x7,
    pgn: pgnOfId(id),
    sourceAddress: id & 0xff,
    destinationAddress: pdu1 ? (id >>> 8) & 0xff : GLOBAL_ADDRESS,
    pdu1,
  };
}

export interface J1939IdFields {
  readonly priority: number;
  readonly pgn: number;
  readonly sourceAddress: number;
  /** Only used for a PDU1 PGN; defaults to the global address. */
  readonly destinationAddress?: number;
}

/**
 * Builds the 29-bit identifier of a frame carrying `pgn`.
 * @throws {RangeError} when a field does not fit its bits, or a PDU2 PGN is given a destination
 *   other than the global address (PDU2 has no room for one)
 */
export function makeJ1939Id(fields: J1939IdFields): number {
  const { priority, pgn, sourceAddress } = fields;
  const da = fields.destinationAddress ?? GLOBAL_ADDRESS;
  if (!Number.isInteger(priority) || priority < 0 || priority > 7) throw new RangeError(`J1939 priority ${priority} is not 0 to 7`);
  if (!Number.isInteger(pgn) || pgn < 0 || pgn > MAX_PGN) throw new RangeError(`PGN ${pgn} is not 0 to 0x${MAX_PGN.toString(16)}`);
  if (!isByte(sourceAddress)) throw new RangeError(`J1939 source address ${sourceAddress} is not 0 to 255`);
  if (!isByte(da)) throw new RangeError(`J1939 destination address ${da} is not 0 to 255`);
  if (isPdu1Pgn(pgn)) return ((priority << 26) | ((pgn & 0x3ff00) << 8) | (da << 8) | sourceAddress) >>> 0;
  if (da !== GLOBAL_ADDRESS) throw new RangeError(`PGN 0x${pgn.toString(16)} is PDU2 (broadcast): it cannot name destination ${da}`);
  return ((priority << 26) | (pgn << 8) | sourceAddress) >>> 0;
}

function isByte(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xff;
}
