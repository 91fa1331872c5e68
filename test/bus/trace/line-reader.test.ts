import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { TraceParseError } from '../../../bus/errors.js';
import type { CanFrame } from '../../../bus/frame.js';
import { formatCandumpLine, openTraceReader, parseCandumpLine } from '../../../bus/trace/index.js';
import { readAll, tempDir } from './helpers.js';

function comparable(f: CanFrame): unknown {
  return { ...f, data: Buffer.from(f.data).toString('hex') };
}

/** Room for the several-MiB lines of `candumpText`, far above the default limit. */
const ROOMY = { maxLineBytes: 4 * 1024 * 1024 };

/** Lines of every length from short to several MiB, so lines straddle every chunk boundary. */
function candumpText(): { text: string; lines: string[] } {
  const lines: string[] = [];
  let t = 1_700_000_000;
  for (let i = 0; i < 60_000; i++) {
    t += 0.000123;
    const n = i % 9;
    const data = Buffer.alloc(n, i & 0xff).toString('hex').toUpperCase();
    lines.push(`(${t.toFixed(6)}) ${i % 3 === 0 ? 'can1' : 'vcan0'} ${(i % 0x7ff).toString(16).toUpperCase().padStart(3, '0')}#${data}${i % 5 === 0 ? ' T' : ''}`);
    // Error frames may carry any number of bytes: lines longer than the read-ahead room and than a chunk.
    if (i === 20_000) lines.push(`(${t.toFixed(6)}) can0 20000080#${'AB'.repeat(40_000)}`);
    if (i === 40_000) lines.push(`(${t.toFixed(6)}) can0 20000080#${'CD'.repeat(1_500_000)}`);
  }
  return { text: lines.join('\n'), lines };
}

describe('line-based reading', () => {
  it('reads a multi-MiB file line by line as the line parser does, across chunk boundaries, long lines and CRLF', async () => {
    const tmp = tempDir();
    try {
      const { text, lines } = candumpText();
      const expected = lines.map((l) => parseCandumpLine(l)).filter((f) => f !== null);
      for (const [name, body] of [['lf.log', text], ['crlf.log', text.replace(/\n/g, '\r\n') + '\r\n']] as const) {
        writeFileSync(tmp.file(name), body, 'latin1');
        const { frames } = await readAll(tmp.file(name), ROOMY);
        expect(frames.length).toBe(expected.length);
        frames.forEach((f, i) => {
          if (JSON.stringify(comparable(f)) !== JSON.stringify(comparable(expected[i] as CanFrame))) expect(comparable(f), `frame ${i}`).toEqual(comparable(expected[i] as CanFrame));
        });
        expect(frames.find((f) => f.data.length === 1_500_000)?.data[1_499_999]).toBe(0xcd);
      }
    } finally {
      tmp.remove();
    }
  });

  it('gives the same frames through batches() as frame by frame, in batches that are never empty', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('b.log'), candumpText().text, 'latin1');
      const one = (await readAll(tmp.file('b.log'), ROOMY)).frames;
      const reader = openTraceReader(tmp.file('b.log'), ROOMY);
      const batched: CanFrame[] = [];
      let batches = 0;
      for await (const batch of reader.batches()) {
        expect(batch.length).toBeGreaterThan(0);
        batches++;
        batched.push(...batch);
      }
      expect(batches).toBeGreaterThan(10);
      expect(batched.map(comparable)).toEqual(one.map(comparable));
    } finally {
      tmp.remove();
    }
  });

  it('keeps frames valid after the reader has moved on, and stops cleanly on an early break', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('k.log'), candumpText().text, 'latin1');
      const kept: CanFrame[] = [];
      for await (const batch of openTraceReader(tmp.file('k.log'), ROOMY).batches()) {
        kept.push(batch[0] as CanFrame);
        if (kept.length === 20) break;
      }
      const copies = kept.map((f) => formatCandumpLine(f));
      for await (const f of openTraceReader(tmp.file('k.log'), ROOMY)) if (f.id < 0) break; // read everything again
      expect(kept.map((f) => formatCandumpLine(f))).toEqual(copies);
      let n = 0;
      for await (const f of openTraceReader(tmp.file('k.log'), ROOMY)) if (f.id >= 0 && ++n === 5) break;
      expect(n).toBe(5);
    } finally {
      tmp.remove();
    }
  });

  it('names the line of a malformed line far into a file, after the frames before it, and counts skips when lenient', async () => {
    const tmp = tempDir();
    try {
      const { lines } = candumpText();
      const bad = 45_000;
      const withBad = [...lines.slice(0, bad), '(1.0) can0 12X#00', ...lines.slice(bad), '(2.0) can0 123#1'];
      writeFileSync(tmp.file('bad.log'), withBad.join('\n'), 'latin1');
      const reader = openTraceReader(tmp.file('bad.log'), ROOMY);
      let before = 0;
      const err = await (async () => {
        for await (const f of reader) if (f.id >= 0) before++;
      })().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(TraceParseError);
      expect((err as TraceParseError).location).toMatchObject({ file: tmp.file('bad.log'), line: bad + 1, column: 14 });
      expect(before).toBe(bad);
      const lenient = await readAll(tmp.file('bad.log'), { ...ROOMY, lenient: true });
      expect(lenient.skipped).toBe(2);
      expect(lenient.frames.length).toBe(lines.length);
    } finally {
      tmp.remove();
    }
  });

  it('reads a last line without a newline, and files of blank lines only', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('nl.log'), '(1.0) can0 123#11\n\n(2.0) can0 124#22');
      expect((await readAll(tmp.file('nl.log'))).frames.map((f) => f.id)).toEqual([0x123, 0x124]);
      writeFileSync(tmp.file('blank.log'), '\n\r\n\n');
      expect((await readAll(tmp.file('blank.log'))).frames).toEqual([]);
      writeFileSync(tmp.file('bad3.log'), '\n\n(x) can0 1#\n');
      await expect(readAll(tmp.file('bad3.log'))).rejects.toThrow(/bad3\.log:3:2: /);
    } finally {
      tmp.remove();
    }
  });
});
