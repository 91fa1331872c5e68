/**
 * The outbox: a disk-backed, ordered, bounded store-and-forward queue for everything the vehicle
 * must report (telemetry, snippets, update status).
 *
 * Durability: records go to append-only segment files framed with length + CRC32 (record-frame.ts);
 * `append()` resolves only after the bytes are fsync'd, so a kill -9 at any instant loses no record
 * whose append resolved. Delivered records advance an acked offset kept in its own file, replaced by
 * write-then-rename + fsync. On open, a torn tail (a frame cut by the kill) fails its CRC and is
 * truncated away. Concurrent appends share one write and one fsync (group commit).
 *
 * Bounds: count and bytes of undelivered records. When full, the lowest-priority oldest record is
 * dropped (a tombstone frame makes the drop durable) and counted; a record of lower priority than
 * everything stored is refused with OUTBOX_FULL instead.
 *
 * Records are kept in memory as well as on disk (at most `maxBytes`), so reading them to forward
 * costs no I/O.
 */
import { chmod, mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CloudError } from '../../errors.js';
import { encodeFrame, scanFrames } from './record-frame.js';
import { readAckedSeq, segmentName, syncDir, writeAckedSeq } from './outbox-files.js';
import { decodeBody, encodeRecordBody, encodeTombstoneBody } from './outbox-body.js';

export interface OutboxRecord {
  /** Position in the outbox: strictly increasing, never reused, also across restarts. */
  readonly seq: number;
  /** What the record is (the forwarder maps it to a topic): 'telemetry', 'snippets', 'updateStatus'. */
  readonly kind: string;
  /** 0..255, higher is more important; the lowest go first when the outbox is full. */
  readonly priority: number;
  readonly payload: Uint8Array;
}

export interface OutboxOptions {
  /** Bytes of undelivered payload kept at most (default 64 MiB). */
  readonly maxBytes?: number;
  /** Undelivered records kept at most (default 100 000). */
  readonly maxRecords?: number;
  /** A segment file is closed and a new one started past this size (default 4 MiB). */
  readonly segmentBytes?: number;
}

export interface OutboxStats {
  appended: number;
  dropped: number;
  refused: number;
  acked: number;
  /** Bytes cut from torn tails when the outbox was opened. */
  truncatedBytes: number;
}

interface Segment {
  readonly path: string;
  readonly handle: FileHandle | undefined;
  size: number;
  /** Highest seq a frame of this segment names (record or tombstone); -1 when empty. */
  lastSeq: number;
}

