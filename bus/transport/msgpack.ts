/**
 * The subset of MessagePack that CAN-over-UDP datagrams use (python-can's `udp_multicast` wire
 * format): nil, booleans, integers, floats, strings, binary, arrays and maps, through
 * `@msgpack/msgpack`. Decoding bounds every length by the largest UDP datagram, so random bytes give a
 * `BusProtocolError` naming the byte offset, never a crash or a huge allocation; extension types
 * (timestamps included) are refused, as python-can never sends them.
 */
import { DecodeError, Decoder, Encoder, ExtData } from '@msgpack/msgpack';
import { BusProtocolError } from '../errors.js';

/** Map keys are text: a datagram's integer keys come back as their decimal digits. */
export type MsgpackValue = null | boolean | number | string | Uint8Array | MsgpackValue[] | Map<string, MsgpackValue>;

const MAX_DEPTH = 16;
/** No length inside a datagram can exceed the datagram, and none is larger than this. */
const MAX_DATAGRAM = 65_535;

const decoder = new Decoder({
  maxStrLength: MAX_DATAGRAM,
  maxBinLength: MAX_DATAGRAM,
  maxArrayLength: MAX_DATAGRAM,
  maxMapLength: MAX_DATAGRAM,
  maxExtLength: MAX_DATAGRAM,
});

/** Where the decoder stopped: the start of the value it could not read. Kept out of its typed API, hence the lookup. */
function decoderPosition(): number {
  const pos: unknown = Reflect.get(decoder, 'pos');
  return typeof pos === 'number' ? pos : 0;
}

/**
 * The library's error in this module's words. It reports a cut value as "Insufficient data" or as a
 * DataView read out of bounds, and a length beyond its limits as "Max length exceeded".
 */
function describeDecodeError(err: Error, length: number, at: number): string {
  const remain = length - at;
  if (err instanceof RangeError) {
    const extra = /^Extra (\d+) of/.exec(err.message);
    return extra ? `${extra[1] ?? ''} trailing bytes after the value` : `needs more bytes than the ${remain} that remain`;
  }
  const tooLong = /^Max length exceeded: .*\((\d+)\) > max/.exec(err.message);
  if (tooLong) return `a length of ${tooLong[1] ?? ''} needs more bytes than the ${remain} that remain`;
  return err.message;
}

/**
 * Decodes exactly one value spanning the whole buffer.
 * @param source - named in errors (e.g. the sender address).
 * @throws {BusProtocolError} on truncation, an unsupported type byte, nesting deeper than 16, or trailing bytes.
 */
export function decodeMsgpack(bytes: Uint8Array, source: string): MsgpackValue {
  const fail = (detail: string, at: number): never => {
    throw new BusProtocolError({ file: source, offset: at }, `msgpack: ${detail}`);
  };
  let decoded: unknown;
  try {
    decoded = decoder.decode(bytes);
  } catch (err) {
    if (!(err instanceof RangeError || err instanceof DecodeError)) throw err;
    const at = decoderPosition();
    return fail(describeDecodeError(err, bytes.length, at), at);
  }
  // The library's values are plain objects for maps and views into `bytes` for binary; ours are Maps and copies.
  const convert = (v: unknown, depth: number): MsgpackValue => {
    if (depth > MAX_DEPTH) return fail(`nesting deeper than ${MAX_DEPTH}`, 0);
    if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
    if (v instanceof Uint8Array) return v.slice();
    if (Array.isArray(v)) return v.map((item: unknown) => convert(item, depth + 1));
    if (v instanceof ExtData || v instanceof Date || typeof v !== 'object') return fail('extension types are not supported', 0);
    const map = new Map<string, MsgpackValue>();
    for (const [key, item] of Object.entries(v)) map.set(key, convert(item, depth + 1));
    return map;
  };
  return convert(decoded, 0);
}

// Integers take their smallest encoding, as msgpack-python writes them; floats are always float64.
const encoder = new Encoder();
const floatEncoder = new Encoder({ forceIntegerToFloat: true });

/** Appends MessagePack encodings to a growing buffer. Only what the UDP frame format needs. */
export class MsgpackWriter {
  #buf = new Uint8Array(128);
  #len = 0;

  #append(bytes: Uint8Array): this {
    if (this.#len + bytes.length > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + bytes.length));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  /** The library writes whole maps only; a map's header is two cases of the format. */
  mapHeader(n: number): this {
    return this.#append(n < 16 ? Uint8Array.of(0x80 | n) : Uint8Array.of(0xde, n >> 8, n & 0xff));
  }

  nil(): this {
    return this.#append(encoder.encodeSharedRef(null));
  }

  bool(v: boolean): this {
    return this.#append(encoder.encodeSharedRef(v));
  }

  float64(v: number): this {
    return this.#append(floatEncoder.encodeSharedRef(v));
  }

  /** Smallest encoding of a non-negative integer, as msgpack-python writes it. */
  uint(v: number): this {
    return this.#append(encoder.encodeSharedRef(v));
  }

  str(s: string): this {
    return this.#append(encoder.encodeSharedRef(s));
  }

  /** @throws {RangeError} beyond 255 bytes (bin 8 is all a CAN payload needs). */
  bin(b: Uint8Array): this {
    if (b.length > 0xff) throw new RangeError(`bin of ${b.length} bytes exceeds bin 8`);
    return this.#append(encoder.encodeSharedRef(b));
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
