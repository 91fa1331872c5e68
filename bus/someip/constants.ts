/**
 * The fixed numbers of SOME/IP: message types, return codes, protocol version and SD identifiers.
 */

export const SOMEIP_PROTOCOL_VERSION = 1;
/** Bytes of the header before the payload (message ID, length, request ID, four one-byte fields). */
export const SOMEIP_HEADER_LENGTH = 16;
/** The length field counts from the request ID on: 8 header bytes plus the payload. */
export const SOMEIP_LENGTH_OVERHEAD = 8;
/** Bytes of the SOME/IP-TP header that follows the SOME/IP header in a segment. */
export const SOMEIP_TP_HEADER_LENGTH = 4;
/** Message type bit that marks a SOME/IP-TP segment. */
export const TP_FLAG = 0x20;

export const MessageType = {
  REQUEST: 0x00,
  REQUEST_NO_RETURN: 0x01,
  NOTIFICATION: 0x02,
  RESPONSE: 0x80,
  ERROR: 0x81,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const MESSAGE_TYPE_NAMES = new Map<number, string>(Object.entries(MessageType).map(([k, v]) => [v, k]));

/** True for the five base message types (without the TP flag). */
export function isMessageType(value: number): value is MessageType {
  return MESSAGE_TYPE_NAMES.has(value);
}

export function messageTypeName(value: number): string {
  const tp = (value & TP_FLAG) !== 0 ? 'TP_' : '';
  return tp + (MESSAGE_TYPE_NAMES.get(value & ~TP_FLAG) ?? `0x${value.toString(16)}`);
}

export const ReturnCode = {
  E_OK: 0x00,
  E_NOT_OK: 0x01,
  E_UNKNOWN_SERVICE: 0x02,
  E_UNKNOWN_METHOD: 0x03,
  E_NOT_READY: 0x04,
  E_NOT_REACHABLE: 0x05,
  E_TIMEOUT: 0x06,
  E_WRONG_PROTOCOL_VERSION: 0x07,
  E_WRONG_INTERFACE_VERSION: 0x08,
  E_MALFORMED_MESSAGE: 0x09,
  E_WRONG_MESSAGE_TYPE: 0x0a,
  E_E2E_REPEATED: 0x0b,
  E_E2E_WRONG_SEQUENCE: 0x0c,
  E_E2E: 0x0d,
  E_E2E_NOT_AVAILABLE: 0x0e,
  E_E2E_NO_NEW_DATA: 0x0f,
} as const;
export type ReturnCode = (typeof ReturnCode)[keyof typeof ReturnCode];

/** Codes above this are reserved; 0x10..0x1F are generic, 0x20..0x5E service-specific. */
export const MAX_RETURN_CODE = 0x5e;

const RETURN_CODE_NAMES = new Map<number, string>(Object.entries(ReturnCode).map(([k, v]) => [v, k]));

export function returnCodeName(code: number): string {
  return RETURN_CODE_NAMES.get(code) ?? `0x${code.toString(16).padStart(2, '0')}`;
}

/** Service discovery runs as service 0xFFFF, method 0x8100, on this port. */
export const SD_SERVICE_ID = 0xffff;
export const SD_METHOD_ID = 0x8100;
export const SD_PORT = 30490;
export const SD_DEFAULT_MULTICAST = '224.224.224.245';
