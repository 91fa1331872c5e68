/**
 * End-to-end protection of safety messages, as the reference vehicle (sim/vehicle.dbc) uses it:
 * whatever sends a frame of a protected message (the simulator, the runtime's output path) seals it
 * with one `E2eSealer` per message; receivers verify.
 *
 * A protected message carries an 8-bit CRC in payload byte 0 and a 4-bit rolling counter in bits
 * 8..11 (Intel). The CRC is CRC-8/SAE-J1850 (polynomial 0x1D, init 0xFF, no reflection,
 * xor-out 0xFF; check value 0x4B for "123456789") computed over the 11-bit CAN id as two bytes,
 * little-endian, followed by payload bytes 1..n-1. Folding the id in catches a frame that arrives
 * under the wrong id (masquerade), which a CRC over the payload alone would pass.
 * The counter increments by one per transmission and wraps from 15 to 0.
 * A message is protected when its DBC definition carries a `<P>_CRC` signal in byte 0 (start bit 0,
 * 8 bits) and a `<P>_Counter` signal, as the reference network's DBC comment says.
 */
/** What protection needs to know of a message: its id and where its signals sit. */
export interface E2eMessage {
  readonly id: number;
  readonly signals: readonly { readonly name: string; readonly startBit: number; readonly length: number }[];
}

const TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x1d) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

/** CRC-8/SAE-J1850 of `bytes[start..end)`, continuing from `crc` (pass 0xFF to start; xor-out not applied). */
export function crc8J1850Update(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = crc & 0xff;
  for (let i = start; i < end; i++) c = TABLE[c ^ (bytes[i] as number)] as number;
  return c;
}

/** CRC-8/SAE-J1850 of a whole byte string (init 0xFF, xor-out 0xFF). */
export function crc8J1850(bytes: Uint8Array): number {
  return crc8J1850Update(0xff, bytes) ^ 0xff;
}

/** The E2E CRC of a protected message: over the id (2 bytes LE) then payload bytes 1..n-1. */
export function e2eCrc(id: number, payload: Uint8Array): number {
  const idBytes = Uint8Array.of(id & 0xff, (id >>> 8) & 0xff);
  return crc8J1850Update(crc8J1850Update(0xff, idBytes), payload, 1) ^ 0xff;
}

/** Writes the E2E CRC into byte 0 of `payload` (in place) and returns it. */
export function applyE2e(id: number, payload: Uint8Array): Uint8Array {
  payload[0] = e2eCrc(id, payload);
  return payload;
}

/** The rolling counter stored in bits 8..11 (low nibble of byte 1). */
export function e2eCounter(payload: Uint8Array): number {
  return (payload[1] ?? 0) & 0x0f;
}

/** True when byte 0 holds the right CRC for this id and payload. */
export function verifyE2e(id: number, payload: Uint8Array): boolean {
  return payload.length >= 2 && payload[0] === e2eCrc(id, payload);
}

/** Counter steps between two receptions: 1 means none lost, k means k-1 frames lost. */
export function counterStep(previous: number, current: number): number {
  return (current - previous + 16) % 16;
}

/**
 * The sender's side of one message's protection: the rolling counter it fills in and the CRC it
 * writes after packing. One per message and sender, so the counter is the transmissions' own.
 */
export class E2eSealer {
  #next = 0;

  private constructor(
    readonly id: number,
    readonly counterSignal: string | undefined,
    readonly crcSignal: string | undefined,
  ) {}

  /** The sealer for `message`, or undefined when it has neither a counter nor a CRC signal. */
  static of(message: E2eMessage): E2eSealer | undefined {
    const counter = message.signals.find((s) => s.name.endsWith('_Counter'))?.name;
    const crc = message.signals.find((s) => s.name.endsWith('_CRC') && s.startBit === 0 && s.length === 8)?.name;
    return counter === undefined && crc === undefined ? undefined : new E2eSealer(message.id, counter, crc);
  }

  /** Sets this transmission's counter (and a zero CRC placeholder) in `values`; advances the counter. */
  prepare(values: Record<string, number>): void {
    if (this.counterSignal !== undefined) values[this.counterSignal] = this.#next;
    if (this.crcSignal !== undefined) values[this.crcSignal] = 0;
    this.#next = (this.#next + 1) & 0x0f;
  }

  /** Writes the CRC into the packed payload (in place) when the message has one; returns it. */
  seal(payload: Uint8Array): Uint8Array {
    if (this.crcSignal === undefined) return payload;
    if (payload.length < 2) throw new RangeError(`E2E payload of message 0x${this.id.toString(16)} needs 2+ bytes, got ${payload.length}`);
    return applyE2e(this.id, payload);
  }
}
