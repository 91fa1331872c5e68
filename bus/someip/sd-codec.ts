/**
 * The SOME/IP-SD payload codec (the payload of a message to service 0xFFFF, method 0x8100).
 *
 * ```
 * | flags (R U . . . . . .) | reserved (24) | entries length (32) | entries (16 bytes each) ...
 * | options length (32) | options: length (16), type (8), flags (8, bit 7 discardable), data ...
 *
 * entry:  type | index 1st | index 2nd | #opt1 (4) #opt2 (4) | service (16) | instance (16)
 *         | major version (8) | TTL (24) | minor version (32)                  -- service entries
 *         | reserved (8) | initial data requested (1) res. (3) counter (4) | eventgroup (16) -- eventgroups
 * IPv4 option (endpoint 0x04, multicast 0x14, SD endpoint 0x24), length 9:
 *         address (32) | reserved (8) | L4 protocol (8, 0x06 TCP, 0x11 UDP) | port (16)
 * ```
 */
import { SomeipParseError, SomeipSerializeError } from './errors.js';
import { MessageType, SD_METHOD_ID, SD_SERVICE_ID } from './constants.js';
import { encodeMessage, makeMessage, type SomeipMessage } from './header.js';

export const SdEntryType = {
  FIND_SERVICE: 0x00,
  OFFER_SERVICE: 0x01,
  SUBSCRIBE_EVENTGROUP: 0x06,
  SUBSCRIBE_EVENTGROUP_ACK: 0x07,
} as const;
export type SdEntryType = (typeof SdEntryType)[keyof typeof SdEntryType];

export const SdOptionType = {
  CONFIGURATION: 0x01,
  LOAD_BALANCING: 0x02,
  IPV4_ENDPOINT: 0x04,
  IPV6_ENDPOINT: 0x06,
  IPV4_MULTICAST: 0x14,
  IPV6_MULTICAST: 0x16,
  IPV4_SD_ENDPOINT: 0x24,
  IPV6_SD_ENDPOINT: 0x26,
} as const;

/** TTL value meaning "until the next reboot". */
export const SD_TTL_INFINITE = 0xffffff;
export const SD_FLAG_REBOOT = 0x80;
export const SD_FLAG_UNICAST = 0x40;

interface EntryCommon {
  readonly index1: number;
  readonly index2: number;
  readonly count1: number;
  readonly count2: number;
  readonly serviceId: number;
  readonly instanceId: number;
  readonly majorVersion: number;
  /** Seconds; 0 means stop (StopOffer, StopSubscribe, Nack). */
  readonly ttl: number;
}

export interface SdServiceEntry extends EntryCommon {
  readonly type: typeof SdEntryType.FIND_SERVICE | typeof SdEntryType.OFFER_SERVICE;
  readonly minorVersion: number;
}

export interface SdEventgroupEntry extends EntryCommon {
  readonly type: typeof SdEntryType.SUBSCRIBE_EVENTGROUP | typeof SdEntryType.SUBSCRIBE_EVENTGROUP_ACK;
  readonly eventgroupId: number;
  readonly counter: number;
  readonly initialDataRequested: boolean;
}

export type SdEntry = SdServiceEntry | SdEventgroupEntry;

export type L4Protocol = 'udp' | 'tcp';

export interface SdIpv4Option {
  readonly type: 'ipv4-endpoint' | 'ipv4-multicast' | 'ipv4-sd-endpoint';
  readonly address: string;
  readonly protocol: L4Protocol;
  readonly port: number;
  readonly discardable?: boolean;
}

/** Any other option, kept as its raw bytes (after the 4-byte option header). */
export interface SdRawOption {
  readonly type: 'raw';
  readonly typeCode: number;
  readonly data: Uint8Array;
  readonly discardable?: boolean;
}

export type SdOption = SdIpv4Option | SdRawOption;

export interface SdPayload {
  readonly reboot: boolean;
  readonly unicast: boolean;
  readonly entries: readonly SdEntry[];
  readonly options: readonly SdOption[];
}

