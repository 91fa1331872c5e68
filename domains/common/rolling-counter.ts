/**
 * The 4-bit rolling counter of an end-to-end protected output message: +1 per transmission,
 * 15 wraps to 0. The CRC in byte 0 covers the encoded payload, so it is applied by
 * `sealE2e` once the signal values are packed.
 */
export class RollingCounter {
  #next = 0;

  /** The counter value for this transmission; advances for the next. */
  take(): number {
    const v = this.#next;
    this.#next = (this.#next + 1) & 0x0f;
    return v;
  }
}

/** CRC-8/SAE-J1850 (poly 0x1D, init 0xFF, xor-out 0xFF) over the id (2 bytes LE) then payload bytes 1..n-1. */
function e2eCrc(id: number, payload: Uint8Array): number {
  let crc = 0xff;
  const step = (byte: number): void => {
    crc ^= byte;
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x1d) & 0xff : (crc << 1) & 0xff;
  };
  step(id & 0xff);
  step((id >>> 8) & 0xff);
  for (let i = 1; i < payload.length; i++) step(payload[i] as number);
  return crc ^ 0xff;
}

/**
 * Writes the end-to-end CRC into byte 0 of an encoded output payload (in place) and returns it.
 * Domains fill `*_CRC` with 0 in `encode`; whoever packs the frame seals it with this.
 * @throws {RangeError} for a payload shorter than 2 bytes (no room for CRC and counter)
 */
export function sealE2e(id: number, payload: Uint8Array): Uint8Array {
  if (payload.length < 2) throw new RangeError(`E2E payload of message 0x${id.toString(16)} needs 2+ bytes, got ${payload.length}`);
  payload[0] = e2eCrc(id, payload);
  return payload;
}
