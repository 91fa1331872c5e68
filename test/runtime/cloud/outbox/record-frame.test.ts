import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, encodeFrame, scanFrames } from '../../../../runtime/cloud/outbox/record-frame.js';
import { crc32 as zlibCrc32 } from 'node:zlib';

describe('outbox record framing', () => {
  it('computes the same CRC-32 as zlib', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(crc32(b)).toBe(zlibCrc32(b));
      }),
    );
  });

  it('reads back every frame written, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }), (bodies) => {
        const file = Buffer.concat(bodies.map(encodeFrame));
        const scan = scanFrames(file);
        expect(scan.validBytes).toBe(file.length);
        expect(scan.frames.map((f) => Buffer.from(f.body).toString('hex'))).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
      }),
    );
  });

  it('keeps exactly the whole frames of a file cut at any byte', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 10 }), fc.nat(), (bodies, at) => {
        const frames = bodies.map(encodeFrame);
        const file = Buffer.concat(frames);
        const cut = at % (file.length + 1);
        const scan = scanFrames(file.subarray(0, cut));
        let whole = 0;
        let end = 0;
        for (const f of frames) {
          if (end + f.length > cut) break;
          end += f.length;
          whole++;
        }
        expect(scan.frames.length).toBe(whole);
        expect(scan.validBytes).toBe(end);
      }),
    );
  });

  it('stops at a frame whose body was overwritten and says where', () => {
    const file = Buffer.concat([encodeFrame(Uint8Array.of(1, 2, 3)), encodeFrame(Uint8Array.of(4, 5, 6))]);
    file.writeUInt8((file.at(-1) ?? 0) ^ 0xff, file.length - 1);
    const scan = scanFrames(file);
    expect(scan.frames.length).toBe(1);
    expect(scan.tornReason).toBe('CRC mismatch at byte 11');
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const scan = scanFrames(b);
        expect(scan.validBytes).toBeLessThanOrEqual(b.length);
      }),
    );
  });
});
