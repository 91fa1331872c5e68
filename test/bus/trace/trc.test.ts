import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { TraceParseError } from '../../../bus/errors.js';
import type { CanFrame } from '../../../bus/frame.js';
import { epochToOleDate, formatTrcLine, oleDateToEpoch, openTraceReader, TrcParser } from '../../../bus/trace/index.js';
import { readAll, tempDir, writeAll } from './helpers.js';
import { describeTraceFormat } from './trace-format.contract.js';

// An error frame is written as ER with no id, length or data (a CanFrame carries no error code).
describeTraceFormat({
  ext: '.trc',
  normalize: (f: CanFrame): CanFrame => (f.error ? { ...f, id: 0, extended: false, dlc: 0, data: new Uint8Array(0) } : f),
});

describe('PEAK TRC 2.1 writing', () => {
  const frame = (over: Partial<CanFrame>): CanFrame => ({
    timestamp: 0, channel: 'can0', id: 0x123, extended: false, fd: false, brs: false, esi: false, rtr: false, error: false, dlc: 2, data: Uint8Array.from([1, 0xab]), ...over,
  });

  it('lays out each kind of record as PCAN-View does', () => {
    expect(formatTrcLine(frame({}), 1, 2.5)).toBe('      1         2.500 DT  1     0123 Rx -  2     01 AB');
    expect(formatTrcLine(frame({ id: 0x18daf110, extended: true, channel: 'can1', tx: true }), 2, 10)).toBe('      2        10.000 DT  2 18DAF110 Tx -  2     01 AB');
    expect(formatTrcLine(frame({ rtr: true, dlc: 8, data: new Uint8Array(0) }), 3, 0)).toBe('      3         0.000 RR  1     0123 Rx -  8');
    expect(formatTrcLine(frame({ fd: true, brs: true, esi: true, dlc: 9, data: new Uint8Array(12) }), 4, 0)).toMatch(/^ {6}4 {9}0\.000 BI  1     0123 Rx -  9     00( 00){11}$/);
    expect(formatTrcLine(frame({ fd: true, brs: true }), 5, 0)).toContain(' FB ');
    expect(formatTrcLine(frame({ fd: true, esi: true }), 6, 0)).toContain(' FE ');
    expect(formatTrcLine(frame({ fd: true }), 7, 0)).toContain(' FD ');
    expect(formatTrcLine(frame({ error: true }), 8, 0)).toBe('      8         0.000 ER  1        - Rx -  0');
  });

  it('writes OLE start dates the reader turns back into the same millisecond, as ten decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        // A local wall-clock time repeats in the hour after a daylight-saving change: the format cannot tell those apart.
        fc.pre(new Date(ms).getTimezoneOffset() === new Date(ms - 3_600_000).getTimezoneOffset());
        const days = Number(epochToOleDate(ms).toFixed(10));
        expect(Math.round(oleDateToEpoch(days) * 1000)).toBe(ms);
      }),
    );
  });

  it('starts at the first frame cut to the millisecond, as an OLE date the reader turns back into that millisecond', async () => {
    const tmp = tempDir();
    try {
      const t0 = 1_700_000_123.456789;
      const file = tmp.file('start.trc');
      await writeAll(file, [frame({ timestamp: t0 }), frame({ timestamp: t0 + 1.000001 })]);
      const text = readFileSync(file, 'latin1');
      expect(text.startsWith(';$FILEVERSION=2.1\r\n;$STARTTIME=')).toBe(true);
      expect(text.split('\r\n').filter((l) => !l.startsWith(';') && l !== '')).toEqual([
        '      1         0.789 DT  1     0123 Rx -  2     01 AB',
        '      2      1000.790 DT  1     0123 Rx -  2     01 AB',
      ]);
      const days = Number(/;\$STARTTIME=([\d.]+)/.exec(text)?.[1]);
      expect(Math.round(oleDateToEpoch(days) * 1000)).toBe(1_700_000_123_456);
      const { frames } = await readAll(file);
      expect(frames.map((f) => f.timestamp)).toEqual([expect.closeTo(t0, 6), expect.closeTo(t0 + 1.000001, 6)]);
    } finally {
      tmp.remove();
    }
  });
});

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
