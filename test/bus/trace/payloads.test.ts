/**
 * `payloads: false`: every format gives the same frames as by default, with empty data, and a
 * malformed payload fails (or is skipped when lenient) exactly as by default.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceParseError } from '../../../bus/errors.js';
import { framesArb, readAll, tempDir, writeAll } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('reading without payloads', () => {
  for (const ext of ['.log', '.asc', '.blf', '.trc']) {
    it(`${ext}: the same frames as with payloads, each with empty data`, async () => {
      let k = 0;
      await fc.assert(
        fc.asyncProperty(framesArb, async (frames) => {
          const file = tmp.file(`frames${k++}${ext}`);
          await writeAll(file, frames);
          const full = await readAll(file);
          const bare = await readAll(file, { payloads: false });
          expect(bare.frames.every((f) => f.data.length === 0)).toBe(true);
          expect(bare.frames).toEqual(full.frames.map((f) => ({ ...f, data: new Uint8Array(0) })));
        }),
        { numRuns: 25 },
      );
    });
  }

  it('still checks every payload: a malformed one fails at its line, or is skipped when lenient', async () => {
    const cases: Array<[string, string]> = [
      ['bad-hex.log', '(1.000000) can0 123#1122\n(1.000100) can0 124#11ZZ\n'],
      ['odd-digits.log', '(1.000000) can0 123#1122\n(1.000100) can0 124#112\n'],
      ['fd-length.log', '(1.000000) can0 123#1122\n(1.000100) can0 124##1112233445566778899\n'],
      ['classic-9.log', '(1.000000) can0 123#1122\n(1.000100) can0 124#112233445566778899\n'],
    ];
    for (const [name, text] of cases) {
      const file = tmp.file(name);
      writeFileSync(file, text);
      const withData = await readAll(file).then(() => undefined, (e: unknown) => e);
      const without = await readAll(file, { payloads: false }).then(() => undefined, (e: unknown) => e);
      expect(withData).toBeInstanceOf(TraceParseError);
      expect((without as Error).message).toBe((withData as Error).message);
      expect(await readAll(file, { payloads: false, lenient: true })).toEqual({ frames: [expect.objectContaining({ id: 0x123, dlc: 2 })], skipped: 1 });
    }
  });
});
