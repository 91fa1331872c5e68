/**
 * The binary frames between supervisor and process worker: round trips of random tensors of every
 * dtype, and every malformed body rejected with a WireFormatError naming the byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TensorArray } from '../../../runtime/inference/tensors.js';
import { decodeFrame, encodeControl, encodeError, encodeResult, encodeRun, WireFormatError, type WireMessage } from '../../../runtime/inference/wire.js';

type Ctor = { new (n: number): TensorArray; readonly BYTES_PER_ELEMENT: number };
const CTORS: readonly Ctor[] = [Float32Array, Float64Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, BigInt64Array];

const bytesOf = (a: TensorArray): number[] => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/** A tensor of any dtype with random bytes (NaN payloads and all), so the test compares bits, not numbers. */
const tensorArb = fc
  .record({
    ctor: fc.constantFrom(...CTORS),
    dims: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ ctor, dims }) => {
    const n = dims.reduce((a, b) => a * b, 1);
    return fc.uint8Array({ minLength: n * ctor.BYTES_PER_ELEMENT, maxLength: n * ctor.BYTES_PER_ELEMENT }).map((raw) => {
      const data = new ctor(n);
      new Uint8Array(data.buffer).set(raw);
      return { data, dims };
    });
  });

const tensorsArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }), tensorArb, { maxKeys: 4 });

/** The body of an encoded frame, placed at an offset in a larger buffer to exercise unaligned reads. */
function body(frame: Buffer, shift = 0): Buffer {
  const b = Buffer.alloc(frame.length - 4 + shift);
  frame.copy(b, shift, 4);
  return b.subarray(shift);
}