const IPV4_TYPE_CODES: Record<SdIpv4Option['type'], number> = {
  'ipv4-endpoint': SdOptionType.IPV4_ENDPOINT,
  'ipv4-multicast': SdOptionType.IPV4_MULTICAST,
  'ipv4-sd-endpoint': SdOptionType.IPV4_SD_ENDPOINT,
};
const IPV4_TYPES = new Map<number, SdIpv4Option['type']>(Object.entries(IPV4_TYPE_CODES).map(([k, v]) => [v, k as SdIpv4Option['type']]));
const PROTO_CODES: Record<L4Protocol, number> = { tcp: 0x06, udp: 0x11 };

function ipv4ToBytes(address: string, path: string): number[] {
  const parts = address.split('.');
  const nums = parts.map(Number);
  if (parts.length !== 4 || nums.some((n, i) => !/^\d{1,3}$/.test(parts[i] as string) || n > 255)) {
    throw new SomeipSerializeError(path, `${JSON.stringify(address)} is not a dotted IPv4 address`);
  }
  return nums;
}

function checkRange(path: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new SomeipSerializeError(path, `${v} is not an integer in 0..${max}`);
}

/** True for FindService and OfferService entries, false for the eventgroup entries. */
export function isServiceEntry(e: SdEntry): e is SdServiceEntry {
  return e.type === SdEntryType.FIND_SERVICE || e.type === SdEntryType.OFFER_SERVICE;
}

function optionSize(o: SdOption): number {
  return 4 + (o.type === 'raw' ? o.data.length : 8);
}

/**
 * Encodes an SD payload.
 * @throws {SomeipSerializeError} naming the entry or option with an out-of-range field.
 */
export function encodeSdPayload(sd: SdPayload): Uint8Array {
  const entriesLen = sd.entries.length * 16;
  const optionsLen = sd.options.reduce((n, o) => n + optionSize(o), 0);
  const out = new Uint8Array(8 + entriesLen + 4 + optionsLen);
  const v = new DataView(out.buffer);
  out[0] = (sd.reboot ? SD_FLAG_REBOOT : 0) | (sd.unicast ? SD_FLAG_UNICAST : 0);
  v.setUint32(4, entriesLen);
  sd.entries.forEach((e, i) => {
    const p = 8 + i * 16;
    const path = `entries[${i}]`;
    checkRange(`${path}.index1`, e.index1, 0xff);
    checkRange(`${path}.index2`, e.index2, 0xff);
    checkRange(`${path}.count1`, e.count1, 15);
    checkRange(`${path}.count2`, e.count2, 15);
    checkRange(`${path}.serviceId`, e.serviceId, 0xffff);
    checkRange(`${path}.instanceId`, e.instanceId, 0xffff);
    checkRange(`${path}.majorVersion`, e.majorVersion, 0xff);
    checkRange(`${path}.ttl`, e.ttl, SD_TTL_INFINITE);
    out[p] = e.type;
    out[p + 1] = e.index1;
    out[p + 2] = e.index2;
    out[p + 3] = (e.count1 << 4) | e.count2;
    v.setUint16(p + 4, e.serviceId);
    v.setUint16(p + 6, e.instanceId);
    v.setUint32(p + 8, ((e.majorVersion << 24) | e.ttl) >>> 0);
    if (isServiceEntry(e)) {
      checkRange(`${path}.minorVersion`, e.minorVersion, 0xffffffff);
      v.setUint32(p + 12, e.minorVersion);
    } else {
      checkRange(`${path}.counter`, e.counter, 15);
      checkRange(`${path}.eventgroupId`, e.eventgroupId, 0xffff);
      out[p + 13] = (e.initialDataRequested ? 0x80 : 0) | e.counter;
      v.setUint16(p + 14, e.eventgroupId);
    }
  });
  let p = 8 + entriesLen;
  v.setUint32(p, optionsLen);
  p += 4;
  sd.options.forEach((o, i) => {
    const size = optionSize(o);
    v.setUint16(p, size - 3);
    out[p + 3] = o.discardable ? 0x80 : 0;
    if (o.type === 'raw') {
      checkRange(`options[${i}].typeCode`, o.typeCode, 0xff);
      out[p + 2] = o.typeCode;
      out.set(o.data, p + 4);
    } else {
      checkRange(`options[${i}].port`, o.port, 0xffff);
      out[p + 2] = IPV4_TYPE_CODES[o.type];
      out.set(ipv4ToBytes(o.address, `options[${i}].address`), p + 4);
      out[p + 9] = PROTO_CODES[o.protocol];
      v.setUint16(p + 10, o.port);
    }
    p += size;
  });
  return out;
}

