/**
 * Payload serialisation: compiles a `SomeipType` once into closures that write and read values,
 * so the per-message cost is one walk over the value with no schema interpretation.
 *
 * Errors: writing a value that does not fit the schema throws `SomeipSerializeError` naming the
 * path (`speeds[3]`); reading bytes that do not fit throws `SomeipParseError` naming the byte offset
 * and the path. Nothing else escapes from `decode`.
 */
import { SomeipParseError, SomeipSerializeError } from './errors.js';
import {
  PRIMITIVE_SIZES,
  validateSchema,
  type ByteOrder,
  type LengthFieldBits,
  type PrimitiveKind,
  type SomeipType,
  type SomeipValue,
  type StringEncoding,
} from './schema.js';

class Writer {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

interface Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  /** Current limit: the end of the enclosing length-delimited container. */
  end: number;
}

/** An error deep in a value, re-thrown outward with each level adding its part of the path. */
class PathFault {
  constructor(
    readonly path: string,
    readonly detail: string,
    readonly offset: number,
  ) {}
}

function joinPath(part: string, inner: string): string {
  return inner === '' || inner.startsWith('[') ? part + inner : `${part}.${inner}`;
}

interface Node {
  write(w: Writer, v: unknown): void;
  read(r: Reader): SomeipValue;
}

const INT_RANGES: Record<string, [number, number]> = {
  uint8: [0, 0xff],
  uint16: [0, 0xffff],
  uint32: [0, 0xffffffff],
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  int32: [-0x80000000, 0x7fffffff],
};

function need(r: Reader, n: number, what: string): void {
  if (r.end - r.pos < n) throw new PathFault('', `truncated ${what}: needs ${n} bytes, ${r.end - r.pos} left`, r.pos);
}

function primitive(kind: PrimitiveKind, le: boolean): Node {
  const size = PRIMITIVE_SIZES[kind];
  const range = INT_RANGES[kind];
  const bad = (v: unknown, expect: string): PathFault => new PathFault('', `expected ${expect}, got ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v)}`, -1);
  let put: (view: DataView, p: number, v: unknown) => void;
  let get: (view: DataView, p: number) => SomeipValue;
  if (range) {
    const [lo, hi] = range;
    const setter = {
      uint8: (d: DataView, p: number, v: number) => d.setUint8(p, v),
      int8: (d: DataView, p: number, v: number) => d.setInt8(p, v),
      uint16: (d: DataView, p: number, v: number) => d.setUint16(p, v, le),
      int16: (d: DataView, p: number, v: number) => d.setInt16(p, v, le),
      uint32: (d: DataView, p: number, v: number) => d.setUint32(p, v, le),
      int32: (d: DataView, p: number, v: number) => d.setInt32(p, v, le),
    }[kind as keyof typeof INT_RANGES] as (d: DataView, p: number, v: number) => void;
    put = (d, p, v) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(v, `an integer in ${lo}..${hi} (${kind})`);
      setter(d, p, v);
    };
    get = {
      uint8: (d: DataView, p: number) => d.getUint8(p),
      int8: (d: DataView, p: number) => d.getInt8(p),
      uint16: (d: DataView, p: number) => d.getUint16(p, le),
      int16: (d: DataView, p: number) => d.getInt16(p, le),
      uint32: (d: DataView, p: number) => d.getUint32(p, le),
      int32: (d: DataView, p: number) => d.getInt32(p, le),
    }[kind as keyof typeof INT_RANGES] as (d: DataView, p: number) => number;
  } else if (kind === 'uint64' || kind === 'int64') {
    const signed = kind === 'int64';
    const lo = signed ? -(1n << 63n) : 0n;
    const hi = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
    put = (d, p, v) => {
      if (typeof v !== 'bigint' || v < lo || v > hi) throw bad(v, `a bigint in ${lo}..${hi} (${kind})`);
      if (signed) d.setBigInt64(p, v, le);
      else d.setBigUint64(p, v, le);
    };
    get = signed ? (d, p) => d.getBigInt64(p, le) : (d, p) => d.getBigUint64(p, le);
  } else if (kind === 'boolean') {
    put = (d, p, v) => {
      if (typeof v !== 'boolean') throw bad(v, 'a boolean');
      d.setUint8(p, v ? 1 : 0);
    };
    get = (d, p) => {
      const b = d.getUint8(p);
      if (b > 1) throw new PathFault('', `boolean byte is ${b}, must be 0 or 1`, p);
      return b === 1;
    };
  } else {
    const f32 = kind === 'float32';
    put = (d, p, v) => {
      if (typeof v !== 'number') throw bad(v, `a number (${kind})`);
      if (f32) d.setFloat32(p, v, le);
      else d.setFloat64(p, v, le);
    };
    get = f32 ? (d, p) => d.getFloat32(p, le) : (d, p) => d.getFloat64(p, le);
  }
  return {
    write(w, v) {
      w.ensure(size);
      put(w.view, w.pos, v);
      w.pos += size;
    },
    read(r) {
      need(r, size, kind);
      const v = get(r.view, r.pos);
      r.pos += size;
      return v;
    },
  };
}