function decodeError(b: Buffer): unknown {
  try {
    decodeFrame('adas', b, true);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('wire frames', () => {
  it('round-trip run requests of every dtype, id and variant, aligned or not, viewed or copied', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom('fp32' as const, 'int8' as const), tensorsArb, fc.integer({ min: 0, max: 7 }), fc.boolean(), (id, variant, feeds, shift, copy) => {
        const frame = encodeRun(id, variant, feeds);
        expect(frame.readUInt32LE(0)).toBe(frame.length - 4);
        const m = decodeFrame('adas', body(frame, shift), copy);
        if (m.t !== 'run') throw new Error(`decoded a ${m.t}`);
        expect(m.id).toBe(id);
        expect(m.variant).toBe(variant);
        expect(Object.keys(m.feeds).sort()).toEqual(Object.keys(feeds).sort());
        for (const [name, t] of Object.entries(feeds)) {
          const got = m.feeds[name];
          expect(got?.dims).toEqual(t.dims);
          expect(got?.data.constructor).toBe(t.data.constructor);
          expect(bytesOf(got?.data ?? new Uint8Array())).toEqual(bytesOf(t.data));
        }
      }),
    );
  });

  it('round-trip results into arrays that own exactly their bytes when copied', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), tensorsArb, (id, outputs) => {
        const m = decodeFrame('adas', body(encodeResult(id, outputs)), true);
        if (m.t !== 'result') throw new Error(`decoded a ${m.t}`);
        expect(m.id).toBe(id);
        for (const [name, t] of Object.entries(outputs)) {
          const got = m.outputs[name];
          expect(bytesOf(got?.data ?? new Uint8Array())).toEqual(bytesOf(t.data));
          expect(got?.data.buffer.byteLength).toBe(t.data.byteLength);
        }
      }),
    );
  });

  it('views aligned data in place when not asked to copy', () => {
    const frame = encodeRun(7, 'fp32', { x: { data: Float64Array.from([1.5, -2]), dims: [1, 2] } });
    const b = body(frame, 4);
    const m = decodeFrame('adas', b, false);
    if (m.t !== 'run') throw new Error(`decoded a ${m.t}`);
    expect(m.feeds['x']?.data.buffer).toBe(b.buffer);
    expect(Array.from(m.feeds['x']?.data as Float64Array)).toEqual([1.5, -2]);
  });

  it('keep a tensor named "__proto__" as an entry of its own, not as a prototype', () => {
    const feeds = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;
    feeds['__proto__'] = { data: Float32Array.from([2.5]), dims: [1] };
    const m = decodeFrame('adas', body(encodeRun(3, 'fp32', feeds as never)), true);
    expect(m.t === 'run' && Object.keys(m.feeds)).toEqual(['__proto__']);
    expect(m.t === 'run' && Object.getPrototypeOf(m.feeds)).toBe(Object.prototype);
  });

  it('round-trip errors, faults and close', () => {
    expect(decodeFrame('adas', body(encodeError(9, { name: 'InferenceError', code: 'INFERENCE_FAILED', message: 'adas: boom ✓' })), true)).toEqual({
      t: 'error',
      id: 9,
      error: { name: 'InferenceError', code: 'INFERENCE_FAILED', message: 'adas: boom ✓' },
    });
    for (const kind of ['crash', 'hang', 'leak', 'abort'] as const) expect(decodeFrame('adas', body(encodeControl({ t: '__fault', kind })), true)).toEqual({ t: '__fault', kind });
    expect(decodeFrame('safety', body(encodeControl({ t: '__fault', kind: 'hang', onRunOfSlot: 2 })), true)).toEqual({ t: '__fault', kind: 'hang', onRunOfSlot: 2 });
    expect(decodeFrame('adas', body(encodeControl({ t: 'close' })), true)).toEqual({ t: 'close' });
  });

  it('reject every truncation of a valid frame with a WireFormatError inside the body', () => {
    fc.assert(
      fc.property(tensorsArb.filter((t) => Object.keys(t).length > 0), fc.nat(), (feeds, cut) => {
        const b = body(encodeRun(1, 'fp32', feeds));
        const short = b.subarray(0, cut % b.length);
        const err = decodeError(short);
        expect(err).toBeInstanceOf(WireFormatError);
        expect((err as WireFormatError).offset).toBeLessThanOrEqual(short.length);
      }),
    );
  });

  it('either decode or reject with a WireFormatError after random byte changes, never anything else', () => {
    fc.assert(
      fc.property(tensorsArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (feeds, edits) => {
        const b = body(encodeResult(3, feeds));
        for (const [at, v] of edits) b[at % b.length] = v;
        const err = decodeError(b);
        if (err !== undefined) expect(err).toBeInstanceOf(WireFormatError);
      }),
    );
  });

  it('name the place of each kind of damage', () => {
    const good = (): Buffer => body(encodeRun(5, 'int8', { x: { data: Float32Array.from([1, 2]), dims: [1, 2] } }));
    const cases: [string, (b: Buffer) => Buffer, number, RegExp][] = [
      ['empty', () => Buffer.alloc(0), 0, /empty frame/],
      ['unknown kind', (b) => ((b[0] = 0x44), b), 0, /unknown frame kind 0x44/],
      ['unknown variant', (b) => ((b[1] = 9), b), 1, /unknown variant index 9/],
      ['unknown dtype', (b) => ((b[8] = 8), b), 8, /unknown dtype code 8/],
      ['data length against dims', (b) => (b.writeUInt32LE(12, 12), b), 12, /has 12 data bytes, dims \[1,2\] of float32 need 8/],
      ['trailing bytes', (b) => Buffer.concat([b, Buffer.from([0, 0])]), 36, /2 bytes after the last tensor/],
      ['name not UTF-8', (b) => ((b[24] = 0xff), b), 24, /tensor 0 name is not UTF-8/],
      ['short header', (b) => b.subarray(0, 5), 5, /shorter than its 8-byte header/],
    ];
    for (const [what, damage, offset, message] of cases) {
      const err = decodeError(damage(good()));
      expect(err, what).toBeInstanceOf(WireFormatError);
      expect((err as WireFormatError).offset, what).toBe(offset);
      expect((err as WireFormatError).message, what).toMatch(message);
      expect((err as WireFormatError).message, what).toMatch(/^adas: malformed frame at byte \d+: /);
    }
  });

  it('reject a tensor name that appears twice, an unknown fault and a close with extra bytes', () => {
    const twice = body(encodeRun(1, 'fp32', { a: { data: new Int8Array(1), dims: [1] }, b: { data: new Int8Array(1), dims: [1] } }));
    twice[twice.lastIndexOf(0x62)] = 0x61;
    expect(decodeError(twice)).toMatchObject({ message: expect.stringMatching(/tensor "a" appears twice/) as unknown });
    expect(decodeError(Buffer.from([2, 9]))).toMatchObject({ offset: 1 });
    expect(decodeError(Buffer.from([2, 0, 1, 0]))).toMatchObject({ offset: 1, message: expect.stringMatching(/at most a slot/) as unknown });
    expect(decodeError(Buffer.from([3, 0]))).toMatchObject({ offset: 1, message: expect.stringMatching(/close frame has 1 extra bytes/) as unknown });
    expect(decodeError(Buffer.concat([body(encodeError(1, { name: 'E', code: 'X', message: 'm' })).subarray(0, 8), Buffer.from('{"name":1}')]))).toMatchObject({
      offset: 8,
      message: expect.stringMatching(/lacks name, code or message/) as unknown,
    });
  });

  it('refuse to encode what a frame cannot carry', () => {
    expect(() => encodeRun(1, 'fp32', { x: { data: new Uint32Array(1) as unknown as Int32Array, dims: [1] } })).toThrow(TypeError);
    expect(() => encodeRun(1, 'fp32', { x: { data: new Int8Array(1), dims: new Array<number>(256).fill(1) } })).toThrow(RangeError);
  });

  it('give the same bytes for the same message, padding included', () => {
    const m = { y: { data: Int16Array.from([1, -1, 7]), dims: [3] } };
    expect(encodeResult(4, m).equals(encodeResult(4, m))).toBe(true);
    const decoded: WireMessage = decodeFrame('adas', body(encodeResult(4, m)), true);
    expect(decoded).toMatchObject({ t: 'result', id: 4 });
  });
});
