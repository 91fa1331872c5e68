/**
 * Where a signal's bits sit in the payload, worked out once per signal.
 *
 * A layout is a list of byte pieces, most significant first for Motorola and least significant
 * first for Intel; each piece says "take `bits` bits of byte `byte` starting at bit `shift`, and they
 * are worth 2^`weight` in the raw value". Decoding is then one multiply-add per touched byte.
 *
 * ```
 *   Intel, startBit 4, length 12:     byte 0 [x x x x . . . .]  shift 4, 4 bits, weight 0
 *                                     byte 1 [x x x x x x x x]  shift 0, 8 bits, weight 4
 *   Motorola, startBit 4, length 12:  byte 0 [. . . M x x x x]  shift 0, 5 bits, weight 7
 *                                     byte 1 [x x x x x x x L]  shift 1, 7 bits, weight 0
 * ```
 */
import type { ByteOrder } from './model.js';

export interface BytePiece {
  readonly byte: number;
  readonly shift: number;
  readonly bits: number;
  readonly weight: number;
}

/**
 * The byte pieces of a signal. Bits past the end of any payload are still listed; callers check
 * `byte` against the data they have.
 */
export function bytePieces(startBit: number, length: number, byteOrder: ByteOrder): BytePiece[] {
  const pieces: BytePiece[] = [];
  let remaining = length;
  if (byteOrder === 'little_endian') {
    let pos = startBit;
    while (remaining > 0) {
      const shift = pos & 7;
      const bits = Math.min(remaining, 8 - shift);
      pieces.push({ byte: pos >> 3, shift, bits, weight: length - remaining });
      remaining -= bits;
      pos += bits;
    }
  } else {
    let byte = startBit >> 3;
    let top = startBit & 7; // highest bit still to take in this byte
    while (remaining > 0) {
      const bits = Math.min(remaining, top + 1);
      remaining -= bits;
      pieces.push({ byte, shift: top + 1 - bits, bits, weight: remaining });
      byte++;
      top = 7;
    }
  }
  return pieces;
}

/** Linear bit numbers (`byte * 8 + bit`) a signal occupies, for overlap and fit checks. */
export function occupiedBits(startBit: number, length: number, byteOrder: ByteOrder): number[] {
  const out: number[] = [];
  for (const p of bytePieces(startBit, length, byteOrder)) {
    for (let i = 0; i < p.bits; i++) out.push(p.byte * 8 + p.shift + i);
  }
  return out;
}

/** Bytes a payload must have for the signal to be read in full. */
export function bytesNeeded(startBit: number, length: number, byteOrder: ByteOrder): number {
  const pieces = bytePieces(startBit, length, byteOrder);
  let max = 0;
  for (const p of pieces) max = Math.max(max, p.byte + 1);
  return max;
}
