/**
 * The subset of MessagePack that CAN-over-UDP datagrams use (python-can's `udp_multicast` wire
 * format): nil, booleans, integers, floats, strings, binary, arrays and maps. Decoding checks every
 * length against the buffer, so random bytes give a `BusProtocolError` naming the byte offset, never
 * a crash or a huge allocation.
 */
import { BusProtocolError } from '../errors.js';

export type MsgpackValue = null | boolean | number | string | Uint8Array | MsgpackValue[] | Map<string | number, MsgpackValue>;

const MAX_DEPTH = 16;

/**
 * Decodes exactly one value spanning the whole buffer.
 * @param source - named in errors (e.g. the sender address).
 * @throws {BusProtocolError} on truncation, an unsupported type byte, nesting deeper than 16, or trailing bytes.
 */
export function decodeMsgpack(bytes: Uint8Array, source: string): MsgpackValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const fail = (detail: string, at = pos): never => {
    throw new BusProtocolError({ file: source, offset: at }, `msgpack: ${detail}`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail(`needs ${n} more bytes but only ${bytes.length - pos} remain`);
  };
  const text = new TextDecoder('utf-8', { fatal: true });
  const str = (n: number): string => {
    need(n);
    const at = pos;
    pos += n;
    try {
      return text.decode(bytes.subarray(at, at + n));
    } catch {
      return fail('string is not UTF-8', at);
    }
  };
  const bin = (n: number): Uint8Array => {
    need(n);
    pos += n;
    return bytes.slice(pos - n, pos);
  };
  const u = (n: 1 | 2 | 4): number => {
    need(n);
    const v = n === 1 ? view.getUint8(pos) : n === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += n;
    return v;
  };
  const value = (depth: number): MsgpackValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    need(1);
    const at = pos;
    const t = view.getUint8(pos++);
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f, depth);
    if ((t & 0xf0) === 0x90) return array(t & 0x0f, depth);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return bin(u(1));
      case 0xc5: return bin(u(2));
      case 0xc6: return bin(u(4));
      case 0xca: need(4); pos += 4; return view.getFloat32(pos - 4);
      case 0xcb: need(8); pos += 8; return view.getFloat64(pos - 8);
      case 0xcc: return u(1);
      case 0xcd: return u(2);
      case 0xce: return u(4);
      case 0xcf: need(8); pos += 8; return Number(view.getBigUint64(pos - 8));
      case 0xd0: need(1); pos += 1; return view.getInt8(pos - 1);
      case 0xd1: need(2); pos += 2; return view.getInt16(pos - 2);
      case 0xd2: need(4); pos += 4; return view.getInt32(pos - 4);
      case 0xd3: need(8); pos += 8; return Number(view.getBigInt64(pos - 8));
      case 0xd9: return str(u(1));
      case 0xda: return str(u(2));
      case 0xdb: return str(u(4));
      case 0xdc: return array(u(2), depth);
      case 0xdd: return array(u(4), depth);
      case 0xde: return map(u(2), depth);
      case 0xdf: return map(u(4), depth);
      default: return fail(`type byte 0x${t.toString(16)} is not supported`, at);
    }
  };
  const array = (n: number, depth: number): MsgpackValue[] => {
    // Every element takes at least one byte: a count beyond what remains is a lie, not an allocation.
    need(n);
    const out: MsgpackValue[] = [];
    for (let i = 0; i < n; i++) out.push(value(depth + 1));
    return out;
  };
  const map = (n: number, depth: number): Map<string | number, MsgpackValue> => {
    need(2 * n);
    const out = new Map<string | number, MsgpackValue>();
    for (let i = 0; i < n; i++) {
      const at = pos;
      const key = value(depth + 1);
      if (typeof key !== 'string' && typeof key !== 'number') fail('map key is not a string or number', at);
      out.set(key as string | number, value(depth + 1));
    }
    return out;
  };
  const result = value(0);
  if (pos !== bytes.length) fail(`${bytes.length - pos} trailing bytes after the value`);
  return result;
}

/** Appends MessagePack encodings to a growing buffer. Only what the UDP frame format needs. */
export class MsgpackWriter {
  #buf = new Uint8Array(128);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  #byte(b: number): void {
    this.#room(1);
    this.#buf[this.#len++] = b;
  }

  mapHeader(n: number): this {
    if (n < 16) this.#byte(0x80 | n);
    else {
      this.#byte(0xde);
      this.#room(2);
      this.#view.setUint16(this.#len, n);
      this.#len += 2;
    }
    return this;
  }

  nil(): this {
    this.#byte(0xc0);
    return this;
  }

  bool(v: boolean): this {
    this.#byte(v ? 0xc3 : 0xc2);
    return this;
  }

  float64(v: number): this {
    this.#byte(0xcb);
    this.#room(8);
    this.#view.setFloat64(this.#len, v);
    this.#len += 8;
    return this;
  }

  /** Smallest encoding of a non-negative integer below 2^32, as msgpack-python writes it. */
  uint(v: number): this {
    if (v < 0x80) this.#byte(v);
    else if (v < 0x100) {
      this.#byte(0xcc);
      this.#byte(v);
    } else if (v < 0x10000) {
      this.#byte(0xcd);
      this.#room(2);
      this.#view.setUint16(this.#len, v);
      this.#len += 2;
    } else {
      this.#byte(0xce);
      this.#room(4);
      this.#view.setUint32(this.#len, v);
      this.#len += 4;
    }
    return this;
  }

  str(s: string): this {
    const bytes = new TextEncoder().encode(s);
    if (bytes.length < 32) this.#byte(0xa0 | bytes.length);
    else if (bytes.length < 0x100) {
      this.#byte(0xd9);
      this.#byte(bytes.length);
    } else {
      this.#byte(0xda);
      this.#room(2);
      this.#view.setUint16(this.#len, bytes.length);
      this.#len += 2;
    }
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  /** @throws {RangeError} beyond 255 bytes (bin 8 is all a CAN payload needs). */
  bin(b: Uint8Array): this {
    if (b.length > 0xff) throw new RangeError(`bin of ${b.length} bytes exceeds bin 8`);
    this.#byte(0xc4);
    this.#byte(b.length);
    this.#room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
