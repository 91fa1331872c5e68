/** Shared bits of the trace tests: temp files, reading a whole trace, and frame generators. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { lengthToDlc, type CanFrame } from '../../../bus/frame.js';
import { openTraceReader, openTraceWriter, type TraceReadOptions } from '../../../bus/trace/index.js';

export function tempDir(): { dir: string; file(name: string): string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-trace-'));
  return { dir, file: (name) => path.join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function readAll(file: string, options: TraceReadOptions = {}): Promise<{ frames: CanFrame[]; skipped: number }> {
  const reader = openTraceReader(file, options);
  const frames: CanFrame[] = [];
  for await (const f of reader) frames.push(f);
  return { frames, skipped: reader.skipped };
}

export async function writeAll(file: string, frames: readonly CanFrame[]): Promise<void> {
  const writer = await openTraceWriter(file);
  for (const f of frames) await writer.write(f);
  await writer.close();
}

const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

/** One frame of any kind the bus carries, at time 0 (times are assigned by `framesArb`). */
export const frameArb: fc.Arbitrary<CanFrame> = fc
  .record({
    kind: fc.constantFrom('classic', 'classic', 'fd', 'remote', 'error'),
    extended: fc.boolean(),
    id11: fc.integer({ min: 0, max: 0x7ff }),
    id29: fc.integer({ min: 0, max: 0x1fffffff }),
    channel: fc.constantFrom('can0', 'can1', 'can3'),
    tx: fc.boolean(),
    brs: fc.boolean(),
    esi: fc.boolean(),
    len8: fc.integer({ min: 0, max: 8 }),
    fdLen: fc.constantFrom(...FD_LENGTHS),
    dlcRemote: fc.integer({ min: 0, max: 8 }),
    bytes: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  })
  .map((r): CanFrame => {
    const extended = r.kind === 'error' ? true : r.extended;
    const id = extended ? r.id29 : r.id11;
    const base = { timestamp: 0, channel: r.channel, id, extended, brs: false, esi: false, rtr: false, error: false, fd: false, ...(r.tx ? { tx: true } : {}) };
    if (r.kind === 'fd') return { ...base, fd: true, brs: r.brs, esi: r.esi, dlc: lengthToDlc(r.fdLen, true), data: r.bytes.slice(0, r.fdLen) };
    if (r.kind === 'remote') return { ...base, rtr: true, dlc: r.dlcRemote, data: new Uint8Array(0) };
    if (r.kind === 'error') return { ...base, error: true, dlc: r.len8, data: r.bytes.slice(0, r.len8) };
    return { ...base, dlc: r.len8, data: r.bytes.slice(0, r.len8) };
  });

/** Frames in time order, microsecond times, either from 0 (relative) or from an epoch date. */
export const framesArb: fc.Arbitrary<CanFrame[]> = fc
  .record({
    absolute: fc.boolean(),
    startUs: fc.integer({ min: 0, max: 10_000_000 }),
    frames: fc.array(fc.tuple(frameArb, fc.integer({ min: 0, max: 2_000_000 })), { maxLength: 30 }),
  })
  .map(({ absolute, startUs, frames }) => {
    let us = (absolute ? 1_700_000_000_000_000 : 0) + startUs;
    return frames.map(([f, delta]) => {
      us += delta;
      return { ...f, timestamp: us / 1e6 };
    });
  });
