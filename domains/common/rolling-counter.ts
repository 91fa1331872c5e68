import { e2eCrc } from '../../bus/e2e.js';

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
