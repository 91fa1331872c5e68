import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TraceParseError } from '../../../bus/errors.js';
import { formatCandumpLine, parseCandumpLine } from '../../../bus/trace/index.js';
import { describeTraceFormat } from './trace-format.contract.js';
import { frameArb, readAll, tempDir } from './helpers.js';
import { writeFileSync } from 'node:fs';

describeTraceFormat({ ext: '.log' });

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
        expect({ ...back, timestamp: 0 }).toEqual({ ...f, timestamp: 0, ...(f.tx ? {} : {}) });
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
