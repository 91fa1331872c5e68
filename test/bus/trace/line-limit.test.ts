import { describe, expect, it, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { TraceParseError } from '../../../bus/errors.js';
import type { CanFrame } from '../../../bus/frame.js';
import { DEFAULT_MAX_LINE_BYTES, formatCandumpLine, openTraceReader, parseCandumpLine, type TraceReadOptions } from '../../../bus/trace/index.js';
import { transpileTree } from '../../helpers/transpile.js';
import { tempDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-line-limit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MB = 1024 * 1024;
const CHUNK = MB;

/** A candump error-frame line of exactly `length` bytes (error frames take any number of data bytes). */
function lineOfLength(length: number): string {
  const short = '(1.000000) can0 20000080#';
  const prefix = (length - short.length) % 2 === 0 ? short : '(1.0000000) can0 20000080#';
  return prefix + 'AB'.repeat((length - prefix.length) / 2);
}

async function readOutcome(file: string, options: TraceReadOptions): Promise<{ frames: CanFrame[]; skipped: number; error: unknown }> {
  const reader = openTraceReader(file, options);
  const frames: CanFrame[] = [];
  try {
    for await (const batch of reader.batches()) frames.push(...batch);
    return { frames, skipped: reader.skipped, error: undefined };
  } catch (error) {
    return { frames, skipped: reader.skipped, error };
  }
}

describe('the line length limit', () => {
  it('ends a read of a 30 MB comment, header or token line with a typed error, fast, in a 128 MB heap', () => {
    const script = transpileTree(path.join(here, 'fixtures', 'read-trace.ts'), repoRoot, path.join(work, 'js'));
    const long = 'x'.repeat(30 * MB);
    const cases = [
      { name: 'comment.trc', first: ';$FILEVERSION=1.1', long: `;${long}`, after: '    1)     17535.4  Rx     00000100  8  00 00 00 00 00 00 00 00', frames: 0 },
      { name: 'header.asc', first: 'base hex  timestamps absolute', long: `date ${long}`, after: '1.0 1 123 Rx d 1 00', frames: 0 },
      { name: 'token.log', first: '(1.000000) can0 123#11', long: `(2.000000) can0 123#${'A'.repeat(30 * MB)}`, after: '(3.000000) can0 123#11', frames: 1 },
      { name: 'field.jsonl', first: '{"t":1,"ch":"can0","id":1,"ext":false,"fd":false,"brs":false,"rtr":false,"err":false,"dlc":0,"data":""}', long: `{"t":1,"ch":"${long}"}`, after: '', frames: 1 },
    ];
    for (const c of cases) {
      const file = path.join(work, c.name);
      writeFileSync(file, `${c.first}\n${c.long}\n${c.after}\n`);
      const t0 = process.hrtime.bigint();
      const run = spawnSync(process.execPath, ['--max-old-space-size=128', script, file], { encoding: 'utf8', timeout: 30_000 });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      expect(run.status, `${c.name}: ${run.stderr.slice(0, 500)}`).toBe(0);
      const out = JSON.parse(run.stdout) as { frames: number; error: { code: string; message: string; location: unknown } | null; rssBytes: number };
      expect(out.error?.code, c.name).toBe('TRACE_PARSE');
      expect(out.error?.location, c.name).toEqual({ file, line: 2, offset: c.first.length + 1 });
      expect(out.error?.message, c.name).toContain(`line longer than ${DEFAULT_MAX_LINE_BYTES} bytes`);
      expect(out.error?.message.length, c.name).toBeLessThan(300);
      expect(out.frames, c.name).toBe(c.frames);
      // Node itself takes some 50 MB; the old reader held the whole line, decoded, several times over.
      expect(out.rssBytes, c.name).toBeLessThan(160 * MB);
      expect(seconds, c.name).toBeLessThan(10);
    }
  }, 120_000);

  it('reads a line of exactly the limit, with LF or CRLF, and fails at one byte more naming line and byte offset', async () => {
    const tmp = tempDir();
    try {
      for (const cap of [DEFAULT_MAX_LINE_BYTES, 40]) {
        const options = cap === DEFAULT_MAX_LINE_BYTES ? {} : { maxLineBytes: cap };
        const first = '(0.5) can0 123#11';
        for (const eol of ['\n', '\r\n']) {
          writeFileSync(tmp.file('exact.log'), [first, lineOfLength(cap), first].join(eol) + eol);
          const exact = await readOutcome(tmp.file('exact.log'), options);
          expect(exact.error).toBeUndefined();
          expect(exact.frames.map((f) => f.data.length)).toEqual([1, (cap - (cap % 2 === 1 ? 25 : 26)) / 2, 1]);
          writeFileSync(tmp.file('over.log'), [first, lineOfLength(cap + 1), first].join(eol) + eol);
          const over = await readOutcome(tmp.file('over.log'), options);
          expect(over.error).toBeInstanceOf(TraceParseError);
          expect((over.error as TraceParseError).location).toEqual({ file: tmp.file('over.log'), line: 2, offset: first.length + eol.length });
          expect(over.frames.length).toBe(1);
          const lenient = await readOutcome(tmp.file('over.log'), { ...options, lenient: true });
          expect(lenient.error).toBeUndefined();
          expect(lenient.frames.length).toBe(2);
          expect(lenient.skipped).toBe(1);
        }
        // A last line without a newline counts the same.
        writeFileSync(tmp.file('last.log'), `${first}\n${lineOfLength(cap + 1)}`);
        expect(((await readOutcome(tmp.file('last.log'), options)).error as TraceParseError).location).toMatchObject({ line: 2 });
      }
    } finally {
      tmp.remove();
    }
  });

  it('refuses a limit that is not a positive whole number of bytes', () => {
    for (const maxLineBytes of [0, -1, 1.5, Number.NaN]) expect(() => openTraceReader('x.log', { maxLineBytes })).toThrow(/maxLineBytes/);
  });

  it('reads any lines, long and short, wherever they fall across chunk boundaries, as the limit says line by line', async () => {
    const tmp = tempDir();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 30, max: 300 }),
          fc.integer({ min: 0, max: 700 }),
          fc.array(fc.tuple(fc.integer({ min: 26, max: 600 }), fc.boolean()), { minLength: 1, maxLength: 12 }),
          fc.boolean(),
          async (cap, before, picks, lenient) => {
            // Short frame lines (31 bytes with the newline), then blank lines, up to `before` bytes
            // short of the first chunk's end, so the lines picked straddle it.
            const fill = CHUNK - before;
            const filler = [...Array<string>(Math.floor(fill / 31)).fill(lineOfLength(30)), ...Array<string>(fill % 31).fill('')];
            const picked = picks.map(([length, crlf]) => lineOfLength(length) + (crlf ? '\r' : ''));
            const lines = [...filler, ...picked, '(9.0) can0 7FF#00'];
            writeFileSync(tmp.file('p.log'), lines.join('\n') + '\n', 'latin1');
            // What the limit means, line by line.
            const expected: string[] = [];
            let skipped = 0;
            let failure: { line: number; offset: number } | undefined;
            let offset = 0;
            for (let k = 0; k < lines.length && failure === undefined; k++) {
              const line = lines[k] as string;
              const content = line.endsWith('\r') ? line.slice(0, -1) : line;
              if (content.length > cap) {
                if (lenient) skipped++;
                else failure = { line: k + 1, offset };
              } else {
                const frame = parseCandumpLine(content);
                if (frame !== null) expected.push(formatCandumpLine(frame));
              }
              offset += line.length + 1;
            }
            const got = await readOutcome(tmp.file('p.log'), { maxLineBytes: cap, lenient });
            expect(got.frames.map((f) => formatCandumpLine(f))).toEqual(expected);
            expect(got.skipped).toBe(skipped);
            if (failure === undefined) expect(got.error).toBeUndefined();
            else expect((got.error as TraceParseError).location).toEqual({ file: tmp.file('p.log'), ...failure });
          },
        ),
        { numRuns: 25 },
      );
    } finally {
      tmp.remove();
    }
  }, 120_000);
});

