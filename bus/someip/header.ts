/**
 * The SOME/IP message codec: header and payload of one message, and the split of a datagram that
 * carries several messages back to back.
 *
 * ```
 *  0               8               16              24             31
 * +---------------+---------------+---------------+---------------+
 * |          Service ID           |     Method ID / Event ID      |  message ID
 * +---------------+---------------+---------------+---------------+
 * |            Length (bytes from Request ID to end)              |
 * +---------------+---------------+---------------+---------------+
 * |           Client ID           |          Session ID           |  request ID
 * +---------------+---------------+---------------+---------------+
 * | Protocol ver. | Interface ver.| Message type  | Return code   |
 * +---------------+---------------+---------------+---------------+
 * | [TP only] Offset (28 bits, units of 16 bytes)    | res. |  M  |
 * +---------------+---------------+---------------+---------------+
 * |                         Payload ...                           |
 * ```
 */
import {
  MAX_RETURN_CODE,
  SOMEIP_HEADER_LENGTH,
  SOMEIP_LENGTH_OVERHEAD,
  SOMEIP_PROTOCOL_VERSION,
  SOMEIP_TP_HEADER_LENGTH,
  TP_FLAG,
  isMessageType,
  type MessageType,
} from './constants.js';
import { SomeipParseError, SomeipSerializeError } from './errors.js';

/** Where a SOME/IP-TP segment sits in its message. `offset` is in bytes (a multiple of 16). */
export interface TpInfo {
  readonly offset: number;
  readonly more: boolean;
}

export interface SomeipMessage {
  readonly serviceId: number;
  readonly methodId: number;
  readonly clientId: number;
  readonly sessionId: number;
  readonly protocolVersion: number;
  readonly interfaceVersion: number;
  /** The base type; the TP flag on the wire is derived from `tp`. */
  readonly messageType: MessageType;
  readonly returnCode: number;
  readonly payload: Uint8Array;
  /** Present on SOME/IP-TP segments only. */
  readonly tp?: TpInfo;
}

export interface MessageInit {
  serviceId: number;
  methodId: number;
  clientId?: number;
  sessionId?: number;
  protocolVersion?: number;
  interfaceVersion?: number;
  messageType?: MessageType;
  returnCode?: number;
  payload?: Uint8Array;
  tp?: TpInfo;
}

/** Fills the defaults (client 0, session 1, protocol version 1, interface version 1, REQUEST, E_OK). */
export function makeMessage(init: MessageInit): SomeipMessage {
  const m: SomeipMessage = {
    serviceId: init.serviceId,
    methodId: init.methodId,
    clientId: init.clientId ?? 0,
    sessionId: init.sessionId ?? 1,
    protocolVersion: init.protocolVersion ?? SOMEIP_PROTOCOL_VERSION,
    interfaceVersion: init.interfaceVersion ?? 1,
    messageType: init.messageType ?? 0,
    returnCode: init.returnCode ?? 0,
    payload: init.payload ?? new Uint8Array(0),
    ...(init.tp ? { tp: init.tp } : {}),
  };
  return m;
}

/** The byte that goes on the wire in the message type field. */
export function wireMessageType(m: Pick<SomeipMessage, 'messageType' | 'tp'>): number {
  return m.tp ? m.messageType | TP_FLAG : m.messageType;
}

/** Total bytes `encodeMessage` will produce for this message. */
export function encodedLength(m: SomeipMessage): number {
  return SOMEIP_HEADER_LENGTH + (m.tp ? SOMEIP_TP_HEADER_LENGTH : 0) + m.payload.length;
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new SomeipSerializeError(`header.${name}`, `${value} is not an integer in 0..${max}`);
  }
}

/**
 * Writes one message (header, TP header when `tp` is set, payload) into `out` at `offset`.
 * @returns the number of bytes written.
 * @throws {SomeipSerializeError} when a header field is out of range or `out` is too small.
 */
export function encodeMessageInto(m: SomeipMessage, out: Uint8Array, offset = 0): number {
  checkField('serviceId', m.serviceId, 0xffff);
  checkField('methodId', m.methodId, 0xffff);
  checkField('clientId', m.clientId, 0xffff);
  checkField('sessionId', m.sessionId, 0xffff);
  checkField('protocolVersion', m.protocolVersion, 0xff);
  checkField('interfaceVersion', m.interfaceVersion, 0xff);
  checkField('returnCode', m.returnCode, 0xff);
  if (!isMessageType(m.messageType)) throw new SomeipSerializeError('header.messageType', `unknown message type ${m.messageType}`);
  const total = encodedLength(m);
  if (out.length - offset < total) throw new SomeipSerializeError('', `needs ${total} bytes, ${out.length - offset} available`);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint16(offset, m.serviceId);
  view.setUint16(offset + 2, m.methodId);
  view.setUint32(offset + 4, total - SOMEIP_LENGTH_OVERHEAD);
  view.setUint16(offset + 8, m.clientId);
  view.setUint16(offset + 10, m.sessionId);
  out[offset + 12] = m.protocolVersion;
  out[offset + 13] = m.interfaceVersion;
  out[offset + 14] = wireMessageType(m);
  out[offset + 15] = m.returnCode;
  let p = offset + SOMEIP_HEADER_LENGTH;
  if (m.tp) {
    if (!Number.isInteger(m.tp.offset) || m.tp.offset < 0 || m.tp.offset % 16 !== 0 || m.tp.offset > 0xfffffff0) {
      throw new SomeipSerializeError('tp.offset', `${m.tp.offset} is not a multiple of 16 in 0..0xfffffff0`);
    }
    view.setUint32(p, (m.tp.offset | (m.tp.more ? 1 : 0)) >>> 0);
    p += SOMEIP_TP_HEADER_LENGTH;
  }
  out.set(m.payload, p);
  return total;
}

