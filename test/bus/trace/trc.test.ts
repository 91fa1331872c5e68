import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { TraceParseError } from '../../../bus/errors.js';
import { openTraceReader, TrcParser } from '../../../bus/trace/index.js';
import { readAll, tempDir } from './helpers.js';

function parseAll(text: string): ReturnType<TrcParser['parse']>[] {
  const p = new TrcParser();
  return text.split('\n').map((l) => p.parse(l)).filter((f) => f !== null);
}

describe('PEAK TRC', () => {
  it('reads version 1.0 records (no type column)', () => {
    const [f] = parseAll(';$FILEVERSION=1.0\n     1)      1841  0001  8  00 11 22 33 44 55 66 77\n');
    expect(f).toMatchObject({ timestamp: 1.841, id: 1, dlc: 8, extended: false });
    expect([...(f?.data ?? [])]).toEqual([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]);
  });

  it('reads version 2.0 with its default columns and FD types', () => {
    const frames = parseAll(';$FILEVERSION=2.0\n;$STARTTIME=0\n      1       100.500 FB     0123 Rx 12 01 02 03 04 05 06 07 08 09 0A 0B 0C\n      2       101.000 DT 18FF0001 Tx  1 AA\n');
    expect(frames[0]).toMatchObject({ fd: true, brs: true, dlc: 9, id: 0x123 });
    expect(frames[1]).toMatchObject({ extended: true, tx: true, dlc: 1 });
    expect((frames[1]?.timestamp ?? 0) - (frames[0]?.timestamp ?? 0)).toBeCloseTo(0.0005, 6);
  });

  it('uses $STARTTIME (days since 1899-12-30, local time) for absolute times', () => {
    const [f] = parseAll(';$FILEVERSION=1.1\n;$STARTTIME=45832.5\n     1)     1000.0  Rx         06A1  0\n');
    expect(f?.timestamp).toBeCloseTo(new Date(2025, 5, 24, 12, 0, 1).getTime() / 1000, 3);
  });

  it('names file and line of a malformed record; lenient mode skips and counts it', async () => {
    const tmp = tempDir();
    try {
      const file = tmp.file('bad.trc');
      writeFileSync(file, ';$FILEVERSION=1.1\n     1)  1.0  Rx  0100  2  00 11\n     2)  2.0  Rx  0100  2  00\n     3)  3.0  Rx  0101  1  FF\n');
      const err = await readAll(file).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(TraceParseError);
      expect((err as TraceParseError).message).toContain(`${file}:3`);
      const { frames, skipped } = await readAll(file, { lenient: true });
      expect(frames.map((f) => f.id)).toEqual([0x100, 0x101]);
      expect(skipped).toBe(1);
      const batches: number[][] = [];
      for await (const batch of openTraceReader(file, { lenient: true }).batches()) batches.push(batch.map((f) => f.id));
      expect(batches).toEqual([[0x100, 0x101]]);
      await expect((async () => {
        for await (const batch of openTraceReader(file).batches()) expect(batch.map((f) => f.id)).toEqual([0x100]);
      })()).rejects.toThrow(`${file}:3`);
    } finally {
      tmp.remove();
    }
  });

  it('throws only TraceParseError on random records', async () => {
    const tmp = tempDir();
    try {
      let n = 0;
      const line = fc.oneof(fc.string({ maxLength: 50 }), fc.stringMatching(/^ *[0-9]{1,3}\)? +[0-9.]{1,8} +(Rx|Tx|DT|FD|RR|ER|Warng|[A-Z]{2}) +[0-9A-F-]{1,8} +[0-9]{1,2}( [0-9A-F]{2}){0,9}$/));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('1.0', '1.1', '1.3', '2.0', '2.1'), fc.array(line, { maxLength: 6 }), async (version, lines) => {
          const file = tmp.file(`r${n++}.trc`);
          writeFileSync(file, `;$FILEVERSION=${version}\n${lines.join('\n')}\n`);
          await readAll(file).catch((err: unknown) => expect(err).toBeInstanceOf(TraceParseError));
          const lenient = await readAll(file, { lenient: true });
          expect(lenient.skipped).toBeLessThanOrEqual(lines.length);
        }),
        { numRuns: 200 },
      );
    } finally {
      tmp.remove();
    }
  });
});
