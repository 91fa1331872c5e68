/**
 * The service interface description for payloads: a small type language that can be written in TS
 * or loaded from JSON. The serializer compiles it once into an encoder/decoder pair.
 *
 * Defaults follow the SOME/IP specification: big-endian, dynamic strings and arrays carry a 32-bit
 * length field (in bytes), structs carry none, strings are UTF-8 with BOM and a terminating NUL.
 */
import { SomeipSerializeError } from './errors.js';

export type LengthFieldBits = 0 | 8 | 16 | 32;

export type IntegerKind = 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32';
export type BigIntKind = 'uint64' | 'int64';
export type PrimitiveKind = IntegerKind | BigIntKind | 'float32' | 'float64' | 'boolean';
export type StringEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface PrimitiveType {
  readonly type: PrimitiveKind;
}

export interface StringType {
  readonly type: 'string';
  /** Default 'utf-8'. */
  readonly encoding?: StringEncoding;
  /** Fixed-size string: exactly this many bytes on the wire (BOM, text, NUL, NUL padding). */
  readonly fixedBytes?: number;
  /** Width of the length field of a dynamic string, default 32; 0 only with `fixedBytes`. */
  readonly lengthField?: LengthFieldBits;
}

export interface ArrayType {
  readonly type: 'array';
  readonly element: SomeipType;
  /** Fixed-length array: exactly this many elements, no length field. */
  readonly length?: number;
  /** Width of the length field (in bytes of content) of a dynamic array, default 32. */
  readonly lengthField?: LengthFieldBits;
}

export interface StructField {
  readonly name: string;
  readonly type: SomeipType;
}

export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly StructField[];
  /** Width of an optional length field before the struct, default 0 (none). */
  readonly lengthField?: LengthFieldBits;
}

export type SomeipType = PrimitiveType | StringType | ArrayType | StructType;

/** A decoded payload value: 64-bit integers are bigint, other numbers number. */
export type SomeipValue = number | bigint | boolean | string | readonly SomeipValue[] | { readonly [field: string]: SomeipValue };

export type ByteOrder = 'big' | 'little';

export const PRIMITIVE_SIZES: Readonly<Record<PrimitiveKind, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  uint64: 8,
  int64: 8,
  float32: 4,
  float64: 8,
  boolean: 1,
};

const LENGTH_FIELDS: readonly number[] = [0, 8, 16, 32];

/** The fewest bytes a value of this type takes on the wire. */
export function minWireSize(t: SomeipType): number {
  switch (t.type) {
    case 'string':
      return t.fixedBytes ?? (t.lengthField ?? 32) / 8;
    case 'array':
      return t.length !== undefined ? t.length * minWireSize(t.element) : (t.lengthField ?? 32) / 8;
    case 'struct':
      return (t.lengthField ?? 0) / 8 + t.fields.reduce((n, f) => n + minWireSize(f.type), 0);
    default:
      return PRIMITIVE_SIZES[t.type];
  }
}

/**
 * Checks a schema (for instance one loaded from JSON) and returns it typed.
 * @throws {SomeipSerializeError} naming the path of the first invalid node.
 */
export function validateSchema(t: unknown, path = ''): SomeipType {
  const fail = (detail: string): never => {
    throw new SomeipSerializeError(`schema${path}`, detail);
  };
  if (typeof t !== 'object' || t === null) return fail('a type must be an object with a "type" key');
  const node = t as Record<string, unknown>;
  const lf = node.lengthField;
  if (lf !== undefined && !LENGTH_FIELDS.includes(lf as number)) fail(`lengthField must be 0, 8, 16 or 32, not ${String(lf)}`);
  switch (node.type) {
    case 'string': {
      const enc = node.encoding;
      if (enc !== undefined && enc !== 'utf-8' && enc !== 'utf-16le' && enc !== 'utf-16be') fail(`unknown string encoding ${String(enc)}`);
      const fixed = node.fixedBytes;
      if (fixed !== undefined) {
        // Both encodings need 4 bytes at least: a 3-byte BOM + 1 NUL, or a 2-byte BOM + 2 NUL.
        if (!Number.isInteger(fixed) || (fixed as number) < 4) fail('fixedBytes must be an integer >= 4 (BOM and NUL)');
        if (enc !== undefined && enc !== 'utf-8' && (fixed as number) % 2 !== 0) fail('a UTF-16 fixedBytes must be even');
      } else if (lf === 0) fail('a dynamic string needs a length field (or set fixedBytes)');
      return node as unknown as StringType;
    }
    case 'array': {
      const len = node.length;
      if (len !== undefined && (!Number.isInteger(len) || (len as number) < 0)) fail('length must be a non-negative integer');
      if (len === undefined && lf === 0) fail('a dynamic array needs a length field (or set length)');
      const element = validateSchema(node.element, `${path}.element`);
      // Elements of zero bytes would make the element count of a dynamic array unknowable.
      if (len === undefined && minWireSize(element) === 0) fail('a dynamic array needs elements of at least one byte');
      return node as unknown as ArrayType;
    }
    case 'struct': {
      if (!Array.isArray(node.fields)) return fail('a struct needs a fields array');
      const seen = new Set<string>();
      node.fields.forEach((f: unknown, i: number) => {
        const field = f as Record<string, unknown> | null;
        if (typeof field?.name !== 'string' || field.name === '') fail(`field ${i} needs a name`);
        const name = (field as { name: string }).name;
        if (seen.has(name)) fail(`duplicate field name ${name}`);
        seen.add(name);
        validateSchema(field?.type, `${path}.${name}`);
      });
      return node as unknown as StructType;
    }
    default:
      if (typeof node.type === 'string' && node.type in PRIMITIVE_SIZES) return node as unknown as PrimitiveType;
      return fail(`unknown type ${JSON.stringify(node.type)}`);
  }
}
