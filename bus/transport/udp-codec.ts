/**
 * One CAN frame per UDP datagram, in python-can's `udp_multicast` format: a MessagePack map
 *
 * ```
 * { timestamp: float64, arbitration_id: uint, is_extended_id: bool, is_remote_frame: bool,
 *   is_error_frame: bool, channel: str | int | nil, dlc: uint (payload BYTES, not the DLC code),
 *   data: bin, is_fd: bool, bitrate_switch: bool, error_state_indicator: bool }
 * ```
 * Keys may come in any order; unknown keys are ignored; missing flags default to false.
 */
import { BusProtocolError } from '../errors.js';
import { dlcToLength, lengthToDlc, makeFrame, type CanFrame } from '../frame.js';
import { decodeMsgpack, MsgpackWriter, type MsgpackValue } from './msgpack.js';

/** Encodes a frame as python-can's `pack_message` does (same keys, same order). */
export function encodeUdpFrame(frame: CanFrame): Uint8Array {
  const w = new MsgpackWriter().mapHeader(11);
  w.str('timestamp').float64(frame.timestamp);
  w.str('arbitration_id').uint(frame.id);
  w.str('is_extended_id').bool(frame.extended);
  w.str('is_remote_frame').bool(frame.rtr);
  w.str('is_error_frame').bool(frame.error);
  w.str('channel').str(frame.channel);
  w.str('dlc').uint(dlcToLength(frame.dlc, frame.fd));
  w.str('data').bin(frame.data);
  w.str('is_fd').bool(frame.fd);
  w.str('bitrate_switch').bool(frame.brs);
  w.str('error_state_indicator').bool(frame.esi);
  return w.bytes();
}

/**
 * Decodes one datagram.
 * @param source - the sender, named in errors.
 * @param defaultChannel - used when the datagram's channel is nil.
 * @throws {BusProtocolError} when the bytes are not such a map or describe an impossible frame.
 */
export function decodeUdpFrame(bytes: Uint8Array, source: string, defaultChannel: string): CanFrame {
  const value = decodeMsgpack(bytes, source);
  const fail = (detail: string): never => {
    throw new BusProtocolError({ file: source, offset: 0 }, `udp frame: ${detail}`);
  };
  if (!(value instanceof Map)) return fail('datagram is not a map');
  const get = (key: string): MsgpackValue | undefined => value.get(key);
  const flag = (key: string): boolean => {
    const v = get(key);
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') return fail(`${key} is not a boolean`);
    return v;
  };
  const num = (key: string, fallback?: number): number => {
    const v = get(key);
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`${key} is missing or not a number`);
    return v;
  };
  const rawData = get('data');
  let dataBytes: Uint8Array;
  if (rawData instanceof Uint8Array) dataBytes = rawData;
  else if (rawData === undefined || rawData === null) dataBytes = new Uint8Array(0);
  else if (Array.isArray(rawData) && rawData.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
    dataBytes = Uint8Array.from(rawData as number[]);
  } else return fail('data is not binary or a list of bytes');
  const ch = get('channel');
  const channel = typeof ch === 'string' ? ch : typeof ch === 'number' ? String(ch) : ch === null || ch === undefined ? defaultChannel : fail('channel is not a string');
  const fd = flag('is_fd');
  const rtr = flag('is_remote_frame');
  const length = num('dlc', dataBytes.length);
  if (!Number.isInteger(length) || length < 0 || length > (fd ? 64 : 15)) fail(`dlc ${length} is not a payload length`);
  try {
    // Classic CAN lengths 9..15 are DLC codes meaning 8 bytes; keep the code as sent.
    const dlc = !fd && length > 8 ? length : lengthToDlc(length, fd);
    return makeFrame({
      timestamp: num('timestamp', 0),
      channel,
      id: num('arbitration_id'),
      extended: get('is_extended_id') === undefined ? undefined : flag('is_extended_id'),
      fd,
      brs: flag('bitrate_switch'),
      esi: flag('error_state_indicator'),
      rtr,
      error: flag('is_error_frame'),
      dlc,
      data: rtr ? new Uint8Array(0) : dataBytes,
    });
  } catch (err) {
    if (err instanceof BusProtocolError) throw err;
    return fail((err as Error).message);
  }
}
