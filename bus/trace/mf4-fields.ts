/**
 * Reading one channel's value out of a record: unsigned integers of up to 53 bits at any bit position
 * (little or big endian, MDF data types 0 and 1) and IEEE floats (types 4 and 5), the encodings bus
 * logging uses for its fields and its time channel. A layout is checked once against the record size,
 * so decoding a record never reads outside it.
 */
import { Mf4Error } from './mf4-block.js';

export const UINT_LE = 0;
export const UINT_BE = 1;
export const FLOAT_LE = 4;
export const FLOAT_BE = 5;

export interface FieldLayout {
  readonly name: string;
  readonly byteOffset: number;
  readonly bitOffset: number;
  readonly bitCount: number;
  readonly dataType: number;
}

/** Bytes the field spans from its byte offset. */
export function fieldSpan(f: FieldLayout): number {
  return Math.ceil((f.bitOffset + f.bitCount) / 8);
}

/** @throws {Mf4Error} at `at` (the channel block) for an encoding or size the reader does not take, or a field outside the record. */
export function checkField(f: FieldLayout, recordBytes: number, at: number): void {
  const isFloat = f.dataType === FLOAT_LE || f.dataType === FLOAT_BE;
  if (!isFloat && f.dataType !== UINT_LE && f.dataType !== UINT_BE) throw new Mf4Error(at, `channel ${f.name}: data type ${f.dataType} is not read (unsigned integers and floats only)`);
  if (isFloat && (f.bitOffset !== 0 || (f.bitCount !== 32 && f.bitCount !== 64))) throw new Mf4Error(at, `channel ${f.name}: a float of ${f.bitCount} bits at bit ${f.bitOffset}`);
  if (!isFloat && (f.bitCount < 1 || f.bitCount > 64)) throw new Mf4Error(at, `channel ${f.name}: ${f.bitCount} bits is not an integer size`);
  if (f.byteOffset + fieldSpan(f) > recordBytes) throw new Mf4Error(at, `channel ${f.name} (bytes ${f.byteOffset}..${f.byteOffset + fieldSpan(f) - 1}) lies outside its ${recordBytes}-byte record`);
}

/** The field's value in the record starting at `rec` (after its record id). Integers beyond 2^53 lose their low bits. */
export function readField(f: FieldLayout, buf: Buffer, rec: number): number {
  const at = rec + f.byteOffset;
  if (f.dataType === FLOAT_LE) return f.bitCount === 64 ? buf.readDoubleLE(at) : buf.readFloatLE(at);
  if (f.dataType === FLOAT_BE) return f.bitCount === 64 ? buf.readDoubleBE(at) : buf.readFloatBE(at);
  const span = fieldSpan(f);
  let v = 0;
  if (f.dataType === UINT_LE) {
    for (let i = span - 1; i >= 0; i--) v = v * 256 + (buf[at + i] as number);
  } else {
    for (let i = 0; i < span; i++) v = v * 256 + (buf[at + i] as number);
  }
  if (f.bitOffset === 0 && f.bitCount === span * 8) return v;
  return Math.floor(v / 2 ** f.bitOffset) % 2 ** f.bitCount;
}

/** A reader for one field, specialised once per layout: the common little-endian fields of up to 32 bits read in one call. */
export function fieldReader(f: FieldLayout): (buf: Buffer, rec: number) => number {
  const span = fieldSpan(f);
  const { byteOffset, bitOffset, bitCount } = f;
  if (f.dataType === UINT_LE && bitOffset + bitCount <= 32 && span <= 4) {
    if (bitOffset === 0 && bitCount === span * 8) return (buf, rec) => buf.readUIntLE(rec + byteOffset, span);
    const mask = bitCount === 32 ? 0xffffffff : 2 ** bitCount - 1;
    if (span === 1) return (buf, rec) => ((buf[rec + byteOffset] as number) >>> bitOffset) & mask;
    if (span === 4) return (buf, rec) => ((buf.readUInt32LE(rec + byteOffset) >>> bitOffset) & mask) >>> 0;
    return (buf, rec) => ((buf.readUIntLE(rec + byteOffset, span) >>> bitOffset) & mask) >>> 0;
  }
  if (f.dataType === FLOAT_LE && bitCount === 64) return (buf, rec) => buf.readDoubleLE(rec + byteOffset);
  return (buf, rec) => readField(f, buf, rec);
}