/**
 * Decodes an SD payload, checking every length and every option reference.
 * @param base - byte offset of the payload in its datagram, added to offsets in errors.
 * @throws {SomeipParseError} naming the byte offset of a truncated part, a length that does not
 *   match, an unknown entry type, a malformed IPv4 option or an entry that references a missing option.
 */
export function decodeSdPayload(bytes: Uint8Array, base = 0): SdPayload {
  const fail = (at: number, detail: string): never => {
    throw new SomeipParseError(base + at, `SD: ${detail}`);
  };
  if (bytes.length < 12) fail(0, `payload of ${bytes.length} bytes is shorter than the 12-byte minimum`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = bytes[0] as number;
  const entriesLen = v.getUint32(4);
  if (entriesLen % 16 !== 0) fail(4, `entries length ${entriesLen} is not a multiple of 16`);
  if (8 + entriesLen + 4 > bytes.length) fail(4, `entries length ${entriesLen} runs past the end (${bytes.length - 12} bytes available)`);
  const entries: SdEntry[] = [];
  for (let p = 8; p < 8 + entriesLen; p += 16) {
    const type = bytes[p] as number;
    const word = v.getUint32(p + 8);
    const common = {
      index1: bytes[p + 1] as number,
      index2: bytes[p + 2] as number,
      count1: (bytes[p + 3] as number) >> 4,
      count2: (bytes[p + 3] as number) & 0x0f,
      serviceId: v.getUint16(p + 4),
      instanceId: v.getUint16(p + 6),
      majorVersion: word >>> 24,
      ttl: word & 0xffffff,
    };
    if (type === SdEntryType.FIND_SERVICE || type === SdEntryType.OFFER_SERVICE) {
      entries.push({ ...common, type, minorVersion: v.getUint32(p + 12) });
    } else if (type === SdEntryType.SUBSCRIBE_EVENTGROUP || type === SdEntryType.SUBSCRIBE_EVENTGROUP_ACK) {
      const b = bytes[p + 13] as number;
      entries.push({ ...common, type, eventgroupId: v.getUint16(p + 14), counter: b & 0x0f, initialDataRequested: (b & 0x80) !== 0 });
    } else {
      fail(p, `unknown entry type 0x${type.toString(16)}`);
    }
  }
  let p = 8 + entriesLen;
  const optionsLen = v.getUint32(p);
  p += 4;
  if (p + optionsLen !== bytes.length) fail(p - 4, `options length ${optionsLen} does not match the ${bytes.length - p} bytes that remain`);
  const options: SdOption[] = [];
  while (p < bytes.length) {
    if (bytes.length - p < 4) fail(p, 'truncated option header');
    const len = v.getUint16(p);
    const typeCode = bytes[p + 2] as number;
    const discardable = ((bytes[p + 3] as number) & 0x80) !== 0;
    if (len < 1 || p + 3 + len > bytes.length) fail(p, `option length ${len} runs past the options array`);
    const ipv4 = IPV4_TYPES.get(typeCode);
    if (ipv4) {
      if (len !== 9) fail(p, `IPv4 option length is ${len}, must be 9`);
      const protoCode = bytes[p + 9] as number;
      const protocol = protoCode === 0x11 ? 'udp' : protoCode === 0x06 ? 'tcp' : fail(p + 9, `unknown L4 protocol 0x${protoCode.toString(16)}`);
      const address = `${bytes[p + 4]}.${bytes[p + 5]}.${bytes[p + 6]}.${bytes[p + 7]}`;
      options.push({ type: ipv4, address, protocol, port: v.getUint16(p + 10), ...(discardable ? { discardable } : {}) });
    } else {
      options.push({ type: 'raw', typeCode, data: bytes.slice(p + 4, p + 3 + len), ...(discardable ? { discardable } : {}) });
    }
    p += 3 + len;
  }
  entries.forEach((e, i) => {
    if ((e.count1 > 0 && e.index1 + e.count1 > options.length) || (e.count2 > 0 && e.index2 + e.count2 > options.length)) {
      fail(8 + i * 16 + 1, `entry ${i} references options beyond the ${options.length} present`);
    }
  });
  return { reboot: (flags & SD_FLAG_REBOOT) !== 0, unicast: (flags & SD_FLAG_UNICAST) !== 0, entries, options };
}

/** The options an entry references (first run, then second run). */
export function optionsOf(sd: SdPayload, e: SdEntry): SdOption[] {
  return [...sd.options.slice(e.index1, e.index1 + e.count1), ...sd.options.slice(e.index2, e.index2 + e.count2)];
}

type WithoutRefs<E> = E extends SdEntry ? Omit<E, 'index1' | 'index2' | 'count1' | 'count2'> : never;
/** An entry described with its options inline; `buildSdPayload` assigns indices and shares equal options. */
export type SdEntryInit = WithoutRefs<SdEntry> & { readonly options?: readonly SdOption[] };

function optionKey(o: SdOption): string {
  return o.type === 'raw' ? `raw:${o.typeCode}:${Buffer.from(o.data).toString('hex')}` : `${o.type}:${o.address}:${o.protocol}:${o.port}`;
}

/**
 * Builds an SD payload from entries that carry their options inline, putting each distinct option
 * once in the options array and referencing it from the first option run.
 * @throws {SomeipSerializeError} when an entry has more than 15 options.
 */
export function buildSdPayload(flags: { reboot: boolean; unicast: boolean }, inits: readonly SdEntryInit[]): SdPayload {
  const options: SdOption[] = [];
  const keys: string[] = [];
  const entries = inits.map((init, i) => {
    const { options: own = [], ...rest } = init;
    if (own.length > 15) throw new SomeipSerializeError(`entries[${i}].options`, `${own.length} options, at most 15 fit one run`);
    // A run is contiguous: reuse an existing run only when the same options sit together already.
    const wanted = own.map(optionKey);
    let start = -1;
    for (let s = 0; wanted.length > 0 && s + wanted.length <= keys.length && start < 0; s++) {
      if (wanted.every((k, j) => keys[s + j] === k)) start = s;
    }
    if (start < 0) {
      start = options.length;
      own.forEach((o, j) => {
        options.push(o);
        keys.push(wanted[j] as string);
      });
    }
    return { ...rest, index1: own.length ? start : 0, count1: own.length, index2: 0, count2: 0 } as SdEntry;
  });
  return { ...flags, entries, options };
}

/**
 * Wraps an SD payload in its SOME/IP header: service 0xFFFF, method 0x8100, client 0,
 * NOTIFICATION, interface version 1.
 * @throws {SomeipSerializeError} when a field is out of range.
 */
export function encodeSdMessage(sessionId: number, sd: SdPayload): Uint8Array {
  return encodeMessage(makeMessage({ serviceId: SD_SERVICE_ID, methodId: SD_METHOD_ID, clientId: 0, sessionId, interfaceVersion: 1, messageType: MessageType.NOTIFICATION, payload: encodeSdPayload(sd) }));
}

/** True when a decoded SOME/IP message is an SD message by its IDs. */
export function isSdMessage(m: SomeipMessage): boolean {
  return m.serviceId === SD_SERVICE_ID && m.methodId === SD_METHOD_ID;
}

/**
 * Decodes the SD payload of a SOME/IP message already known to be SD by its IDs.
 * @param base - byte offset of the message in its datagram.
 * @throws {SomeipParseError} when the message type is not NOTIFICATION or the payload is malformed.
 */
export function decodeSdMessage(m: SomeipMessage, base = 0): SdPayload {
  if (m.messageType !== MessageType.NOTIFICATION || m.tp) throw new SomeipParseError(base + 14, 'SD message must be a NOTIFICATION without TP');
  return decodeSdPayload(m.payload, base + 16);
}