/**
 * Encodes one message into a new buffer.
 * @throws {SomeipSerializeError} when a header field is out of range.
 */
export function encodeMessage(m: SomeipMessage): Uint8Array {
  const out = new Uint8Array(encodedLength(m));
  encodeMessageInto(m, out, 0);
  return out;
}

/** Encodes several messages back to back (one UDP datagram may carry many). */
export function encodeMessages(ms: readonly SomeipMessage[]): Uint8Array {
  const out = new Uint8Array(ms.reduce((n, m) => n + encodedLength(m), 0));
  let p = 0;
  for (const m of ms) p += encodeMessageInto(m, out, p);
  return out;
}

/**
 * Reads the total size (header + length field) of the message starting at `offset`, or undefined
 * when fewer than 8 bytes are there yet. Used to frame a TCP stream.
 * @throws {SomeipParseError} when the length field is below the 8-byte minimum.
 */
export function peekMessageSize(bytes: Uint8Array, offset = 0): number | undefined {
  if (bytes.length - offset < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(offset + 4);
  if (length < SOMEIP_LENGTH_OVERHEAD) {
    throw new SomeipParseError(offset + 4, `length field ${length} is below the minimum of ${SOMEIP_LENGTH_OVERHEAD}`);
  }
  return length + SOMEIP_LENGTH_OVERHEAD;
}

export interface DecodeOptions {
  /** Copy the payload out of the input (default false: the payload is a view into `bytes`). */
  readonly copy?: boolean;
}

/**
 * Decodes the message at `offset`. The payload is a view into `bytes` unless `copy` is set.
 * @returns the message and the number of bytes it took.
 * @throws {SomeipParseError} on a truncated header, a length field that does not match the bytes,
 *   an unknown message type, a reserved return code or a truncated TP header.
 */
export function decodeMessage(bytes: Uint8Array, offset = 0, opts: DecodeOptions = {}): { message: SomeipMessage; size: number } {
  const left = bytes.length - offset;
  if (left < SOMEIP_HEADER_LENGTH) {
    throw new SomeipParseError(offset, `truncated header: ${left} bytes, a header needs ${SOMEIP_HEADER_LENGTH}`);
  }
  const size = peekMessageSize(bytes, offset) as number;
  if (size > left) {
    throw new SomeipParseError(offset + 4, `length field says ${size - SOMEIP_LENGTH_OVERHEAD} bytes follow it, only ${left - SOMEIP_LENGTH_OVERHEAD} do`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wireType = bytes[offset + 14] as number;
  const base = wireType & ~TP_FLAG;
  if (!isMessageType(base)) throw new SomeipParseError(offset + 14, `unknown message type 0x${wireType.toString(16)}`);
  const returnCode = bytes[offset + 15] as number;
  if (returnCode > MAX_RETURN_CODE) throw new SomeipParseError(offset + 15, `reserved return code 0x${returnCode.toString(16)}`);
  let p = offset + SOMEIP_HEADER_LENGTH;
  const end = offset + size;
  let tp: TpInfo | undefined;
  if ((wireType & TP_FLAG) !== 0) {
    if (end - p < SOMEIP_TP_HEADER_LENGTH) throw new SomeipParseError(p, 'TP segment too short for its 4-byte TP header');
    const word = view.getUint32(p);
    tp = { offset: (word & 0xfffffff0) >>> 0, more: (word & 1) === 1 };
    p += SOMEIP_TP_HEADER_LENGTH;
  }
  const payload = opts.copy ? bytes.slice(p, end) : bytes.subarray(p, end);
  const message: SomeipMessage = {
    serviceId: view.getUint16(offset),
    methodId: view.getUint16(offset + 2),
    clientId: view.getUint16(offset + 8),
    sessionId: view.getUint16(offset + 10),
    protocolVersion: bytes[offset + 12] as number,
    interfaceVersion: bytes[offset + 13] as number,
    messageType: base,
    returnCode,
    payload,
    ...(tp ? { tp } : {}),
  };
  return { message, size };
}

/**
 * Decodes every message of a datagram. All or nothing: one bad message rejects the datagram,
 * since after a lying length field the following bytes cannot be trusted to start a message.
 * @throws {SomeipParseError} naming the byte offset of the first bad message.
 */
export function decodeMessages(bytes: Uint8Array, opts: DecodeOptions = {}): SomeipMessage[] {
  const out: SomeipMessage[] = [];
  let p = 0;
  while (p < bytes.length) {
    const { message, size } = decodeMessage(bytes, p, opts);
    out.push(message);
    p += size;
  }
  return out;
}
