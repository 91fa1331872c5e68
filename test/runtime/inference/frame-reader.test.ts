/** Cutting a byte stream into frames, however the reads split it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../../runtime/inference/frame-reader.js';
import { WireFormatError } from '../../../runtime/inference/wire.js';

function framed(body: Uint8Array): Buffer {
  const f = Buffer.alloc(4 + body.length);
  f.writeUInt32LE(body.length, 0);
  f.set(body, 4);
  return f;
}

/** Splits `stream` at the given cut points (taken modulo its length). */
function split(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, stream.length]) {
    parts.push(stream.subarray(prev, c));
    prev = c;
  }
  return parts;
}

describe('FrameReader', () => {
  it('gives back every frame, in order and intact, however the stream is split into reads', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (bodies, cuts) => {
        const got: number[][] = [];
        const reader = new FrameReader('adas', (b) => got.push(Array.from(b)));
        for (const part of split(Buffer.concat(bodies.map(framed)), cuts)) reader.push(part);
        expect(got).toEqual(bodies.map((b) => Array.from(b)));
        expect(reader.pending).toBe(0);
      }),
    );
  });

  it('holds a partial frame until its last byte arrives', () => {
    const got: Buffer[] = [];
    const reader = new FrameReader('adas', (b) => got.push(b));
    const f = framed(Uint8Array.from([1, 2, 3, 4, 5]));
    reader.push(f.subarray(0, 2));
    reader.push(f.subarray(2, 7));
    expect(got).toEqual([]);
    expect(reader.pending).toBe(7);
    reader.push(f.subarray(7));
    expect(got.map((b) => Array.from(b))).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('hands out views of a read that holds whole frames, without copying', () => {
    const got: Buffer[] = [];
    const chunk = Buffer.concat([framed(Uint8Array.from([9])), framed(Uint8Array.from([8, 7]))]);
    new FrameReader('adas', (b) => got.push(b)).push(chunk);
    expect(got.map((b) => b.buffer)).toEqual([chunk.buffer, chunk.buffer]);
  });

  it('rejects a length over the limit with its stream offset, after the frames before it', () => {
    const got: number[][] = [];
    const reader = new FrameReader('adas', (b) => got.push(Array.from(b)), 16);
    const bad = Buffer.alloc(4);
    bad.writeUInt32LE(17, 0);
    const err = (() => {
      try {
        reader.push(Buffer.concat([framed(Uint8Array.from([1, 2])), bad]));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(got).toEqual([[1, 2]]);
    expect(err).toBeInstanceOf(WireFormatError);
    expect(err).toMatchObject({ offset: 6, message: 'adas: malformed frame at byte 6: frame length 17 over the limit of 16 bytes' });
  });

  it('rejects an oversized length even when it arrives a byte at a time', () => {
    const reader = new FrameReader('body', () => undefined, 100);
    const bad = Buffer.from([0xff, 0xff, 0xff, 0x7f]);
    reader.push(bad.subarray(0, 1));
    reader.push(bad.subarray(1, 3));
    expect(() => reader.push(bad.subarray(3))).toThrow(WireFormatError);
  });
});
