import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { TraceParseError } from '../../../bus/errors.js';
import type { CanFrame } from '../../../bus/frame.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';
import { describeTraceFormat } from './trace-format.contract.js';
import { framesArb, readAll, tempDir, writeAll } from './helpers.js';

// CAN_ERROR_EXT has no direction field.
describeTraceFormat({ ext: '.blf', normalize: (f: CanFrame): CanFrame => (f.error ? { ...f, tx: undefined } : f) });

describe('Vector BLF', () => {
  it('splits many frames over several zlib containers and keeps them all', async () => {
    const tmp = tempDir();
    try {
      const frames: CanFrame[] = [];
      for (let i = 0; i < 20000; i++) {
        frames.push({ timestamp: 1_700_000_000 + i * 0.001, channel: 'can0', id: i % 0x7ff, extended: false, fd: i % 3 === 0, brs: false, esi: false, rtr: false, error: false, dlc: 8, data: new Uint8Array(8).fill(i & 0xff) });
      }
      await writeAll(tmp.file('many.blf'), frames);
      const { frames: back } = await readAll(tmp.file('many.blf'));
      expect(back).toHaveLength(frames.length);
      expect(back[19999]?.id).toBe(19999 % 0x7ff);
      expect(readFileSync(tmp.file('many.blf')).length).toBeLessThan(frames.length * 48);
    } finally {
      tmp.remove();
    }
  });

  it.skipIf(!hasSharedData)(`says where a cut file ends, wherever a real BLF is cut ${sharedSkipReason}`, async () => {
    const tmp = tempDir();
    try {
      for (const name of ['test_CanMessage.blf', 'issue_1905.blf', 'test_CanFdMessage64.blf']) {
        const bytes = readFileSync(sharedPath('traces', 'python-can', name));
        const whole = await readAll(sharedPath('traces', 'python-can', name));
        expect(whole.frames.length, name).toBeGreaterThan(0);
        // Inside the signature, the file header, an object header, a container and its last bytes.
        const cuts = [2, 60, 143, 144, 150, 176, 200, bytes.length - 40, bytes.length - 1];
        for (const cut of cuts) {
          const file = tmp.file(`cut-${cut}-${name}`);
          writeFileSync(file, bytes.subarray(0, cut));
          const err = await readAll(file).then(() => undefined, (e: unknown) => e);
          expect(err, `${name} cut at ${cut}`).toBeInstanceOf(TraceParseError);
          expect((err as TraceParseError).message, `${name} cut at ${cut}`).toContain(`truncated at byte ${cut}`);
          expect((err as TraceParseError).location).toMatchObject({ file, offset: cut });
          if (cut >= 144) {
            const lenient = await readAll(file, { lenient: true });
            expect(lenient.skipped, `${name} cut at ${cut}`).toBe(1);
            expect(lenient.frames.length).toBeLessThanOrEqual(whole.frames.length);
          }
        }
      }
    } finally {
      tmp.remove();
    }
  });

  it('throws only TraceParseError (with a byte offset) on damaged files, and skips in lenient mode', async () => {
    const tmp = tempDir();
    try {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(framesArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(), async (frames, flips, cut) => {
          const file = tmp.file(`d${n++}.blf`);
          await writeAll(file, frames);
          const bytes = readFileSync(file);
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          writeFileSync(file, bytes.subarray(0, bytes.length - (cut % 8)));
          try {
            await readAll(file);
          } catch (err) {
            expect(err).toBeInstanceOf(TraceParseError);
            expect((err as TraceParseError).location.offset).toBeTypeOf('number');
          }
          await readAll(file, { lenient: true }).catch((err: unknown) => {
            // Only a broken file header is fatal even when lenient: there is nothing to read. A header
            // longer than the file is reported where the file ends.
            expect(err).toBeInstanceOf(TraceParseError);
            const { message, location } = err as TraceParseError;
            expect((location.offset ?? Infinity) < 144 || /truncated at byte \d+: the file header/.test(message), message).toBe(true);
          });
        }),
        { numRuns: 80 },
      );
      writeFileSync(tmp.file('random.blf'), Buffer.from('LOGG' + 'x'.repeat(200)));
      await expect(readAll(tmp.file('random.blf'))).rejects.toBeInstanceOf(TraceParseError);
    } finally {
      tmp.remove();
    }
  });
});