/** Reserves a length field; returns a function that fills it once the content is written. */
function beginLength(w: Writer, bits: LengthFieldBits, le: boolean): () => void {
  const at = w.pos;
  const n = bits / 8;
  w.ensure(n);
  w.pos += n;
  return () => {
    const len = w.pos - at - n;
    const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    if (len > max) throw new PathFault('', `${len} bytes do not fit a ${bits}-bit length field`, -1);
    if (bits === 8) w.view.setUint8(at, len);
    else if (bits === 16) w.view.setUint16(at, len, le);
    else w.view.setUint32(at, len, le);
  };
}

/** Reads a length field and narrows the reader to the content; returns the outer limit to restore. */
function enterLength(r: Reader, bits: LengthFieldBits, le: boolean, what: string): number {
  const n = bits / 8;
  need(r, n, `${what} length field`);
  const len = bits === 8 ? r.view.getUint8(r.pos) : bits === 16 ? r.view.getUint16(r.pos, le) : r.view.getUint32(r.pos, le);
  const at = r.pos;
  r.pos += n;
  if (len > r.end - r.pos) throw new PathFault('', `${what} length field says ${len} bytes, only ${r.end - r.pos} remain`, at);
  const outer = r.end;
  r.end = r.pos + len;
  return outer;
}

const BOM_UTF8 = [0xef, 0xbb, 0xbf];
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16leDecoder = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
// With the u flag a valid pair is one code point, so only unpaired halves match.
const LONE_SURROGATE = /\p{Cs}/u;

function encodeText(s: string, enc: StringEncoding): Uint8Array {
  if (enc === 'utf-8') {
    const body = utf8Encoder.encode(s);
    const out = new Uint8Array(body.length + 4);
    out.set(BOM_UTF8, 0);
    out.set(body, 3);
    return out;
  }
  const out = new Uint8Array(2 + s.length * 2 + 2);
  const d = new DataView(out.buffer);
  const le = enc === 'utf-16le';
  d.setUint16(0, 0xfeff, le);
  for (let i = 0; i < s.length; i++) d.setUint16(2 + i * 2, s.charCodeAt(i), le);
  return out;
}

