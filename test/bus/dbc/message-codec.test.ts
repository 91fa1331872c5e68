import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../../../bus/errors.js';
import { bytesNeeded, compileDatabase, occupiedBits, parseDbc, rawRange, type ByteOrder, type MessageCodec } from '../../../bus/dbc/index.js';

interface SigSpec {
  name: string;
  start: number;
  length: number;
  order: ByteOrder;
  signed: boolean;
  float: false | 32 | 64;
}

function codecFor(length: number, specs: readonly SigSpec[], extra = ''): MessageCodec {
  const sigs = specs
    .map((s) => ` SG_ ${s.name} : ${s.start}|${s.length}@${s.order === 'little_endian' ? 1 : 0}${s.signed ? '-' : '+'} (1,0) [0|0] "" Vector__XXX\n`)
    .join('');
  const types = specs.filter((s) => s.float).map((s) => `SIG_VALTYPE_ 100 ${s.name} : ${s.float === 32 ? 1 : 2};\n`).join('');
  const { database } = parseDbc(`BO_ 100 M: ${length} Vector__XXX\n${sigs}${types}${extra}`, { strict: true });
  return compileDatabase(database).byName('M') as MessageCodec;
}

const sigSpec = (name: string, messageLength: number): fc.Arbitrary<SigSpec> =>
  fc
    .record({
      length: fc.integer({ min: 1, max: 64 }),
      order: fc.constantFrom<ByteOrder>('little_endian', 'big_endian'),
      signed: fc.boolean(),
      floatWanted: fc.boolean(),
      start: fc.nat(messageLength * 8 - 1),
    })
    .map(({ length, order, signed, floatWanted, start }) => {
      const float = floatWanted && (length === 32 || length === 64) ? length : false;
      return { name, start, length, order, signed, float } as SigSpec;
    })
    .filter((s) => bytesNeeded(s.start, s.length, s.order) <= messageLength);

function rawValue(s: SigSpec): fc.Arbitrary<number | bigint> {
  if (s.float === 32) return fc.float({ noNaN: true });
  if (s.float === 64) return fc.double({ noNaN: true });
  const [lo, hi] = rawRange({ length: s.length, signed: s.signed } as Parameters<typeof rawRange>[0]);
  const big = fc.bigInt({ min: lo, max: hi });
  return s.length > 53 ? big : big.map(Number);
}

function disjoint(specs: readonly SigSpec[]): boolean {
  const used = new Set<number>();
  for (const s of specs) {
    for (const b of occupiedBits(s.start, s.length, s.order)) {
      if (used.has(b)) return false;
      used.add(b);
    }
  }
  return true;
}

