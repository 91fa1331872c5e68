/**
 * Decoding the objects inside a BLF container's (uncompressed) bytes into frames. Frames come from
 * CAN_MESSAGE (1), CAN_MESSAGE2 (86), CAN_FD_MESSAGE (100), CAN_FD_MESSAGE_64 (101) and CAN_ERROR_EXT
 * (73); other objects are passed over by their declared size, never buffered.
 *
 * Where files disagree with themselves, the reading follows what the bus can carry:
 * - an FD object whose EDL flag is set is an FD frame even if its remote bit is set (CAN FD has no
 *   remote frames);
 * - a CAN_FD_MESSAGE_64 never takes data beyond its own object, even when its valid-bytes field claims
 *   more (python-can 4.1 reads into the next object's header there, issue 1905);
 * - a standard-flagged id above 0x7ff is read as a 29-bit id.
 */
import type { CanFrame } from '../frame.js';
import {
  CAN_ERROR_EXT, CAN_FD_MESSAGE, CAN_FD_MESSAGE_64, CAN_MESSAGE, CAN_MESSAGE2, ID_EXT_BIT, LOBJ, MAX_FRAME_OBJECT, OBJ_BASE_SIZE,
  TIME_TEN_MICS,
} from './blf-common.js';
import { NO_DATA } from './byte-slab.js';
import { channelFromNumber } from './channel.js';
import { frameOf } from './frame-of.js';

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
/** By byte count 0..64: the DLC code of the longest CAN FD length that fits it (valid lengths map to their own code). */
const FD_DLC_WITHIN: readonly number[] = Array.from({ length: 65 }, (_, n) => FD_LENGTHS.filter((l) => l <= n).length - 1);

/** Thrown by the decoder; carries the file offset it is about. */
export class BlfError extends Error {
  constructor(readonly offset: number, detail: string) {
    super(detail);
  }
}

export function isFrameObject(type: number): boolean {
  return type === CAN_MESSAGE || type === CAN_MESSAGE2 || type === CAN_FD_MESSAGE || type === CAN_FD_MESSAGE_64 || type === CAN_ERROR_EXT;
}

/**
 * Little-endian integers at `p`, which callers have checked lie inside `d`: plain indexing, where
 * `Buffer.readUInt32LE` validates its argument on every call, a cost per field of every frame.
 */
function u16(d: Buffer, p: number): number {
  return (d[p] as number) | ((d[p + 1] as number) << 8);
}
function u32(d: Buffer, p: number): number {
  return ((d[p] as number) | ((d[p + 1] as number) << 8) | ((d[p + 2] as number) << 16)) + (d[p + 3] as number) * 0x1000000;
}

/**
 * A frame's payload as a view into the container bytes: every buffer decoded here is freshly read or
 * inflated and never written again, so the view stays valid (and saves a copy and an allocation per frame).
 */
function payload(d: Buffer, at: number, n: number, keep: boolean): Uint8Array {
  return n === 0 || !keep ? NO_DATA : new Uint8Array(d.buffer, d.byteOffset + at, n);
}

/**
 * Decodes the objects of `data` from `from`, pushing frames to `out`, while objects start before
 * `stopAt` and `out` holds fewer than `limit` frames. Returns where it stopped:
 * - at or before the end: the next object to decode, or an object cut at the end (a frame object of at
 *   most MAX_FRAME_OBJECT bytes, or less than a header), which continues in the next container;
 * - beyond the end: a non-frame object continues past the end, and the bytes up to there are to be skipped.
 * `payloads` false gives the frames empty data (see `TraceReadOptions.payloads`).
 * @throws {BlfError} on a missing signature or an impossible size, at `baseOffset` (the container's).
 */
export function decodeBlfObjects(
  data: Buffer, from: number, stopAt: number, start: number, out: CanFrame[], limit: number, baseOffset: number, payloads = true,
): number {
  let pos = from;
  const end = data.length;
  while (pos < stopAt && pos + OBJ_BASE_SIZE <= end && out.length < limit) {
    // Objects are 4-byte aligned inside containers by some writers: look a few bytes ahead.
    let sig = pos;
    while (sig < pos + 8 && sig + 4 <= end && u32(data, sig) !== LOBJ) sig++;
    if (sig + OBJ_BASE_SIZE > end) return pos;
    if (u32(data, sig) !== LOBJ) throw new BlfError(baseOffset, `no object signature ${pos} bytes into the container data`);
    pos = sig;
    const headerSize = u16(data, pos + 4);
    const size = u32(data, pos + 8);
    const type = u32(data, pos + 12);
    if (size < headerSize || headerSize < OBJ_BASE_SIZE) throw new BlfError(baseOffset, `object of impossible size ${size} (header ${headerSize}) ${pos} bytes into the container data`);
    const next = pos + size;
    if (!isFrameObject(type)) {
      pos = next;
      continue;
    }
    if (size > MAX_FRAME_OBJECT) throw new BlfError(baseOffset, `frame object of type ${type} claims ${size} bytes, more than the ${MAX_FRAME_OBJECT} a frame object may have, ${pos} bytes into the container data`);
    if (next > end) return pos;
    if (headerSize < 32) throw new BlfError(baseOffset, `object header of ${headerSize} bytes is too short`);
    const flags = u32(data, pos + 16);
    const raw = u32(data, pos + 24) + u32(data, pos + 28) * 4294967296;
    const timestamp = start + raw * (flags === TIME_TEN_MICS ? 1e-5 : 1e-9);
    const frame = decodeFrame(data, type, pos + headerSize, next, timestamp, baseOffset, payloads);
    if (frame) out.push(frame);
    pos = next;
  }
  return pos;
}