describe('quoted input in messages', () => {
  /** Ten megabytes of bytes that each take four characters to escape. */
  const token = '\u0001'.repeat(10 * MB);
  const roomy = { maxLineBytes: 16 * MB };

  it('stays short for a 10 MB token in every text format', async () => {
    const tmp = tempDir();
    try {
      const files = {
        'tok.log': `(1.000000) can0 123#11 ${token}\n`,
        'id.log': `(1.000000) can0 ${token}#11\n`,
        'tok.asc': `base hex  timestamps absolute\n1.0 1 ${token} Rx d 1 00\n`,
        'line.asc': `${token}\n`,
        'tok.trc': `;$FILEVERSION=1.1\n    1)     17535.4  Rx     ${token}  8  00 00 00 00 00 00 00 00\n`,
        'ver.trc': `;$FILEVERSION=${token}\n`,
        'tok.jsonl': `{${token}\n`,
      };
      for (const [name, body] of Object.entries(files)) {
        writeFileSync(tmp.file(name), body, 'latin1');
        const { error } = await readOutcome(tmp.file(name), roomy);
        expect(error, name).toBeInstanceOf(TraceParseError);
        expect((error as Error).message.length - tmp.file(name).length, name).toBeLessThan(300);
        expect((error as Error).message, name).not.toMatch(/[\u0000-\u001f]/);
      }
      expect(() => parseCandumpLine(`(1.0) can0 123#11 ${token}`)).toThrow(TraceParseError);
      try {
        parseCandumpLine(`(1.0) can0 123#11 ${token}`);
      } catch (err) {
        expect((err as Error).message.length).toBeLessThan(300);
      }
    } finally {
      tmp.remove();
    }
  }, 60_000);
});
