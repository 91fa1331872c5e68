import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TraceParseError } from '../../../bus/errors.js';
import { makeFrame, type CanFrame } from '../../../bus/frame.js';
import { formatCandumpLine, parseCandumpLine } from '../../../bus/trace/index.js';
import { ByteSlab } from '../../../bus/trace/byte-slab.js';
import { parseCandump, parseCandumpFast } from '../../../bus/trace/candump.js';
import { ChannelNames } from '../../../bus/trace/chars.js';
import { describeTraceFormat } from './trace-format.contract.js';
import { frameArb, readAll, tempDir } from './helpers.js';
import { writeFileSync } from 'node:fs';

/** An error frame without error class bits is written as a bus error (CAN_ERR_BUSERROR), as python-can does. */
const withErrorClass = (f: CanFrame): CanFrame => (f.error && f.id === 0 ? { ...f, id: 0x80 } : f);

describeTraceFormat({ ext: '.log', normalize: withErrorClass });

describe('candump -L lines', () => {
  it('reads classic, extended, remote, FD and error frames', () => {
    const classic = parseCandumpLine('(1618787934.854636) can0 0C5#3000000030000000');
    expect(classic).toMatchObject({ timestamp: 1618787934.854636, channel: 'can0', id: 0xc5, extended: false, dlc: 8 });
    expect(parseCandumpLine('(1.5) vcan1 18DAF110#0210')).toMatchObject({ id: 0x18daf110, extended: true, dlc: 2 });
    expect(parseCandumpLine('(1.5) can0 123#R3')).toMatchObject({ rtr: true, dlc: 3, data: new Uint8Array(0) });
    expect(parseCandumpLine('(1.5) can0 123##3' + '11'.repeat(12))).toMatchObject({ fd: true, brs: true, esi: true, dlc: 9 });
    expect(parseCandumpLine('(1.5) can0 20000080#0000000000000000')).toMatchObject({ error: true, id: 0x80 });
    expect(parseCandumpLine('(1.5) can0 123#1122334455667788_C')).toMatchObject({ dlc: 12, fd: false });
    expect(parseCandumpLine('(1.5) can0 123#11 T')).toMatchObject({ tx: true });
  });

  it('writes error frames with CAN_ERR_FLAG and their class bits, CAN_ERR_BUSERROR when they have none, and reads them back as error frames', () => {
    const noClass = makeFrame({ timestamp: 1.5, id: 0, extended: true, error: true, data: [0, 0, 0, 0, 0, 0, 0, 0] });
    expect(formatCandumpLine(noClass)).toBe('(1.500000) can0 20000080#0000000000000000');
    expect(parseCandumpLine(formatCandumpLine(noClass))).toMatchObject({ error: true, id: 0x80, extended: true });
    const busOff = makeFrame({ timestamp: 1.5, id: 0x40, extended: true, error: true, data: [] });
    expect(formatCandumpLine(busOff)).toBe('(1.500000) can0 20000040#');
    expect(parseCandumpLine(formatCandumpLine(busOff))).toMatchObject({ error: true, id: 0x40 });
  });

  it('names the column of what is wrong', () => {
    const cases = ['(1.5 can0 123#11', '(abc) can0 123#11', '(1.5) can0 12G4#11', '(1.5) can0 123#1', '(1.5) can0 123#112233445566778899', '(1.5) can0 123##1' + '11'.repeat(9), '(1.5) can0 800#11'];
    for (const line of cases) {
      expect(() => parseCandumpLine(line, { file: 'x.log', line: 7 }), line).toThrow(TraceParseError);
      try {
        parseCandumpLine(line, { file: 'x.log', line: 7 });
      } catch (err) {
        expect((err as TraceParseError).message).toMatch(/^x\.log:7:\d+: /);
      }
    }
  });

  it('formats and parses back any frame', () => {
    fc.assert(
      fc.property(frameArb, fc.integer({ min: 0, max: 2_000_000_000_000 }), (frame, us) => {
        const f = { ...frame, timestamp: us / 1e6 };
        const back = parseCandumpLine(formatCandumpLine(f));
        expect(back).not.toBeNull();
        expect({ ...back, timestamp: 0 }).toEqual({ ...withErrorClass(f), timestamp: 0 });
        expect(Math.abs((back?.timestamp ?? 0) - f.timestamp)).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('throws only TraceParseError on random lines, and skips them when lenient', async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.stringMatching(/^\([0-9.]{0,12}\) [a-z0-9]{0,5} [0-9A-Fa-f#Rr_]{0,30}( [RT])?$/),
    );
    fc.assert(
      fc.property(line, (l) => {
        try {
          parseCandumpLine(l);
        } catch (err) {
          expect(err).toBeInstanceOf(TraceParseError);
        }
      }),
      { numRuns: 2000 },
    );
    const tmp = tempDir();
    try {
      const file = tmp.file('mixed.log');
      writeFileSync(file, '(1.0) can0 123#11\nnot a frame\n(2.0) can0 124#22\n(3.0) can0 125#3\n');
      const { frames, skipped } = await readAll(file, { lenient: true });
      expect(frames.map((f) => f.id)).toEqual([0x123, 0x124]);
      expect(skipped).toBe(2);
      const err = await readAll(file).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(TraceParseError);
      expect((err as TraceParseError).location).toMatchObject({ file, line: 2 });
    } finally {
      tmp.remove();
    }
  });
});

describe('candump fast path', () => {
  it('reads every line it accepts exactly as the general parser does', () => {
    const hex2 = fc.integer({ min: 0, max: 255 }).map((b) => b.toString(16).toUpperCase().padStart(2, '0'));
    const line = fc
      .tuple(
        fc.oneof(fc.integer({ min: 0, max: 4e15 }).map((us) => (us / 1e6).toFixed(6)), fc.stringMatching(/^[0-9.]{0,24}$/)),
        fc.constantFrom('can0', 'vcan1', 'c\u00e9', 'x\u20ac', 'can0', ''),
        fc.oneof(fc.stringMatching(/^[0-9A-Fa-f]{1,9}$/), fc.constantFrom('20000080', '123', '7FF', '800', '1FFFFFFF', '18DAF110', '3FFFFFFF', 'G1')),
        fc.constantFrom('#', '#', '##1', '##3', '##', '#R', '#r2', ''),
        fc.oneof(
          fc.array(hex2, { maxLength: 8 }),
          fc.constantFrom(12, 16, 20, 24, 32, 48, 64).chain((n) => fc.array(hex2, { minLength: n, maxLength: n })),
          fc.array(hex2, { maxLength: 66 }),
        ),
        fc.constantFrom('', '', ' T', ' R', ' t', ' X', '_C', '_8', 'A', '  T', '\tT', ' T '),
        fc.constantFrom(' ', ' ', ' ', '  ', '\t'),
      )
      .map(([t, ch, id, sep, data, tail, gap]) => `(${t})${gap}${ch} ${id}${sep}${data.join('')}${tail}`);
    const names = new ChannelNames();
    const slab = new ByteSlab(4096);
    let accepted = 0;
    fc.assert(
      fc.property(line, (l) => {
        const c = Buffer.from(l, 'latin1');
        const fast = parseCandumpFast(c, 0, c.length, slab, names);
        if (fast === undefined) return;
        accepted++;
        const slow = parseCandump(c, 0, c.length, slab, names);
        expect({ ...fast, data: [...fast.data] }).toEqual({ ...slow, data: [...(slow?.data ?? [])] });
        expect(Object.is(fast.timestamp, slow?.timestamp)).toBe(true);
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
