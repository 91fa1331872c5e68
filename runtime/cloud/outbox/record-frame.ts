/**
 * Framing of the outbox segment files. Each frame is
 *
 * ```
 *  0        4        8
 *  +--------+--------+----------------------+
 *  | length | crc32  | body (length bytes)  |   length, crc32: uint32 little-endian
 *  +--------+--------+----------------------+
 * ```
 *
 * A kill during a write leaves a torn tail: a short header, a short body or a body whose CRC does
 * not match. The scanner stops at the first such frame and reports where the valid data ends, so
 * the file can be truncated there.
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib and PNG compute it). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (TABLE[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const FRAME_HEADER_BYTES = 8;
/** No single record may exceed this; a larger length field is garbage, not a record. */
export const MAX_FRAME_BODY = 64 << 20;

/** One frame: header and body, ready to append. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length, true);
  view.setUint32(4, crc32(body), true);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

export interface ScannedFrame {
  /** Offset of the frame's header in the file. */
  readonly offset: number;
  readonly body: Uint8Array;
}

export interface ScanResult {
  readonly frames: readonly ScannedFrame[];
  /** Bytes from the start that hold whole, valid frames; everything after is a torn tail. */
  readonly validBytes: number;
  /** Why scanning stopped early, if it did. */
  readonly tornReason?: string;
}

/** Reads every whole frame of a segment's bytes and finds where its valid part ends. */
export function scanFrames(data: Uint8Array): ScanResult {
  const frames: ScannedFrame[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  while (off < data.length) {
    if (data.length - off < FRAME_HEADER_BYTES) return { frames, validBytes: off, tornReason: `short header at byte ${off}` };
    const len = view.getUint32(off, true);
    const crc = view.getUint32(off + 4, true);
    if (len > MAX_FRAME_BODY) return { frames, validBytes: off, tornReason: `length ${len} at byte ${off} is implausible` };
    const end = off + FRAME_HEADER_BYTES + len;
    if (end > data.length) return { frames, validBytes: off, tornReason: `short body at byte ${off}` };
    const body = data.subarray(off + FRAME_HEADER_BYTES, end);
    if (crc32(body) !== crc) return { frames, validBytes: off, tornReason: `CRC mismatch at byte ${off}` };
    frames.push({ offset: off, body });
    off = end;
  }
  return { frames, validBytes: off };
}
