/**
 * ASAM MDF 4 bus-log reading, streaming: the metadata blocks give each data group's CAN channel groups
 * and the data blocks behind it; records are then read in chunks (mf4-stream.ts), one data group after
 * another merged by time when a file keeps frame kinds in separate data groups (sorted files do).
 * Timestamps are epoch seconds: the header block's start time plus the master channel's seconds.
 *
 * An unfinalized file ("UnFinMF ", as loggers leave a file they are writing) is finalized in memory as
 * asammdf does: its last data block is taken to run to the end of the file, records are counted as
 * they are read (its cycle counts are not updated), and a record cut by the end is skipped and
 * reported in `warnings`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { CanFrame } from '../frame.js';
import { TraceParseError } from '../errors.js';
import { BatchIterator, BatchStream, type FrameBatchSource } from './batch-iterator.js';
import { BlockReader, Mf4Error } from './mf4-block.js';
import { dataFragments, type Fragment } from './mf4-data.js';
import { readMf4Layout, type CanGroupLayout, type DataGroupLayout, type Mf4Layout } from './mf4-layout.js';
import { DataGroupRecords } from './mf4-records.js';
import { DataStream } from './mf4-stream.js';
import type { TraceReader, TraceReadOptions } from './types.js';

const BATCH_FRAMES = 1024;
/** id_unfin_flags bit: the length of the last DT block was not updated. */
const UNFIN_LAST_DT_LENGTH = 4;

interface Head {
  readonly records: DataGroupRecords;
  readonly dg: DataGroupLayout;
  batch: CanFrame[];
  index: number;
  failed: boolean;
  finished: boolean;
}

/** A `TraceReader` over an `.mf4` file. */
export class Mf4TraceReader implements TraceReader {
  readonly format = '.mf4';
  readonly #path: string;
  readonly #lenient: boolean;
  #skipped = 0;
  #warnings: string[] = [];

  constructor(path: string, options: TraceReadOptions) {
    this.#path = path;
    this.#lenient = options.lenient ?? false;
  }

  get skipped(): number {
    return this.#skipped;
  }

