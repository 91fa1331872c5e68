import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteSlab } from '../../../bus/trace/byte-slab.js';
import { ChannelNames, charsOf, parseDecimalSeconds, parseDecInt, parseHexInt } from '../../../bus/trace/chars.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('reading numbers from characters', () => {
  it('reads decimal seconds exactly as Number does, for bytes and for strings', () => {
    const text = fc.oneof(
      fc.tuple(fc.stringMatching(/^[0-9]{0,12}$/), fc.stringMatching(/^[0-9]{0,9}$/)).map(([a, b]) => `${a}.${b}`),
      fc.stringMatching(/^[0-9]{1,25}(\.[0-9]{0,25})?$/),
      fc.integer({ min: 0, max: 4_000_000_000_000_000 }).map((us) => (us / 1e6).toFixed(6)),
    );
    fc.assert(
      fc.property(text, (t) => {
        const expected = /[0-9]/.test(t) ? Number(t) : NaN;
        expect(Object.is(parseDecimalSeconds(latin1(t), 0, t.length), expected)).toBe(true);
        expect(Object.is(parseDecimalSeconds(charsOf(t), 0, t.length), expected)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects what is not decimal seconds', () => {
    for (const t of ['', '.', '1.2.3', '1e5', '-1', ' 1', '1,5', '0x10', '1\u0661']) {
      expect(parseDecimalSeconds(charsOf(t), 0, t.length), JSON.stringify(t)).toBeNaN();
    }
  });

  it('reads hex and decimal integers only within the range given', () => {
    const b = latin1('xx1aFz 0042 123456789');
    expect(parseHexInt(b, 2, 5)).toBe(0x1af);
    expect(parseHexInt(b, 2, 6)).toBe(-1);
    expect(parseHexInt(b, 3, 3)).toBe(-1);
    expect(parseDecInt(b, 7, 11)).toBe(42);
    expect(parseHexInt(b, 12, 21)).toBe(-1); // more than 8 digits
    // A character above U+00FF whose low byte is a digit is not a digit.
    expect(parseHexInt(charsOf('1\u0131'), 0, 2)).toBe(-1);
    expect(parseDecInt(charsOf('1\u0131'), 0, 2)).toBe(-1);
  });
});

describe('channel names', () => {
  it('gives the same string for the same characters and different ones for different', () => {
    const names = new ChannelNames();
    const b = latin1('can0 can1 can0 vcan0');
    const a = names.name(b, 0, 4);
    expect(a).toBe('can0');
    expect(names.name(b, 5, 9)).toBe('can1');
    expect(names.name(b, 10, 14)).toBe(a);
    expect(names.name(b, 15, 20)).toBe('vcan0');
    expect(names.name(charsOf('can\u20ac'), 0, 4)).toBe('can\u20ac');
  });

  it('keeps naming correctly past the number it remembers', () => {
    const names = new ChannelNames();
    for (let i = 0; i < 100; i++) {
      const s = `ch${i}`;
      expect(names.name(latin1(s), 0, s.length)).toBe(s);
    }
    expect(names.name(latin1('ch99'), 0, 4)).toBe('ch99');
  });
});

describe('payload slabs', () => {
  it('hands out views that later payloads never overwrite', () => {
    const slab = new ByteSlab(16);
    const views: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      const n = (i % 7) + 1;
      const room = slab.room(n);
      room.fill(i, slab.offset, slab.offset + n);
      views.push(slab.take(n));
    }
    views.forEach((v, i) => {
      expect(v.length).toBe((i % 7) + 1);
      expect([...v].every((x) => x === i)).toBe(true);
    });
    // A payload larger than a slab gets a slab of its own.
    const big = slab.room(100);
    big.fill(7, slab.offset, slab.offset + 100);
    expect([...slab.take(100)].every((x) => x === 7)).toBe(true);
    expect(slab.take(0).length).toBe(0);
  });
});
