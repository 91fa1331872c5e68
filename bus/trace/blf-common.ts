/**
 * Vector BLF layout shared by the reader and the writer.
 *
 *   file header (144 bytes): "LOGG", header size u32, application/version bytes, file size u64,
 *     uncompressed size u64, object count u32, objects read u32, start SYSTEMTIME, stop SYSTEMTIME
 *   objects: "LOBJ", header size u16, header version u16, object size u32, object type u32, then
 *     v1: flags u32 (1 = 10 us units, 2 = ns), client index u16, object version u16, timestamp u64
 *     v2: flags u32, timestamp status u8, reserved u8, object version u16, timestamp u64, original u64
 *   LOG_CONTAINER (10): compression u16 (0 none, 2 zlib), 6 reserved, uncompressed size u32, 4 reserved,
 *     then the (compressed) bytes of further objects, which may continue into the next container.
 *
 * All integers little-endian. SYSTEMTIME is 8 u16: year, month, weekday, day, hour, minute, second, ms,
 * in local time.
 */
export const FILE_HEADER_SIZE = 144;
export const OBJ_BASE_SIZE = 16;
export const OBJ_HEADER_V1_SIZE = 32;
export const CONTAINER_HEADER_SIZE = 32;

export const LOBJ = 0x4a424f4c; // "LOBJ" read as u32 LE
export const LOGG = 0x47474f4c; // "LOGG"

export const CAN_MESSAGE = 1;
export const LOG_CONTAINER = 10;
export const CAN_ERROR_EXT = 73;
export const CAN_MESSAGE2 = 86;
export const CAN_FD_MESSAGE = 100;
export const CAN_FD_MESSAGE_64 = 101;

export const TIME_TEN_MICS = 1;
export const TIME_ONE_NANS = 2;

export const ID_EXT_BIT = 0x80000000;

/** Epoch seconds of a SYSTEMTIME at `offset`, or 0 when it is zero or not a date (as python-can does). */
export function readSystemTime(buf: Buffer, offset: number): number {
  const year = buf.readUInt16LE(offset);
  const month = buf.readUInt16LE(offset + 2);
  const day = buf.readUInt16LE(offset + 6);
  const hour = buf.readUInt16LE(offset + 8);
  const minute = buf.readUInt16LE(offset + 10);
  const second = buf.readUInt16LE(offset + 12);
  const ms = buf.readUInt16LE(offset + 14);
  if (year < 1601 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 || ms > 999) return 0;
  return new Date(year, month - 1, day, hour, minute, second, ms).getTime() / 1000;
}

/** Writes epoch milliseconds as a local SYSTEMTIME; `undefined` writes zeros (no date). */
export function writeSystemTime(buf: Buffer, offset: number, epochMs: number | undefined): void {
  if (epochMs === undefined) {
    buf.fill(0, offset, offset + 16);
    return;
  }
  const d = new Date(epochMs);
  const fields = [d.getFullYear(), d.getMonth() + 1, d.getDay(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  fields.forEach((v, i) => buf.writeUInt16LE(v, offset + 2 * i));
}

/** Timestamps below this (1990-01-01) are not treated as dates; python-can uses the same cut. */
export const MIN_DATED_TIMESTAMP = 631152000;

/**
 * Limits that keep a hostile file's cost bounded by its own size, never by a size it claims.
 * Real writers fill containers of about 128 KiB (python-can 128 KiB, Vector up to a few MB); a
 * container declaring more uncompressed bytes than MAX_CONTAINER_BYTES is refused, and no container
 * inflates past what it declares.
 */
export const MAX_CONTAINER_BYTES = 16 << 20;
/** The compressed bytes of a container may exceed its data a little (zlib's worst case is ~0.03 %). */
export const MAX_CONTAINER_OBJECT = CONTAINER_HEADER_SIZE + MAX_CONTAINER_BYTES + (64 << 10);
/**
 * A frame object is at most a header and a CAN FD 64 body with its extension (under 300 bytes); one
 * claiming more is refused, which bounds what is carried from one container into the next.
 */
export const MAX_FRAME_OBJECT = 4096;
