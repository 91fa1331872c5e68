/**
 * The one frame type every part of ecu-ai speaks: classic CAN, CAN FD, remote and error frames.
 *
 * `timestamp` is in seconds (float). Readers of formats that record an absolute start give
 * absolute (epoch) seconds; others give seconds from the start of the recording.
 * `dlc` is the DLC code as on the wire: for CAN FD, codes 9..15 stand for 12..64 bytes.
 */
export interface CanFrame {
  readonly timestamp: number;
  readonly channel: string;
  readonly id: number;
  readonly extended: boolean;
  readonly fd: boolean;
  readonly brs: boolean;
  readonly esi: boolean;
  readonly rtr: boolean;
  readonly error: boolean;
  readonly dlc: number;
  readonly data: Uint8Array;
  /** Direction where the format records it; absent means received. */
  readonly tx?: boolean;
}

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64] as const;

/** Payload length in bytes for a DLC code. Classic CAN caps at 8 whatever the code says. */
export function dlcToLength(dlc: number, fd: boolean): number {
  if (!Number.isInteger(dlc) || dlc < 0 || dlc > 15) throw new RangeError(`DLC ${dlc} is not a code from 0 to 15`);
  return fd ? (FD_LENGTHS[dlc] as number) : Math.min(dlc, 8);
}

/** Smallest DLC code whose length holds `length` bytes (CAN FD pads up to the next valid length). */
export function lengthToDlc(length: number, fd: boolean): number {
  if (!Number.isInteger(length) || length < 0 || length > (fd ? 64 : 8)) {
    throw new RangeError(`${length} bytes do not fit a ${fd ? 'CAN FD' : 'classic CAN'} frame`);
  }
  if (length <= 8) return length;
  return FD_LENGTHS.findIndex((l) => l >= length);
}

/** Valid CAN FD payload lengths, ascending. */
export const CAN_FD_LENGTHS: readonly number[] = FD_LENGTHS;

export const MAX_STANDARD_ID = 0x7ff;
export const MAX_EXTENDED_ID = 0x1fffffff;

export interface FrameInit {
  timestamp?: number;
  channel?: string;
  id: number;
  extended?: boolean;
  fd?: boolean;
  brs?: boolean;
  esi?: boolean;
  rtr?: boolean;
  error?: boolean;
  dlc?: number;
  data?: Uint8Array | readonly number[];
  tx?: boolean;
}

/**
 * Builds a checked frame. Defaults: channel `can0`, time 0, standard id unless the id needs 29 bits,
 * DLC from the data length.
 * @throws {RangeError} when the id, DLC or payload do not fit the frame kind.
 */
export function makeFrame(init: FrameInit): CanFrame {
  const data = init.data instanceof Uint8Array ? init.data : Uint8Array.from(init.data ?? []);
  const fd = init.fd ?? false;
  const extended = init.extended ?? init.id > MAX_STANDARD_ID;
  const maxId = extended ? MAX_EXTENDED_ID : MAX_STANDARD_ID;
  if (!Number.isInteger(init.id) || init.id < 0 || init.id > maxId) {
    throw new RangeError(`id 0x${init.id.toString(16)} does not fit a ${extended ? '29' : '11'}-bit identifier`);
  }
  if (fd && init.rtr) throw new RangeError('CAN FD has no remote frames');
  const dlc = init.dlc ?? lengthToDlc(data.length, fd);
  if (!init.rtr && !init.error && data.length !== dlcToLength(dlc, fd) && !(dlc > 8 && !fd && data.length === 8)) {
    throw new RangeError(`DLC ${dlc} means ${dlcToLength(dlc, fd)} bytes but ${data.length} were given`);
  }
  return {
    timestamp: init.timestamp ?? 0,
    channel: init.channel ?? 'can0',
    id: init.id,
    extended,
    fd,
    brs: fd && (init.brs ?? false),
    esi: fd && (init.esi ?? false),
    rtr: init.rtr ?? false,
    error: init.error ?? false,
    dlc,
    data,
    ...(init.tx === undefined ? {} : { tx: init.tx }),
  };
}

export function bytesToHex(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** @throws {RangeError} on an odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError(`"${hex}" is not hex bytes`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