function decodeFrame(d: Buffer, type: number, p: number, end: number, timestamp: number, baseOffset: number, payloads: boolean): CanFrame | null {
  const need = type === CAN_FD_MESSAGE_64 ? 40 : type === CAN_FD_MESSAGE ? 20 : type === CAN_ERROR_EXT ? 24 : 8;
  if (p + need > end) throw new BlfError(baseOffset, `object type ${type} too short for its fields`);
  if (type === CAN_MESSAGE || type === CAN_MESSAGE2) {
    const channel = channelFromNumber(Math.max(1, u16(d, p)));
    const flags = d[p + 2] as number;
    const dlc = Math.min(d[p + 3] as number, 15);
    const rawId = u32(d, p + 4);
    const id = rawId & 0x1fffffff;
    const extended = (rawId & ID_EXT_BIT) !== 0 || id > 0x7ff;
    const rtr = (flags & 0x80) !== 0;
    const n = rtr ? 0 : Math.min(dlc, 8, Math.max(0, end - (p + 8)));
    const data = payload(d, p + 8, n, payloads);
    return frameOf(timestamp, channel, id, extended, false, false, false, rtr, false, rtr ? dlc : dlc > 8 && n === 8 ? dlc : n, data, (flags & 1) !== 0);
  }
  if (type === CAN_ERROR_EXT) {
    const channel = channelFromNumber(Math.max(1, u16(d, p)));
    const dlc = Math.min(d[p + 10] as number, 15);
    const rawId = u32(d, p + 16);
    const n = Math.min(dlc, 8, Math.max(0, end - (p + 24)));
    const data = payload(d, p + 24, n, payloads);
    return { timestamp, channel, id: rawId & 0x1fffffff, extended: (rawId & ID_EXT_BIT) !== 0 || (rawId & 0x1fffffff) > 0x7ff, fd: false, brs: false, esi: false, rtr: false, error: true, dlc: n === 8 ? dlc : n, data };
  }
  let channel: string, dlcCode: number, valid: number, rawId: number, edl: boolean, brs: boolean, esi: boolean, remote: boolean, tx: boolean, dataAt: number;
  if (type === CAN_FD_MESSAGE) {
    channel = channelFromNumber(Math.max(1, u16(d, p)));
    const flags = d[p + 2] as number;
    dlcCode = (d[p + 3] as number) & 0x0f;
    rawId = u32(d, p + 4);
    const fdFlags = d[p + 13] as number;
    valid = d[p + 14] as number;
    edl = (fdFlags & 1) !== 0;
    brs = (fdFlags & 2) !== 0;
    esi = (fdFlags & 4) !== 0;
    remote = (flags & 0x80) !== 0;
    tx = (flags & 1) !== 0;
    dataAt = p + 20;
  } else {
    channel = channelFromNumber(Math.max(1, d[p] as number));
    dlcCode = (d[p + 1] as number) & 0x0f;
    valid = d[p + 2] as number;
    rawId = u32(d, p + 4);
    const flags = u32(d, p + 12);
    edl = (flags & 0x1000) !== 0;
    brs = (flags & 0x2000) !== 0;
    esi = (flags & 0x4000) !== 0;
    remote = (flags & 0x10) !== 0;
    tx = d[p + 34] !== 0;
    dataAt = p + 40;
  }
  const id = rawId & 0x1fffffff;
  const extended = (rawId & ID_EXT_BIT) !== 0 || id > 0x7ff;
  
  const available = Math.max(0, end - dataAt);
  if (!edl) {
    const n = remote ? 0 : Math.min(valid, 8, available, dlcCode);
    const data = payload(d, dataAt, n, payloads);
    return frameOf(timestamp, channel, id, extended, false, false, false, remote, false, remote ? dlcCode : dlcCode > 8 && n === 8 ? dlcCode : n, data, tx);
  }
  const dlc = FD_DLC_WITHIN[Math.min(valid, 64, available)] as number;
  const data = payload(d, dataAt, FD_LENGTHS[dlc] as number, payloads);
  return frameOf(timestamp, channel, id, extended, true, brs, esi, false, false, dlc, data, tx);
}