  /** How an unfinalized file was finalized, and records the end of its data cut off. */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  [Symbol.asyncIterator](): AsyncIterator<CanFrame> {
    return new BatchIterator(this.#source());
  }

  batches(): AsyncIterableIterator<CanFrame[]> {
    return new BatchStream(this.#source());
  }

  #fail(err: unknown): never {
    if (err instanceof Mf4Error) throw new TraceParseError({ file: this.#path, offset: err.offset }, err.message);
    throw err;
  }

  #source(): FrameBatchSource {
    let handle: FileHandle | undefined;
    let heads: Head[] | undefined;
    let layout: Mf4Layout | undefined;
    let failure: { error: unknown } | undefined;
    this.#skipped = 0;
    this.#warnings = [];
    const init = async (): Promise<Head[]> => {
      handle = await open(this.#path, 'r');
      const reader = new BlockReader(handle, (await handle.stat()).size);
      try {
        layout = await readMf4Layout(reader);
        return await this.#heads(reader, layout);
      } catch (err) {
        return this.#fail(err);
      }
    };
    const fill = async (h: Head): Promise<void> => {
      h.batch = [];
      h.index = 0;
      while (h.batch.length === 0 && !h.records.done && !h.failed) {
        try {
          await h.records.next(h.batch, BATCH_FRAMES);
        } catch (err) {
          if (!(err instanceof Mf4Error) || !this.#lenient) throw err;
          this.#skipped++;
          this.#warnings.push(`${this.#path}: data group at byte ${h.dg.at}: ${err.message} (byte offset ${err.offset}); the rest of the group is skipped`);
          h.failed = true;
        }
      }
      if (h.records.done && !h.failed && !h.finished) {
        h.finished = true;
        this.#finish(h, layout as Mf4Layout);
      }
    };
    return {
      next: async () => {
        if (failure !== undefined) throw failure.error;
        if (heads === undefined) {
          heads = await init();
          for (const h of heads) await fill(h).catch((err: unknown) => this.#fail(err));
        }
        const out: CanFrame[] = [];
        try {
          while (out.length < BATCH_FRAMES) {
            let best: Head | undefined;
            for (const h of heads) {
              if (h.index >= h.batch.length) continue;
              if (best === undefined || (h.batch[h.index] as CanFrame).timestamp < (best.batch[best.index] as CanFrame).timestamp) best = h;
            }
            if (best === undefined) break;
            if (heads.length === 1) {
              out.push(...best.batch.slice(best.index));
              best.index = best.batch.length;
            } else {
              out.push(best.batch[best.index++] as CanFrame);
            }
            if (best.index >= best.batch.length) await fill(best);
          }
        } catch (err) {
          const error = err instanceof Mf4Error ? new TraceParseError({ file: this.#path, offset: err.offset }, err.message) : err;
          if (out.length === 0) throw error;
          failure = { error };
        }
        return out.length === 0 ? null : out;
      },
      close: async () => {
        heads = [];
        await handle?.close();
        handle = undefined;
      },
    };
  }

  async #heads(reader: BlockReader, layout: Mf4Layout): Promise<Head[]> {
    const withCan = layout.dataGroups.filter((dg) => [...dg.groups.values()].some((g) => g.can !== undefined));
    const fragments = new Map<DataGroupLayout, Fragment[]>();
    for (const dg of layout.dataGroups) fragments.set(dg, await dataFragments(reader, dg.dataLink, '##DT', `the data of the data group at byte ${dg.at}`));
    if (!layout.finalized) this.#finalizeInMemory(reader, layout, fragments);
    const heads: Head[] = [];
    for (const dg of withCan) {
      const signalData = new Map<CanGroupLayout, DataStream>();
      for (const g of dg.groups.values()) {
        const db = g.can?.dataBytes;
        if (g.can !== undefined && db?.kind === 'sd') signalData.set(g.can, new DataStream(reader, await dataFragments(reader, db.dataLink, '##SD', `the DataBytes of ${g.can.name}`)));
      }
      const records = new DataGroupRecords(dg, new DataStream(reader, fragments.get(dg) ?? []), signalData, layout.start);
      heads.push({ records, dg, batch: [], index: 0, failed: false, finished: false });
    }
    return heads;
  }

  /** The last DT block of an unfinalized file runs to the end of the file, whatever length it records. */
  #finalizeInMemory(reader: BlockReader, layout: Mf4Layout, fragments: Map<DataGroupLayout, Fragment[]>): void {
    const flags = layout.unfinalizedFlags;
    let last: { dg: DataGroupLayout; index: number; f: Fragment } | undefined;
    for (const [dg, list] of fragments) {
      const f = list.at(-1);
      if (f !== undefined && (last === undefined || f.at > last.f.at)) last = { dg, index: list.length - 1, f };
    }
    let note = 'cycle counts not used';
    if (last !== undefined && last.f.zipped === undefined && (flags === 0 || (flags & UNFIN_LAST_DT_LENGTH) !== 0)) {
      const length = reader.fileSize - last.f.payloadAt;
      if (length > last.f.length) {
        (fragments.get(last.dg) as Fragment[])[last.index] = { ...last.f, length };
        note = `its last data block (at byte ${last.f.at}) read to the end of the file, ${length} bytes instead of the ${last.f.length} recorded; ${note}`;
      }
    }
    this.#warnings.push(`${this.#path}: unfinalized MDF ("UnFinMF ", flags 0x${flags.toString(16)}) finalized in memory: ${note}`);
  }

  /** At a data group's end: records cut short (skipped, or an error in a finalized file) and cycle counts checked. */
  #finish(h: Head, layout: Mf4Layout): void {
    const cut = h.records.cut;
    if (cut !== undefined) {
      const parts: string[] = [];
      if (cut.trailingBytes > 0) parts.push(`a last record cut after ${cut.trailingBytes} bytes`);
      if (cut.framesWithoutData > 0) parts.push(`${cut.framesWithoutData} frame(s) whose DataBytes record is missing`);
      const what = `data group at byte ${h.dg.at}: ${parts.join(' and ')}`;
      if (layout.finalized && !this.#lenient) throw new Mf4Error(h.dg.at, `truncated: ${what}`);
      this.#skipped += (cut.trailingBytes > 0 ? 1 : 0) + cut.framesWithoutData;
      this.#warnings.push(`${this.#path}: ${what}, skipped`);
    }
    if (!layout.finalized) return;
    for (const g of h.dg.groups.values()) {
      const n = h.records.counts.get(g.recordId) ?? 0;
      if (g.can !== undefined && n !== g.cycleCount) {
        const what = `channel group at byte ${g.at} records ${g.cycleCount} cycles, the data hold ${n}`;
        if (!this.#lenient) throw new Mf4Error(g.at, what);
        this.#warnings.push(`${this.#path}: ${what}`);
      }
    }
  }
}
