import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compilePayload } from '../../../bus/someip/serializer.js';
import { validateSchema, type LengthFieldBits, type PrimitiveKind, type SomeipType, type SomeipValue } from '../../../bus/someip/schema.js';
import { SomeipParseError, SomeipSerializeError } from '../../../bus/someip/errors.js';

const PRIMS: PrimitiveKind[] = ['uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean'];
const lf = (allowZero: boolean): fc.Arbitrary<LengthFieldBits | undefined> =>
  fc.constantFrom<LengthFieldBits | undefined>(...((allowZero ? [undefined, 0, 8, 16, 32] : [undefined, 16, 32]) as (LengthFieldBits | undefined)[]));

const schemaArb: fc.Arbitrary<SomeipType> = fc.letrec<{ t: SomeipType }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...PRIMS).map((type) => ({ type })),
    fc.record({ type: fc.constant('string' as const), encoding: fc.constantFrom('utf-8', 'utf-16le', 'utf-16be'), lengthField: lf(false) }).map(clean),
    fc.record({ type: fc.constant('string' as const), encoding: fc.constantFrom('utf-8', 'utf-16be'), fixedBytes: fc.integer({ min: 20, max: 40 }).map((n) => n * 2) }),
    fc.record({ type: fc.constant('array' as const), element: tie('t'), lengthField: lf(false) }).map(clean),
    fc.record({ type: fc.constant('array' as const), element: tie('t'), length: fc.integer({ min: 0, max: 3 }) }),
    fc.record({
      type: fc.constant('struct' as const),
      lengthField: lf(true),
      fields: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), type: tie('t') }), { selector: (f) => f.name, maxLength: 4 }),
    }).map(clean),
  ),
})).t.filter((s) => {
  try {
    validateSchema(s);
    return true;
  } catch {
    return false; // e.g. a dynamic array of empty structs, which the schema check rightly refuses
  }
});

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function valueArb(t: SomeipType): fc.Arbitrary<SomeipValue> {
  switch (t.type) {
    case 'uint8': return fc.integer({ min: 0, max: 0xff });
    case 'uint16': return fc.integer({ min: 0, max: 0xffff });
    case 'uint32': return fc.integer({ min: 0, max: 0xffffffff });
    case 'int8': return fc.integer({ min: -128, max: 127 });
    case 'int16': return fc.integer({ min: -32768, max: 32767 });
    case 'int32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint64': return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    case 'int64': return fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    case 'float32': return fc.float({ noNaN: true });
    case 'float64': return fc.double({ noNaN: true });
    case 'boolean': return fc.boolean();
    case 'string': {
      // A fixed string must fit its text, BOM and NUL in either encoding.
      const room = (t.fixedBytes ?? Infinity) - 4;
      return fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0') && Buffer.byteLength(s) <= room && s.length * 2 <= room);
    }
    case 'array': return fc.array(valueArb(t.element), t.length !== undefined ? { minLength: t.length, maxLength: t.length } : { maxLength: 3 });
    case 'struct': return fc.record(Object.fromEntries(t.fields.map((f) => [f.name, valueArb(f.type)])));
  }
}