function decodeText(bytes: Uint8Array, enc: StringEncoding, at: number): string {
  const unit = enc === 'utf-8' ? 1 : 2;
  if (enc === 'utf-8') {
    if (bytes.length < 4 || bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) throw new PathFault('', 'UTF-8 string lacks its BOM EF BB BF', at);
  } else {
    const bom = enc === 'utf-16be' ? [0xfe, 0xff] : [0xff, 0xfe];
    if (bytes.length < 4 || bytes.length % 2 !== 0 || bytes[0] !== bom[0] || bytes[1] !== bom[1]) {
      throw new PathFault('', `${enc} string lacks its BOM or has an odd length`, at);
    }
  }
  const start = enc === 'utf-8' ? 3 : 2;
  // The text ends at the first NUL; a fixed string pads with NULs after it.
  let stop = -1;
  for (let i = start; i + unit <= bytes.length; i += unit) {
    if (bytes[i] === 0 && (unit === 1 || bytes[i + 1] === 0)) {
      stop = i;
      break;
    }
  }
  if (stop < 0) throw new PathFault('', 'string lacks its terminating NUL', at + bytes.length - 1);
  for (let i = stop; i < bytes.length; i++) if (bytes[i] !== 0) throw new PathFault('', 'non-zero byte after the terminating NUL', at + i);
  const body = bytes.subarray(start, stop);
  try {
    if (enc === 'utf-8') return utf8Decoder.decode(body);
    if (enc === 'utf-16le') return utf16leDecoder.decode(body);
    const swapped = new Uint8Array(body.length);
    for (let i = 0; i < body.length; i += 2) {
      swapped[i] = body[i + 1] as number;
      swapped[i + 1] = body[i] as number;
    }
    return utf16leDecoder.decode(swapped);
  } catch (e) {
    throw new PathFault('', `invalid ${enc} text: ${(e as Error).message}`, at + start);
  }
}

function stringNode(t: Extract<SomeipType, { type: 'string' }>, le: boolean): Node {
  const enc = t.encoding ?? 'utf-8';
  const fixed = t.fixedBytes;
  const bits = t.lengthField ?? (fixed === undefined ? 32 : 0);
  return {
    write(w, v) {
      if (typeof v !== 'string') throw new PathFault('', `expected a string, got ${typeof v}`, -1);
      if (v.includes('\0')) throw new PathFault('', 'a string cannot contain NUL (it terminates the string)', -1);
      if (LONE_SURROGATE.test(v)) throw new PathFault('', 'a string cannot contain lone surrogates', -1);
      const bytes = encodeText(v, enc);
      const done = bits ? beginLength(w, bits, le) : undefined;
      if (fixed !== undefined && bytes.length > fixed) throw new PathFault('', `${bytes.length} bytes exceed the fixed size ${fixed}`, -1);
      const n = fixed ?? bytes.length;
      w.ensure(n);
      w.bytes.set(bytes, w.pos);
      w.bytes.fill(0, w.pos + bytes.length, w.pos + n);
      w.pos += n;
      done?.();
    },
    read(r) {
      const outer = bits ? enterLength(r, bits, le, 'string') : r.end;
      const n = fixed ?? r.end - r.pos;
      need(r, n, 'string');
      const at = r.pos;
      const s = decodeText(r.bytes.subarray(at, at + n), enc, at);
      r.pos = bits ? r.end : at + n;
      r.end = outer;
      return s;
    },
  };
}

function arrayNode(t: Extract<SomeipType, { type: 'array' }>, le: boolean): Node {
  const el = compileNode(t.element, le);
  const fixed = t.length;
  const bits = t.lengthField ?? (fixed === undefined ? 32 : 0);
  return {
    write(w, v) {
      if (!Array.isArray(v)) throw new PathFault('', `expected an array, got ${typeof v}`, -1);
      if (fixed !== undefined && v.length !== fixed) throw new PathFault('', `expected ${fixed} elements, got ${v.length}`, -1);
      const done = bits ? beginLength(w, bits, le) : undefined;
      for (let i = 0; i < v.length; i++) {
        try {
          el.write(w, v[i]);
        } catch (e) {
          throw e instanceof PathFault ? new PathFault(joinPath(`[${i}]`, e.path), e.detail, e.offset) : e;
        }
      }
      done?.();
    },
    read(r) {
      const outer = bits ? enterLength(r, bits, le, 'array') : r.end;
      const out: SomeipValue[] = [];
      for (let i = 0; fixed === undefined ? r.pos < r.end : i < fixed; i++) {
        try {
          const before = r.pos;
          out.push(el.read(r));
          if (fixed === undefined && r.pos === before) throw new PathFault('', 'element took no bytes', r.pos);
        } catch (e) {
          throw e instanceof PathFault ? new PathFault(joinPath(`[${i}]`, e.path), e.detail, e.offset) : e;
        }
      }
      if (bits) r.pos = r.end;
      r.end = outer;
      return out;
    },
  };
}

