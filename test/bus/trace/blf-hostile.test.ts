/**
 * BLF files built to cost a reader far more than their size: each must end, in a child process with a
 * 256 MB heap, in a typed error (exit 2 with the file and byte offset) or a correct reading, well within
 * 5 s. Plus the reading of any split of a valid object stream into containers.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceParseError } from '../../../bus/errors.js';
import { buildCli, type BuiltCli } from '../../helpers/cli-build.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';
import { framesArb, readAll, tempDir, writeAll } from './helpers.js';

const FILE_HEADER = 144;

function fileHeader(): Buffer {
  const h = Buffer.alloc(FILE_HEADER);
  h.write('LOGG', 0, 'latin1');
  h.writeUInt32LE(FILE_HEADER, 4);
  return h;
}

/** One LOG_CONTAINER holding `data`, zlib-compressed (method 2) or not (0), padded as python-can pads. */
function container(data: Buffer, method: 0 | 2, declared = data.length): Buffer {
  const body = method === 2 ? deflateSync(data) : data;
  const head = Buffer.alloc(32);
  head.write('LOBJ', 0, 'latin1');
  head.writeUInt16LE(16, 4);
  head.writeUInt16LE(1, 6);
  head.writeUInt32LE(32 + body.length, 8);
  head.writeUInt32LE(10, 12);
  head.writeUInt16LE(method, 16);
  head.writeUInt32LE(declared, 24);
  return Buffer.concat([head, body, Buffer.alloc((32 + body.length) % 4)]);
}

/** The uncompressed object stream of a BLF file this project wrote (its containers' data, joined). */
function objectStream(file: string): Buffer {
  const bytes = readFileSync(file);
  const parts: Buffer[] = [];
  let pos = FILE_HEADER;
  while (pos + 16 <= bytes.length && bytes.toString('latin1', pos, pos + 4) === 'LOBJ') {
    const size = bytes.readUInt32LE(pos + 8);
    parts.push(inflateSync(bytes.subarray(pos + 32, pos + size)));
    pos += size + (size % 4);
  }
  return Buffer.concat(parts);
}

/** An object header claiming `size` bytes of type `type`. */
function objectHeader(type: number, size: number): Buffer {
  const h = Buffer.alloc(32);
  h.write('LOBJ', 0, 'latin1');
  h.writeUInt16LE(32, 4);
  h.writeUInt16LE(1, 6);
  h.writeUInt32LE(size, 8);
  h.writeUInt32LE(type, 12);
  h.writeUInt32LE(2, 16);
  return h;
}

/** One CAN_MESSAGE object (48 bytes) with nanosecond time `ns`. */
function canMessage(ns: number, id: number): Buffer {
  const o = Buffer.concat([objectHeader(1, 48), Buffer.alloc(16)]);
  o.writeUInt32LE(ns, 24);
  o.writeUInt16LE(1, 32);
  o[35] = 8;
  o.writeUInt32LE(id, 36);
  return o;
}

