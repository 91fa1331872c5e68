/**
 * The contract every writable trace format meets: random frames written and read back are the same
 * frames, up to what the format can record (`normalize`), with times to the format's resolution.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CanFrame } from '../../../bus/frame.js';
import { TraceParseError } from '../../../bus/errors.js';
import { makeFrame } from '../../../bus/frame.js';
import { openTraceReader, openTraceWriter } from '../../../bus/trace/index.js';
import { framesArb, readAll, tempDir, writeAll } from './helpers.js';

export interface TraceFormatSpec {
  /** Extension, e.g. `.asc`. */
  ext: string;
  /** What a frame becomes after a round trip (fields the format cannot hold dropped). */
  normalize?: (frame: CanFrame) => CanFrame;
  /** Timestamp tolerance in seconds. */
  resolution?: number;
}

function comparable(f: CanFrame): Record<string, unknown> {
  return { channel: f.channel, id: f.id, extended: f.extended, fd: f.fd, brs: f.brs, esi: f.esi, rtr: f.rtr, error: f.error, dlc: f.dlc, data: Buffer.from(f.data).toString('hex'), tx: f.tx === true };
}

export function describeTraceFormat(spec: TraceFormatSpec): void {
  const normalize = spec.normalize ?? ((f: CanFrame) => f);
  const resolution = spec.resolution ?? 1.5e-6;
  describe(`trace format ${spec.ext} (contract)`, () => {
    it('reads back random frames as written, in order', async () => {
      const tmp = tempDir();
      try {
        let n = 0;
        await fc.assert(
          fc.asyncProperty(framesArb, async (frames) => {
            const file = tmp.file(`rt${n++}${spec.ext}`);
            await writeAll(file, frames);
            const { frames: back, skipped } = await readAll(file);
            expect(skipped).toBe(0);
            expect(back.map(comparable)).toEqual(frames.map((f) => comparable(normalize(f))));
            back.forEach((f, i) => expect(Math.abs(f.timestamp - (frames[i] as CanFrame).timestamp)).toBeLessThanOrEqual(resolution));
          }),
          { numRuns: 60 },
        );
      } finally {
        tmp.remove();
      }
    });

    it('gives the same frames through batches() as frame by frame', async () => {
      const tmp = tempDir();
      try {
        let n = 0;
        await fc.assert(
          fc.asyncProperty(framesArb, async (frames) => {
            const file = tmp.file(`b${n++}${spec.ext}`);
            await writeAll(file, frames);
            const { frames: one } = await readAll(file);
            const batched: CanFrame[] = [];
            for await (const batch of openTraceReader(file).batches()) {
              expect(batch.length).toBeGreaterThan(0);
              batched.push(...batch);
            }
            expect(batched.map(comparable)).toEqual(one.map(comparable));
            expect(batched.map((f) => f.timestamp)).toEqual(one.map((f) => f.timestamp));
          }),
          { numRuns: 15 },
        );
      } finally {
        tmp.remove();
      }
    });

    it('writes a readable file with no frames', async () => {
      const tmp = tempDir();
      try {
        await writeAll(tmp.file(`empty${spec.ext}`), []);
        expect((await readAll(tmp.file(`empty${spec.ext}`))).frames).toEqual([]);
      } finally {
        tmp.remove();
      }
    });

    it('leaves the destination as it was until close, and untouched by abort', async () => {
      const tmp = tempDir();
      try {
        const file = tmp.file(`kept${spec.ext}`);
        const old = Buffer.from('the previous recording, which must survive\n');
        writeFileSync(file, old);
        const frames = Array.from({ length: 5000 }, (_, i) => makeFrame({ timestamp: i / 1000, id: 0x100 + (i % 16), data: [i & 0xff, 1, 2, 3, 4, 5, 6, 7] }));
        const aborted = await openTraceWriter(file);
        for (const f of frames) await aborted.write(f);
        expect(readFileSync(file).equals(old)).toBe(true);
        await aborted.abort();
        expect(readFileSync(file).equals(old)).toBe(true);
        expect(readdirSync(tmp.dir)).toEqual([`kept${spec.ext}`]);
        const closed = await openTraceWriter(file);
        for (const f of frames) await closed.write(f);
        expect(readFileSync(file).equals(old)).toBe(true);
        await closed.close();
        await closed.abort();
        expect(readdirSync(tmp.dir)).toEqual([`kept${spec.ext}`]);
        expect((await readAll(file)).frames).toHaveLength(frames.length);
      } finally {
        tmp.remove();
      }
    });

    it('names the file when the file is damaged', async () => {
      const tmp = tempDir();
      try {
        const file = tmp.file(`bad${spec.ext}`);
        writeFileSync(file, spec.ext === '.blf' ? Buffer.from('LOGG not really a blf file at all.............') : '(((garbage\n');
        const err = await readAll(file).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(TraceParseError);
        expect((err as TraceParseError).message).toContain(file);
      } finally {
        tmp.remove();
      }
    });
  });
}