describe('compiled message codecs', () => {
  it('round-trips raw values of random signal layouts exactly (Intel/Motorola, signed/unsigned, 1..64 bits, floats)', () => {
    const layout = fc
      .integer({ min: 1, max: 4 })
      .chain((n) => fc.constantFrom(8, 64).chain((len) => fc.tuple(fc.constant(len), fc.tuple(...Array.from({ length: n }, (_, i) => sigSpec(`S${i}`, len))))))
      .filter(([, specs]) => disjoint(specs));
    fc.assert(
      fc.property(
        layout.chain(([len, specs]) => fc.tuple(fc.constant(len), fc.constant(specs), fc.tuple(...specs.map(rawValue)), fc.boolean())),
        ([len, specs, values, padding]) => {
          const codec = codecFor(len, specs);
          const input = Object.fromEntries(specs.map((s, i) => [s.name, values[i] as number | bigint]));
          const bytes = codec.encode(input, { scaling: false, padding });
          expect(bytes.length).toBe(len);
          const back = codec.decodeRaw(bytes);
          for (const s of specs) expect(Object.is(back[s.name], input[s.name]) || back[s.name] === input[s.name], s.name).toBe(true);
          // Re-encoding what was decoded gives the same bytes.
          expect(codec.encode(back, { scaling: false, padding })).toEqual(bytes);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('decodes random bytes of plain messages without throwing, even with overlapping signals', () => {
    const layout = fc.constantFrom(8, 64).chain((len) =>
      fc.tuple(fc.constant(len), fc.tuple(sigSpec('A', len), sigSpec('B', len), sigSpec('C', len)), fc.uint8Array({ minLength: len, maxLength: len })),
    );
    fc.assert(
      fc.property(layout, ([len, specs, data]) => {
        const { database } = parseDbc(
          `BO_ 100 M: ${len} X\n` + specs.map((s) => ` SG_ ${s.name} : ${s.start}|${s.length}@${s.order === 'little_endian' ? 1 : 0}${s.signed ? '-' : '+'} (0.5,-3) [0|0] "" X\n`).join(''),
        );
        const values = compileDatabase(database).byName('M')?.decode(data) ?? {};
        expect(Object.keys(values).sort()).toEqual(['A', 'B', 'C']);
        for (const v of Object.values(values)) expect(typeof v).toBe('number');
        // The generated decoder (no value names asked for) and the generic loop (value names asked for, none defined) agree.
        const generic = compileDatabase(database).byName('M')?.decode(data, { choices: true }) ?? {};
        for (const k of Object.keys(values)) expect(Object.is(values[k], generic[k]) || values[k] === generic[k], k).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('places Intel and Motorola bits where the DBC numbering says', () => {
    const codec = codecFor(8, [
      { name: 'Intel', start: 0, length: 16, order: 'little_endian', signed: false, float: false },
      { name: 'Moto', start: 23, length: 16, order: 'big_endian', signed: false, float: false },
    ]);
    const bytes = codec.encode({ Intel: 0x1234, Moto: 0xabcd }, { scaling: false });
    expect([...bytes.slice(0, 4)]).toEqual([0x34, 0x12, 0xab, 0xcd]);
    expect(codec.decode(Uint8Array.of(0x34, 0x12, 0xab, 0xcd, 0, 0, 0, 0))).toEqual({ Intel: 0x1234, Moto: 0xabcd });
  });

  it('scales with negative factors and offsets, and names values on request', () => {
    const { database } = parseDbc('BO_ 1 M: 2 X\n SG_ T : 0|8@1+ (-0.5,10) [-117.5|10] "C" X\n SG_ G : 8|2@1+ (1,0) [0|3] "" X\nVAL_ 1 G 0 "P" 1 "R" 2 "N" 3 "D";\n');
    const codec = compileDatabase(database).byName('M') as MessageCodec;
    const bytes = codec.encode({ T: -20, G: 'D' });
    expect(codec.decodeRaw(bytes)).toEqual({ T: 60, G: 3 });
    expect(codec.decode(bytes)).toEqual({ T: -20, G: 3 });
    expect(codec.decode(bytes, { choices: true })).toEqual({ T: -20, G: 'D' });
    expect(codec.decode(bytes, { scaling: false })).toEqual({ T: 60, G: 3 });
  });

  it('refuses out-of-range values with an EncodeError naming the signal and its range', () => {
    const { database } = parseDbc('BO_ 1 M: 1 X\n SG_ Speed : 0|8@1+ (1,0) [0|200] "km/h" X\n SG_ Free : 0|8@1+ (1,0) [0|0] "" X\n');
    const codec = compileDatabase(database).byName('M') as MessageCodec;
    const err = (() => {
      try {
        codec.encode({ Speed: 201, Free: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EncodeError);
    expect(err).toMatchObject({ messageName: 'M', signalName: 'Speed' });
    expect((err as Error).message).toContain('[0, 200] km/h');
    // Not strict: min/max no longer apply, the bit width still does.
    expect(codec.encode({ Speed: 255, Free: 0 }, { strict: false })[0]).toBe(0);
    expect(() => codec.encode({ Speed: 0, Free: 256 })).toThrow(/M\.Free: 256 \(raw 256\) does not fit its 8-bit unsigned raw range \[0, 255\]/);
    expect(() => codec.encode({ Speed: 1 })).toThrow(/M\.Free: missing value/);
    expect(() => codec.encode({ Speed: 1, Free: 1, Typo: 1 })).toThrow(/M\.Typo: no such signal/);
    expect(() => codec.encode({ Speed: 'fast', Free: 1 })).toThrow(EncodeError);
  });

  it('decodes only the active branch of a multiplexed message and refuses an unknown switch value', () => {
    const { database } = parseDbc('BO_ 1 M: 8 X\n SG_ Sw M : 0|8@1+ (1,0) [0|0] "" X\n SG_ A m1 : 8|8@1+ (1,0) [0|0] "" X\n SG_ B m2 : 8|16@1+ (1,0) [0|0] "" X\n', { strict: true });
    const mux = compileDatabase(database).byName('M') as MessageCodec;
    const one = mux.encode({ Sw: 1, A: 7, B: 999 });
    expect(mux.decode(one)).toEqual({ Sw: 1, A: 7 });
    expect(mux.decode(mux.encode({ Sw: 2, B: 513 }))).toEqual({ Sw: 2, B: 513 });
    expect(() => mux.decode(Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0))).toThrow(/M: expected multiplexer id 1 or 2, but got 3/);
    expect(() => mux.encode({ Sw: 3 })).toThrow(EncodeError);
  });

  it('refuses a short payload unless truncation is allowed, then leaves out what it cannot reach', () => {
    const codec = codecFor(8, [
      { name: 'Lo', start: 0, length: 8, order: 'little_endian', signed: false, float: false },
      { name: 'Hi', start: 56, length: 8, order: 'little_endian', signed: false, float: false },
    ]);
    expect(() => codec.decode(Uint8Array.of(1, 2))).toThrow(DecodeError);
    expect(codec.decode(Uint8Array.of(1, 2), { allowTruncated: true })).toEqual({ Lo: 1 });
  });

  it('fills uncovered bits with ones when padding is asked for', () => {
    const codec = codecFor(2, [{ name: 'N', start: 4, length: 8, order: 'little_endian', signed: false, float: false }]);
    expect([...codec.encode({ N: 0 }, { padding: true })]).toEqual([0x0f, 0xf0]);
    expect([...codec.encode({ N: 0xff })]).toEqual([0xf0, 0x0f]);
  });

  it('keeps 64-bit raw values exact through decodeRaw and encode', () => {
    const codec = codecFor(8, [{ name: 'Big', start: 0, length: 64, order: 'little_endian', signed: true, float: false }]);
    const value = -(2n ** 63n) + 12345n;
    const bytes = codec.encode({ Big: value }, { scaling: false });
    expect(codec.decodeRaw(bytes)).toEqual({ Big: value });
    expect(codec.decode(bytes).Big).toBe(Number(value));
  });
});
