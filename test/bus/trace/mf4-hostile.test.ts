/**
 * Malformed MF4: cut files, wrong and cyclic links, forged lengths, a DZ block that inflates without
 * end, and random byte flips of the real samples. Each is a TraceParseError naming a byte offset (or a
 * shorter reading with the cut reported, for an unfinalized file cut inside its records), never a hang
 * and never another error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TraceParseError } from '../../../bus/errors.js';
import type { CanFrame } from '../../../bus/frame.js';
import { openMf4Writer, openTraceReader, type Mf4WriteOptions } from '../../../bus/trace/index.js';
import { MAX_DZ_BYTES } from '../../../bus/trace/mf4-data.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';
import { tempDir } from './helpers.js';

async function readFile(file: string): Promise<{ frames: CanFrame[]; warnings: readonly string[]; skipped: number }> {
  const reader = openTraceReader(file);
  const frames: CanFrame[] = [];
  for await (const batch of reader.batches()) frames.push(...batch);
  return { frames, warnings: reader.warnings, skipped: reader.skipped };
}

async function parseError(file: string): Promise<TraceParseError> {
  try {
    await readFile(file);
  } catch (err) {
    if (err instanceof TraceParseError) return err;
    throw err;
  }
  throw new Error(`${file} read without an error`);
}

function frames(n: number): CanFrame[] {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: 1_700_000_000 + i * 0.001, channel: 'can0', id: i % 0x7ff, extended: false, fd: false, brs: false, esi: false,
    rtr: false, error: false, dlc: 8, data: Uint8Array.from({ length: 8 }, (_, k) => (i * 7 + k) & 0xff),
  }));
}

async function written(file: string, n: number, options: Mf4WriteOptions = {}): Promise<Buffer> {
  const w = await openMf4Writer(file, options);
  for (const f of frames(n)) await w.write(f);
  await w.close();
  return readFileSync(file);
}

/** Offset of the first block with this id (metadata are at the start of the files written here). */
function blockAt(b: Buffer, id: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = b.indexOf(id, at + 1, 'latin1');
  if (at < 0) throw new Error(`no ${id} block`);
  return at;
}

function setLink(b: Buffer, at: number, index: number, target: number): void {
  b.writeBigUInt64LE(BigInt(target), at + 24 + 8 * index);
}