function structNode(t: Extract<SomeipType, { type: 'struct' }>, le: boolean): Node {
  const fields = t.fields.map((f) => ({ name: f.name, node: compileNode(f.type, le) }));
  const bits = t.lengthField ?? 0;
  return {
    write(w, v) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PathFault('', `expected an object, got ${v === null ? 'null' : typeof v}`, -1);
      const obj = v as Record<string, unknown>;
      const done = bits ? beginLength(w, bits, le) : undefined;
      for (const f of fields) {
        try {
          if (!(f.name in obj)) throw new PathFault('', 'missing field', -1);
          f.node.write(w, obj[f.name]);
        } catch (e) {
          throw e instanceof PathFault ? new PathFault(joinPath(f.name, e.path), e.detail, e.offset) : e;
        }
      }
      done?.();
    },
    read(r) {
      const outer = bits ? enterLength(r, bits, le, 'struct') : r.end;
      const out: Record<string, SomeipValue> = {};
      for (const f of fields) {
        try {
          out[f.name] = f.node.read(r);
        } catch (e) {
          throw e instanceof PathFault ? new PathFault(joinPath(f.name, e.path), e.detail, e.offset) : e;
        }
      }
      // A length-delimited struct may come from a newer interface version with extra members: skip them.
      if (bits) r.pos = r.end;
      r.end = outer;
      return out;
    },
  };
}

function compileNode(t: SomeipType, le: boolean): Node {
  switch (t.type) {
    case 'string':
      return stringNode(t, le);
    case 'array':
      return arrayNode(t, le);
    case 'struct':
      return structNode(t, le);
    default:
      return primitive(t.type, le);
  }
}

export interface SerializerOptions {
  /** Byte order of numbers and length fields; SOME/IP's default is big-endian. */
  readonly byteOrder?: ByteOrder;
}

export interface DecodePayloadOptions {
  /** Accept bytes after the value (default false: trailing bytes are an error). */
  readonly allowTrailing?: boolean;
  /** Added to byte offsets in errors, e.g. the payload's position in the datagram. */
  readonly baseOffset?: number;
}

/** An immutable compiled codec for one payload type. */
export interface PayloadCodec {
  readonly schema: SomeipType;
  /** @throws {SomeipSerializeError} naming the path of a value that does not fit the schema. */
  encode(value: unknown): Uint8Array;
  /** @throws {SomeipParseError} naming the byte offset and path where the bytes do not fit. */
  decode(bytes: Uint8Array, opts?: DecodePayloadOptions): SomeipValue;
}

/**
 * Compiles a payload type into an encoder/decoder pair.
 * @param schema - the payload type; validated here, so JSON input is fine.
 * @throws {SomeipSerializeError} when the schema itself is invalid.
 */
export function compilePayload(schema: SomeipType, opts: SerializerOptions = {}): PayloadCodec {
  validateSchema(schema);
  const le = opts.byteOrder === 'little';
  const root = compileNode(schema, le);
  return Object.freeze({
    schema,
    encode(value: unknown): Uint8Array {
      const w = new Writer();
      try {
        root.write(w, value);
      } catch (e) {
        if (e instanceof PathFault) throw new SomeipSerializeError(e.path, e.detail);
        throw e;
      }
      return w.bytes.slice(0, w.pos);
    },
    decode(bytes: Uint8Array, o: DecodePayloadOptions = {}): SomeipValue {
      const base = o.baseOffset ?? 0;
      const r: Reader = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos: 0, end: bytes.length };
      let v: SomeipValue;
      try {
        v = root.read(r);
      } catch (e) {
        if (e instanceof PathFault) throw new SomeipParseError(base + e.offset, `${e.path || '<root>'}: ${e.detail}`);
        throw e;
      }
      if (!o.allowTrailing && r.pos !== bytes.length) {
        throw new SomeipParseError(base + r.pos, `${bytes.length - r.pos} unexpected bytes after the payload`);
      }
      return v;
    },
  });
}