describe('hostile BLF files', () => {
  let cli: BuiltCli;
  const tmp = tempDir();
  beforeAll(() => {
    cli = buildCli();
  });
  afterAll(() => {
    cli.remove();
    tmp.remove();
  });

  /** `ecu-ai trace SUB FILE` in a child with a 256 MB heap; its exit code, stderr and seconds. */
  function trace(sub: string, file: string): { code: number | null; err: string; seconds: number } {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', cli.entry, 'trace', sub, file], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, err: r.stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  }

  const expected: Record<string, RegExp> = {
    'bomb-zeros-1g.blf': /byte offset 144\): container declares 1073741824 uncompressed bytes, more than the limit of 16777216/,
    'claimed-uncompressed-4g.blf': /more than the limit of 16777216/,
    'uncompressed-method0-64m-obj.blf': /frame object of type 1 claims 67108864 bytes, more than the 4096/,
    'carry-n512.blf': /frame object of type 1 claims 67108848 bytes, more than the 4096/,
    'headersize-huge-in-container.blf': /impossible size/,
    'size-u32max-container.blf': /byte offset 144\): object of type 10 claims 4294967295 bytes, more than the limit/,
  };
  for (const [name, message] of Object.entries(expected)) {
    it.skipIf(!hasSharedData)(`${name} ends in a typed error within 5 s and a 256 MB heap ${sharedSkipReason}`, () => {
      const file = sharedPath('hostile', name);
      const r = trace('cat', file);
      expect(r.err).toMatch(message);
      expect(r.err).toContain(file);
      expect(r.code, r.err).toBe(2);
      expect(r.seconds).toBeLessThan(5);
    });
  }

  it('reads 64 MiB of frames from a small file within a 256 MB heap: a container is yielded in batches', () => {
    // 4 containers of 16 MiB of identical frames each compress to about 16 KiB apiece.
    const frames = Buffer.concat(Array.from({ length: (16 << 20) / 48 }, () => canMessage(1000, 0x123)));
    const one = container(frames.subarray(0, frames.length - (frames.length % 48)), 2);
    const file = tmp.file('frames-64m.blf');
    writeFileSync(file, Buffer.concat([fileHeader(), ...Array.from({ length: 4 }, () => one)]));
    expect(readFileSync(file).length).toBeLessThan(1 << 20);
    const r = trace('stats', file);
    expect(r.code, r.err).toBe(0);
    expect(r.seconds).toBeLessThan(20);
  }, 60_000);

  it('passes over an object claiming 64 MiB across 2048, 4096 and 8192 small containers in linear time, then says the file is cut', () => {
    for (const n of [2048, 4096, 8192]) {
      const claim = container(objectHeader(65, 64 << 20), 2);
      const filler = container(Buffer.alloc(32, 0x55), 2);
      const file = tmp.file(`carry-${n}.blf`);
      const bytes = Buffer.concat([fileHeader(), claim, ...Array.from({ length: n }, () => filler)]);
      writeFileSync(file, bytes);
      const r = trace('cat', file);
      expect(r.err).toContain(`truncated at byte ${bytes.length}`);
      expect(r.code, r.err).toBe(2);
      expect(r.seconds, `${n} containers`).toBeLessThan(5);
    }
  }, 60_000);

  it('a container inflating to more than it declares is a typed error at its offset', async () => {
    const file = tmp.file('overflow.blf');
    writeFileSync(file, Buffer.concat([fileHeader(), container(canMessage(0, 1), 2, 40)]));
    const err = await readAll(file).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TraceParseError);
    expect((err as TraceParseError).message).toMatch(/byte offset 144\): container inflates to more than its declared 40 bytes/);
  });

  it('a container that does not inflate, after one being decoded while it inflates, fails after every frame before it; an early exit leaves its failure unreported', async () => {
    const file = tmp.file('second-bad.blf');
    const good = container(Buffer.concat(Array.from({ length: 1500 }, (_, k) => canMessage(k, 0x100 + (k % 7)))), 2);
    // Stored bytes marked as zlib: not a zlib stream.
    const bad = container(Buffer.alloc(64, 0xff), 0, 4096);
    bad.writeUInt16LE(2, 16);
    writeFileSync(file, Buffer.concat([fileHeader(), good, bad]));
    const { openTraceReader } = await import('../../../bus/trace/index.js');
    let frames = 0;
    const err = await (async () => {
      for await (const batch of openTraceReader(file).batches()) frames += batch.length;
    })().then(() => undefined, (e: unknown) => e);
    expect(frames).toBe(1500);
    expect(err).toBeInstanceOf(TraceParseError);
    expect((err as TraceParseError).message).toMatch(new RegExp(`byte offset ${FILE_HEADER + good.length}\\): container does not inflate`));
    // Stopping after the first batch, with the bad container inflated ahead, ends quietly.
    for await (const batch of openTraceReader(file).batches()) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
  });

  it('a frame object cut at the end of the last container says truncated, after the frames before it', async () => {
    const file = tmp.file('cut-object.blf');
    const bytes = Buffer.concat([fileHeader(), container(Buffer.concat([canMessage(0, 1), canMessage(10, 2).subarray(0, 30)]), 2)]);
    writeFileSync(file, bytes);
    const seen: number[] = [];
    const err = await (async () => {
      for await (const f of (await import('../../../bus/trace/index.js')).openTraceReader(file)) seen.push(f.id);
    })().then(() => undefined, (e: unknown) => e);
    expect(seen).toEqual([1]);
    expect(err).toBeInstanceOf(TraceParseError);
    expect((err as TraceParseError).message).toContain(`truncated at byte ${bytes.length}`);
    const r = trace('cat', file);
    expect(r.code).toBe(2);
  });

  it('reads any split of a valid object stream into containers (zlib or stored) as the same frames', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(framesArb, fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }), async (frames, cuts, zlib) => {
        const source = tmp.file(`src${k}.blf`);
        await writeAll(source, frames);
        const stream = objectStream(source);
        const at = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
        const parts = [0, ...at, stream.length].flatMap((from, i, all) => (i + 1 < all.length && all[i + 1] !== from ? [stream.subarray(from, all[i + 1])] : []));
        const split = tmp.file(`split${k++}.blf`);
        const original = readFileSync(source);
        writeFileSync(split, Buffer.concat([original.subarray(0, FILE_HEADER).fill(0, 16, 24), ...parts.map((p, i) => container(p, zlib[i] === true ? 2 : 0))]));
        const a = await readAll(source);
        const b = await readAll(split);
        expect(b.frames).toEqual(a.frames);
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes after a file header throw nothing but TraceParseError', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (junk, inContainer) => {
        const file = tmp.file(`junk${k++}.blf`);
        const body = inContainer ? container(Buffer.from(junk), junk.length % 2 === 0 ? 2 : 0) : Buffer.from(junk);
        writeFileSync(file, Buffer.concat([fileHeader(), body]));
        for (const lenient of [false, true]) {
          await readAll(file, { lenient }).catch((err: unknown) => {
            expect(err).toBeInstanceOf(TraceParseError);
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