describe('SOME/IP payload serializer', () => {
  it('round-trips random schemas and values in both byte orders', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), valueArb(s), fc.constantFrom('big' as const, 'little' as const))),
        ([schema, value, byteOrder]) => {
          const codec = compilePayload(schema, { byteOrder });
          let bytes: Uint8Array;
          try {
            bytes = codec.encode(value);
          } catch (e) {
            // Random contents can outgrow a random 8- or 16-bit length field: that must be the typed
            // error naming the overflow, and such a value has no round trip to check.
            expect(e).toBeInstanceOf(SomeipSerializeError);
            expect((e as Error).message).toMatch(/bytes do not fit a (8|16)-bit length field/);
            return;
          }
          const back = codec.decode(bytes);
          // fc.float yields only float32-representable numbers, so exact equality holds there too.
          expect(back).toEqual(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws only SomeipParseError for random bytes against random schemas', () => {
    fc.assert(
      fc.property(schemaArb, fc.uint8Array({ maxLength: 64 }), (schema, bytes) => {
        try {
          compilePayload(schema).decode(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(SomeipParseError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('writes a struct exactly as the specification lays it out, big-endian', () => {
    const codec = compilePayload({
      type: 'struct',
      fields: [
        { name: 'speed', type: { type: 'uint16' } },
        { name: 'valid', type: { type: 'boolean' } },
        { name: 'name', type: { type: 'string' } },
        { name: 'ids', type: { type: 'array', element: { type: 'int8' }, lengthField: 8 } },
      ],
    });
    const bytes = codec.encode({ speed: 0x1234, valid: true, name: 'ab', ids: [-1, 2] });
    expect([...bytes]).toEqual([0x12, 0x34, 0x01, 0, 0, 0, 6, 0xef, 0xbb, 0xbf, 0x61, 0x62, 0x00, 2, 0xff, 0x02]);
  });

  it('decodes little-endian numbers and a UTF-16LE string built by hand', () => {
    const codec = compilePayload(
      { type: 'struct', lengthField: 16, fields: [{ name: 'x', type: { type: 'uint32' } }, { name: 's', type: { type: 'string', encoding: 'utf-16le', lengthField: 8 } }] },
      { byteOrder: 'little' },
    );
    const bytes = new Uint8Array([13, 0, 0x78, 0x56, 0x34, 0x12, 8, 0xff, 0xfe, 0x68, 0x00, 0x69, 0x00, 0x00, 0x00]);
    expect(codec.decode(bytes)).toEqual({ x: 0x12345678, s: 'hi' });
  });

  it('skips unknown trailing members of a length-delimited struct from a newer version', () => {
    const codec = compilePayload({ type: 'struct', lengthField: 8, fields: [{ name: 'a', type: { type: 'uint8' } }] });
    expect(codec.decode(new Uint8Array([3, 7, 8, 9]))).toEqual({ a: 7 });
  });

  it('names the path and offset of bytes that do not fit', () => {
    const codec = compilePayload({ type: 'struct', fields: [{ name: 'list', type: { type: 'array', element: { type: 'struct', fields: [{ name: 'on', type: { type: 'boolean' } }] } } }] });
    let err: unknown;
    try {
      codec.decode(new Uint8Array([0, 0, 0, 2, 1, 5]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SomeipParseError);
    expect((err as SomeipParseError).offset).toBe(5);
    expect((err as Error).message).toMatch(/list\[1\]\.on: boolean byte is 5/);
    expect(() => codec.decode(new Uint8Array([0, 0, 0, 9, 1]))).toThrow(/length field says 9 bytes/);
  });

  it('rejects strings without BOM or terminator and trailing bytes', () => {
    const s = compilePayload({ type: 'string', lengthField: 8 });
    expect(() => s.decode(new Uint8Array([3, 0x61, 0x62, 0]))).toThrow(/BOM/);
    expect(() => s.decode(new Uint8Array([5, 0xef, 0xbb, 0xbf, 0x61, 0x62]))).toThrow(/terminating NUL/);
    expect(() => s.decode(new Uint8Array([4, 0xef, 0xbb, 0xbf, 0, 9]))).toThrow(/1 unexpected bytes/);
  });

  it('names the path of a value that does not fit the schema', () => {
    const codec = compilePayload({ type: 'struct', fields: [{ name: 'xs', type: { type: 'array', element: { type: 'uint8' }, length: 2 } }] });
    expect(() => codec.encode({ xs: [1, 300] })).toThrow(SomeipSerializeError);
    expect(() => codec.encode({ xs: [1, 300] })).toThrow(/xs\[1\]: expected an integer in 0\.\.255/);
    expect(() => codec.encode({ xs: [1] })).toThrow(/xs: expected 2 elements/);
    expect(() => codec.encode({})).toThrow(/xs: missing field/);
    const short = compilePayload({ type: 'array', element: { type: 'uint32' }, lengthField: 8 });
    expect(() => short.encode(new Array(64).fill(1))).toThrow(/256 bytes do not fit a 8-bit length field/);
    expect(() => compilePayload({ type: 'string', fixedBytes: 6 }).encode('toolong')).toThrow(/exceed the fixed size 6/);
  });

  it('rejects invalid schemas, for instance loaded from JSON', () => {
    expect(() => validateSchema(JSON.parse('{"type":"struct","fields":[{"name":"a","type":{"type":"uint7"}}]}'))).toThrow(/schema\.a: unknown type "uint7"/);
    expect(() => validateSchema({ type: 'array', element: { type: 'uint8' }, lengthField: 0 })).toThrow(/needs a length field/);
    expect(() => validateSchema({ type: 'string', lengthField: 12 })).toThrow(/lengthField must be/);
    expect(() => validateSchema({ type: 'array', element: { type: 'struct', fields: [] } })).toThrow(/at least one byte/);
  });
});