interface PendingWrite {
  readonly frame: Uint8Array;
  readonly seq: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class Outbox {
  readonly dir: string;
  readonly stats: OutboxStats = { appended: 0, dropped: 0, refused: 0, acked: 0, truncatedBytes: 0 };
  readonly #maxBytes: number;
  readonly #maxRecords: number;
  readonly #segmentBytes: number;
  /** Undelivered records by seq, in seq order (Map keeps insertion order). */
  readonly #live = new Map<number, OutboxRecord>();
  readonly #durable = new Set<number>();
  readonly #byPriority = new Map<number, { seqs: number[]; head: number }>();
  readonly #listeners = new Set<() => void>();
  #segments: Segment[] = [];
  #liveBytes = 0;
  #nextSeq = 1;
  #ackedSeq = 0;
  #persistedAck = 0;
  #queue: PendingWrite[] = [];
  #writing: Promise<void> | undefined;
  #ackWriting: Promise<void> | undefined;
  #failed: unknown;
  #closed = false;

  private constructor(dir: string, opts: OutboxOptions) {
    this.dir = dir;
    this.#maxBytes = opts.maxBytes ?? 64 << 20;
    this.#maxRecords = opts.maxRecords ?? 100_000;
    this.#segmentBytes = opts.segmentBytes ?? 4 << 20;
  }

  /**
   * Opens (creating if needed) the outbox in `dir`, recovering every record not yet acknowledged
   * and truncating a torn tail.
   * @throws {CloudError} CLOUD_PAYLOAD when a frame that passed its CRC is not a record (another program's file)
   * @throws {Error} file-system errors (permissions, a full disk) as node raises them
   */
  static async open(dir: string, opts: OutboxOptions = {}): Promise<Outbox> {
    const box = new Outbox(dir, opts);
    await box.#recover();
    return box;
  }

  async #recover(): Promise<void> {
    // Telemetry and snippets are the vehicle's data: readable by the daemon's user alone.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    this.#ackedSeq = await readAckedSeq(this.dir);
    this.#persistedAck = this.#ackedSeq;
    const names = (await readdir(this.dir)).filter((n) => /^seg-\d{16}\.log$/.test(n)).sort();
    let maxSeq = this.#ackedSeq;
    const segs: Segment[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      const data = await readFile(file);
      const scan = scanFrames(data);
      if (scan.validBytes < data.length) {
        // Only the tail of the newest segment can be torn by a kill; cutting it drops no acknowledged record.
        const fh = await open(file, 'r+');
        await fh.truncate(scan.validBytes);
        await fh.sync();
        await fh.close();
        this.stats.truncatedBytes += data.length - scan.validBytes;
      }
      let lastSeq = -1;
      for (const f of scan.frames) {
        const body = decodeBody(f.body, `${file} byte ${f.offset}`);
        lastSeq = Math.max(lastSeq, body.seq);
        maxSeq = Math.max(maxSeq, body.seq);
        if (body.type === 'record') {
          if (body.record.seq > this.#ackedSeq) this.#insert(body.record, true);
        } else {
          this.#remove(body.seq);
        }
      }
      segs.push({ path: file, handle: undefined, size: scan.validBytes, lastSeq });
    }
    this.#nextSeq = maxSeq + 1;
    const keep: Segment[] = [];
    for (const [i, s] of segs.entries()) {
      if (i < segs.length - 1 && s.lastSeq <= this.#ackedSeq) await unlink(s.path);
      else keep.push(s);
    }
    const last = keep.pop();
    if (last) {
      keep.push({ ...last, handle: await open(last.path, 'r+') });
    } else {
      keep.push(await this.#newSegment());
    }
    this.#segments = keep;
  }

  async #newSegment(): Promise<Segment> {
    const file = path.join(this.dir, segmentName(this.#nextSeq));
    const handle = await open(file, 'w', 0o600);
    // The new name must survive a crash as well as the bytes written into it.
    await syncDir(this.dir);
    return { path: file, handle, size: 0, lastSeq: -1 };
  }

  /** Undelivered records. */
  get size(): number {
    return this.#live.size;
  }

  /** Undelivered payload bytes. */
  get bytes(): number {
    return this.#liveBytes;
  }

  /** Highest seq such that it and all before it are delivered or dropped. */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  /** Calls `fn` whenever a record became durable, so a forwarder can wake up. Returns an unsubscribe. */
  onDurable(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Appends a record; resolves with its seq once it is on disk (fsync'd).
   * @throws {CloudError} OUTBOX_FULL when the outbox is full of records of higher priority, or the record alone exceeds `maxBytes`
   * @throws {CloudError} CLOUD_UNAVAILABLE after `close()` or after a disk write failed
   */
  append(rec: { kind: string; priority: number; payload: Uint8Array }): Promise<number> {
    if (this.#closed || this.#failed !== undefined) {
      return Promise.reject(new CloudError('CLOUD_UNAVAILABLE', `outbox ${this.dir}`, this.#closed ? 'closed' : 'a disk write failed', { cause: this.#failed }));
    }
    const priority = Math.max(0, Math.min(255, Math.round(rec.priority)));
    if (rec.payload.length > this.#maxBytes) {
      this.stats.refused++;
      return Promise.reject(new CloudError('OUTBOX_FULL', `outbox ${this.dir}`, `a ${rec.payload.length}-byte record exceeds the ${this.#maxBytes}-byte capacity`));
    }
    const frames: Uint8Array[] = [];
    while (this.#live.size + 1 > this.#maxRecords || this.#liveBytes + rec.payload.length > this.#maxBytes) {
      const victim = this.#lowestOldest();
      if (victim === undefined || victim.priority > priority) {
        this.stats.refused++;
        return Promise.reject(
          new CloudError('OUTBOX_FULL', `outbox ${this.dir}`, `full (${this.#live.size} records, ${this.#liveBytes} bytes) with records of higher priority than ${priority}`),
        );
      }
      this.#remove(victim.seq);
      this.stats.dropped++;
      frames.push(encodeFrame(encodeTombstoneBody(victim.seq)));
    }
    const record: OutboxRecord = { seq: this.#nextSeq++, kind: rec.kind, priority, payload: rec.payload };
    this.#insert(record, false);
    if (frames.length > 0) this.#advance();
    frames.push(encodeFrame(encodeRecordBody(record)));
    this.stats.appended++;
    const frame = frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames);
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ frame, seq: record.seq, resolve: () => resolve(record.seq), reject });
      this.#writing ??= this.#pump();
    });
  }

  /** Group commit: whatever queued while the last fsync ran goes out in one write and one fsync. */
  async #pump(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          let seg = this.#segments[this.#segments.length - 1] as Segment;
          if (seg.size >= this.#segmentBytes) {
            await seg.handle?.close();
            seg = await this.#newSegment();
            this.#segments.push(seg);
          }
          const buf = batch.length === 1 ? (batch[0] as PendingWrite).frame : Buffer.concat(batch.map((w) => w.frame));
          await seg.handle?.write(buf, 0, buf.length, seg.size);
          await seg.handle?.datasync();
          seg.size += buf.length;
          for (const w of batch) {
            seg.lastSeq = Math.max(seg.lastSeq, w.seq);
            if (this.#live.has(w.seq)) this.#durable.add(w.seq);
          }
          for (const w of batch) w.resolve();
          for (const fn of this.#listeners) fn();
        } catch (err) {
          this.#failed = err;
          for (const w of [...batch, ...this.#queue]) w.reject(new CloudError('CLOUD_UNAVAILABLE', `outbox ${this.dir}`, 'disk write failed', { cause: err }));
          this.#queue = [];
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Up to `max` durable, undelivered records after `afterSeq`, oldest first. */
  peek(max: number, afterSeq = 0): OutboxRecord[] {
    const out: OutboxRecord[] = [];
    for (const [seq, rec] of this.#live) {
      if (out.length >= max) break;
      if (seq <= afterSeq) continue;
      if (!this.#durable.has(seq)) break;
      out.push(rec);
    }
    return out;
  }

  /**
   * Marks a record delivered. The acked offset moves over every record delivered or dropped and is
   * written to disk in the background (`flush()` waits for it); a crash before that only redelivers.
   */
  ack(seq: number): void {
    if (!this.#live.has(seq)) return;
    this.#remove(seq);
    this.stats.acked++;
    this.#advance();
  }

  #advance(): void {
    const first = this.#live.keys().next();
    this.#ackedSeq = first.done ? this.#nextSeq - 1 : first.value - 1;
    if (this.#ackedSeq > this.#persistedAck) this.#ackWriting ??= this.#persistAcks();
  }

  async #persistAcks(): Promise<void> {
    try {
      while (this.#ackedSeq > this.#persistedAck && !this.#closed) {
        const target = this.#ackedSeq;
        await writeAckedSeq(this.dir, target);
        this.#persistedAck = target;
        await this.#deleteDelivered();
      }
    } catch (err) {
      this.#failed ??= err;
    } finally {
      this.#ackWriting = undefined;
    }
  }

  async #deleteDelivered(): Promise<void> {
    while (this.#segments.length > 1) {
      const oldest = this.#segments[0] as Segment;
      if (oldest.lastSeq > this.#persistedAck) break;
      this.#segments.shift();
      await oldest.handle?.close();
      await unlink(oldest.path);
    }
  }

  /** Waits until every resolved append is on disk and the acked offset is persisted. */
  async flush(): Promise<void> {
    while (this.#writing || this.#ackWriting) {
      await this.#writing;
      await this.#ackWriting;
    }
  }

  /** Flushes and closes the files; appends after this are refused. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    for (const s of this.#segments) await s.handle?.close();
    this.#listeners.clear();
  }

  #insert(rec: OutboxRecord, durable: boolean): void {
    this.#live.set(rec.seq, rec);
    if (durable) this.#durable.add(rec.seq);
    this.#liveBytes += rec.payload.length;
    let q = this.#byPriority.get(rec.priority);
    if (!q) {
      q = { seqs: [], head: 0 };
      this.#byPriority.set(rec.priority, q);
    }
    q.seqs.push(rec.seq);
  }

  #remove(seq: number): void {
    const rec = this.#live.get(seq);
    if (!rec) return;
    this.#live.delete(seq);
    this.#durable.delete(seq);
    this.#liveBytes -= rec.payload.length;
    const q = this.#byPriority.get(rec.priority);
    if (q) this.#trim(q);
  }

  /** Skips delivered seqs at the head of a priority queue, so the queues stay as small as the outbox. */
  #trim(q: { seqs: number[]; head: number }): void {
    while (q.head < q.seqs.length && !this.#live.has(q.seqs[q.head] as number)) q.head++;
    if (q.head > 1024 && q.head * 2 > q.seqs.length) {
      q.seqs = q.seqs.slice(q.head);
      q.head = 0;
    }
  }

  #lowestOldest(): OutboxRecord | undefined {
    const prios = [...this.#byPriority.keys()].sort((a, b) => a - b);
    for (const p of prios) {
      const q = this.#byPriority.get(p) as { seqs: number[]; head: number };
      this.#trim(q);
      const seq = q.seqs[q.head];
      if (seq !== undefined) return this.#live.get(seq);
      this.#byPriority.delete(p);
    }
    return undefined;
  }
}