describe('malformed MF4', () => {
  it('a file cut anywhere in its metadata or a finalized file cut in its data: TraceParseError with the byte offset', async () => {
    const tmp = tempDir();
    try {
      const whole = await written(tmp.file('w.mf4'), 300);
      for (let cut = 0; cut < whole.length; cut += Math.max(1, Math.floor(whole.length / 97))) {
        writeFileSync(tmp.file('cut.mf4'), whole.subarray(0, cut));
        const err = await parseError(tmp.file('cut.mf4'));
        expect(err.location.offset, `cut at ${cut}`).toBeTypeOf('number');
        expect(err.message).toMatch(/byte offset \d+/);
      }
    } finally {
      tmp.remove();
    }
  });

  it('an unfinalized file cut inside a record: the frames before, the cut record skipped and reported', async () => {
    const tmp = tempDir();
    try {
      const whole = await written(tmp.file('u.mf4'), 200, { unfinalized: true });
      const all = (await readFile(tmp.file('u.mf4'))).frames;
      expect(all).toHaveLength(200);
      // Each frame is a 25-byte record then its 13-byte payload record: cut 10 bytes into the 151st frame's record.
      const cut = whole.length - 50 * 38 + 10;
      writeFileSync(tmp.file('cut.mf4'), whole.subarray(0, cut));
      const { frames: part, warnings, skipped } = await readFile(tmp.file('cut.mf4'));
      expect(part).toHaveLength(150);
      expect(part.map((f) => f.id)).toEqual(all.slice(0, 150).map((f) => f.id));
      expect(skipped).toBe(1);
      expect(warnings.join('\n')).toMatch(/a last record cut after 10 bytes/);
      // Cut between a frame's record and its payload record: that frame lost its DataBytes.
      writeFileSync(tmp.file('cut2.mf4'), whole.subarray(0, whole.length - 50 * 38 + 25));
      const second = await readFile(tmp.file('cut2.mf4'));
      expect(second.frames).toHaveLength(150);
      expect(second.warnings.join('\n')).toMatch(/1 frame\(s\) whose DataBytes record is missing/);
    } finally {
      tmp.remove();
    }
  });

  it('links to the wrong place, past the end, or into a cycle', async () => {
    const tmp = tempDir();
    try {
      const good = await written(tmp.file('g.mf4'), 50, { blockBytes: 400 });
      const cases: Array<[string, (b: Buffer) => void, RegExp]> = [
        ['HD -> past the end', (b) => setLink(b, 64, 0, b.length + 1000), /past the end of the file/],
        ['HD -> a CG where a DG belongs', (b) => setLink(b, 64, 0, blockAt(b, '##CG')), /expected a ##DG block, found "##CG"/],
        ['DG -> itself', (b) => setLink(b, blockAt(b, '##DG'), 0, blockAt(b, '##DG')), /cycle/],
        ['CN next -> itself', (b) => setLink(b, blockAt(b, '##CN', 1), 0, blockAt(b, '##CN', 1)), /cycle/],
        ['CN next -> an earlier CN', (b) => setLink(b, blockAt(b, '##CN', 3), 0, blockAt(b, '##CN', 2)), /cycle/],
        ['DL next -> itself', (b) => setLink(b, blockAt(b, '##DL'), 0, blockAt(b, '##DL')), /cycle/],
        ['DL lists a block twice', (b) => setLink(b, blockAt(b, '##DL'), 2, b.readUInt32LE(blockAt(b, '##DL') + 32)), /cycle/],
        ['a block claiming more than the file', (b) => b.writeBigUInt64LE(BigInt(b.length * 4), blockAt(b, '##CG') + 8), /claims \d+ bytes, but the file has/],
        ['a block claiming more links than it holds', (b) => b.writeBigUInt64LE(1000n, blockAt(b, '##CG') + 16), /claims 1000 links/],
        ['a record id no group has', (b) => (b[b.readUInt32LE(blockAt(b, '##DL') + 32) + 24] = 9), /record id 9 belongs to no channel group/],
      ];
      for (const [name, damage, message] of cases) {
        const b = Buffer.from(good);
        damage(b);
        writeFileSync(tmp.file('bad.mf4'), b);
        const err = await parseError(tmp.file('bad.mf4'));
        expect(err.message, name).toMatch(message);
        expect(err.location.offset, name).toBeTypeOf('number');
      }
    } finally {
      tmp.remove();
    }
  });

  it('a finalized file whose cycle count disagrees with its records: TraceParseError, or a warning with lenient', async () => {
    const tmp = tempDir();
    try {
      const b = Buffer.from(await written(tmp.file('c.mf4'), 40));
      // The first channel group is CAN_DataFrame: its cycle count follows the record id in its data.
      const cg = blockAt(b, '##CG');
      b.writeBigUInt64LE(41n, cg + 24 + 6 * 8 + 8);
      writeFileSync(tmp.file('bad.mf4'), b);
      expect((await parseError(tmp.file('bad.mf4'))).message).toMatch(new RegExp(`channel group at byte ${cg} records 41 cycles, the data hold 40`));
      const reader = openTraceReader(tmp.file('bad.mf4'), { lenient: true });
      let n = 0;
      for await (const batch of reader.batches()) n += batch.length;
      expect(n).toBe(40);
      expect(reader.warnings.join('\n')).toMatch(/records 41 cycles, the data hold 40/);
    } finally {
      tmp.remove();
    }
  });

  it('a DZ block inflating beyond its declared size (a zip bomb) stops at that size; a declared size beyond the limit is refused', async () => {
    const tmp = tempDir();
    try {
      const good = await written(tmp.file('z.mf4'), 100, { compression: 'deflate' });
      const dz = blockAt(good, '##DZ');
      const bomb = deflateSync(Buffer.alloc(256 << 20));
      const head = Buffer.alloc(48);
      head.write('##DZ', 0, 'latin1');
      head.writeBigUInt64LE(BigInt(48 + bomb.length), 8);
      head.write('DT', 24, 'latin1');
      head.writeBigUInt64LE(4000n, 32);
      head.writeBigUInt64LE(BigInt(bomb.length), 40);
      writeFileSync(tmp.file('bomb.mf4'), Buffer.concat([good.subarray(0, dz), head, bomb]));
      const before = process.memoryUsage().rss;
      expect((await parseError(tmp.file('bomb.mf4'))).message).toMatch(/DZ block inflates to more than its declared 4000 bytes/);
      expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
      head.writeBigUInt64LE(BigInt(MAX_DZ_BYTES + 1), 32);
      writeFileSync(tmp.file('big.mf4'), Buffer.concat([good.subarray(0, dz), head, bomb]));
      expect((await parseError(tmp.file('big.mf4'))).message).toMatch(/declares \d+ uncompressed bytes, more than the limit/);
    } finally {
      tmp.remove();
    }
  });
});

describe.skipIf(!hasSharedData)(`random damage to the real samples ${sharedSkipReason}`, () => {
  const names = ['canedge_2F6913DB_00000001.MF4', 'canedge_3BA199E2_00000005-60FEB5A8.MF4', 'canedge_FCBF0606_00000001-60B621D9.MF4'];
  const samples = hasSharedData ? names.map((n) => readFileSync(sharedPath('traces', 'mf4', n))) : [];

  it('byte flips (mostly in the metadata) and cuts read or fail with TraceParseError, never anything else', async () => {
    const tmp = tempDir();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: names.length - 1 }),
          fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 16_000 }), fc.integer({ min: 0, max: 199_999 })), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
          fc.option(fc.integer({ min: 0, max: 220_000 })),
          async (which, flips, cut) => {
            const b = Buffer.from(samples[which]!);
            for (const [at, value] of flips) if (at < b.length) b[at] = value;
            writeFileSync(tmp.file('f.mf4'), cut === null ? b : b.subarray(0, cut));
            try {
              await readFile(tmp.file('f.mf4'));
            } catch (err) {
              if (!(err instanceof TraceParseError)) throw err;
            }
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      tmp.remove();
    }
  }, 120_000);
});
