/**
 * SOME/IP-TP: splits a message too large for one UDP datagram into segments and puts segments
 * back together. Every segment repeats the SOME/IP header (TP flag set) and adds a 4-byte TP header
 * with the segment's byte offset (in units of 16 bytes) and a more-segments flag.
 *
 * Reassembly is keyed by sender, message ID, request ID and message type, so segments of
 * different messages never mix. Reordered segments are placed by offset; duplicates are ignored;
 * a message whose segments stop coming is dropped after a timeout, and memory is bounded by a limit
 * on concurrent reassemblies and on buffered bytes.
 */
import type { SomeipMessage } from './header.js';
import { SomeipSerializeError } from './errors.js';

export const TP_DEFAULT_MAX_SEGMENT_PAYLOAD = 1392;

/** Anything with a `now()` in seconds: RealClock, VirtualClock or a test's fake. */
export interface NowSource {
  now(): number;
}

/**
 * Splits a message into TP segments of at most `maxSegmentPayload` payload bytes each.
 * A message that fits in one segment is still returned as one TP segment (the caller decides
 * whether to segment at all).
 * @throws {SomeipSerializeError} when `maxSegmentPayload` is not a positive multiple of 16.
 */
export function segmentMessage(m: SomeipMessage, maxSegmentPayload = TP_DEFAULT_MAX_SEGMENT_PAYLOAD): SomeipMessage[] {
  if (!Number.isInteger(maxSegmentPayload) || maxSegmentPayload <= 0 || maxSegmentPayload % 16 !== 0) {
    throw new SomeipSerializeError('tp.maxSegmentPayload', `${maxSegmentPayload} must be a positive multiple of 16`);
  }
  const out: SomeipMessage[] = [];
  const total = m.payload.length;
  let offset = 0;
  do {
    const end = Math.min(total, offset + maxSegmentPayload);
    out.push({ ...m, payload: m.payload.subarray(offset, end), tp: { offset, more: end < total } });
    offset = end;
  } while (offset < total);
  return out;
}

export interface TpReassemblerOptions {
  readonly clock: NowSource;
  /** Seconds after the latest segment before an incomplete message is dropped (default 2). */
  readonly timeoutS?: number;
  /** Messages being reassembled at once (default 32); the oldest is dropped to make room. */
  readonly maxConcurrent?: number;
  /** Bytes buffered across all reassemblies (default 4 MiB); the oldest are dropped to make room. */
  readonly maxBufferedBytes?: number;
  /** Largest message accepted (default 1 MiB); larger ones are dropped at the first segment showing it. */
  readonly maxMessageBytes?: number;
}

export interface TpStats {
  completed: number;
  duplicates: number;
  timedOut: number;
  evicted: number;
  rejected: number;
}

interface Pending {
  readonly first: SomeipMessage;
  readonly parts: Map<number, Uint8Array>;
  bytes: number;
  /** Known once the last segment (more = false) arrived. */
  total: number | undefined;
  lastSeen: number;
}

/** Reassembles SOME/IP-TP segments into whole messages. Not thread-safe; one per receiving socket. */
export class TpReassembler {
  readonly stats: TpStats = { completed: 0, duplicates: 0, timedOut: 0, evicted: 0, rejected: 0 };
  readonly #clock: NowSource;
  readonly #timeoutS: number;
  readonly #maxConcurrent: number;
  readonly #maxBuffered: number;
  readonly #maxMessage: number;
  // Insertion order is age order: the first entry is the oldest reassembly.
  readonly #pending = new Map<string, Pending>();
  #buffered = 0;
  // Keys of messages completed within the timeout: a late duplicate segment must not deliver twice.
  readonly #recent = new Map<string, number>();

  constructor(opts: TpReassemblerOptions) {
    this.#clock = opts.clock;
    this.#timeoutS = opts.timeoutS ?? 2;
    this.#maxConcurrent = opts.maxConcurrent ?? 32;
    this.#maxBuffered = opts.maxBufferedBytes ?? 4 << 20;
    this.#maxMessage = opts.maxMessageBytes ?? 1 << 20;
  }

  /** Messages currently incomplete. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Bytes currently held for incomplete messages. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /**
   * Takes one segment. Returns the whole message (without `tp`) when this segment completes it.
   * @param source - who sent it (e.g. "10.0.0.1:30501"), so equal IDs from two senders never mix.
   */
  push(segment: SomeipMessage, source = ''): SomeipMessage | undefined {
    const tp = segment.tp;
    if (!tp) return segment;
    this.expire();
    const now = this.#clock.now();
    const key = `${source}|${segment.serviceId}.${segment.methodId}.${segment.clientId}.${segment.sessionId}.${segment.messageType}`;
    const len = segment.payload.length;
    // Every segment but the last must be a multiple of 16 bytes, or the next offset could not follow it.
    const end = tp.offset + len;
    if ((tp.more && len % 16 !== 0) || end > this.#maxMessage || len === 0 && tp.more) {
      this.#drop(key);
      this.stats.rejected++;
      return undefined;
    }
    if (this.#recent.has(key)) {
      this.stats.duplicates++;
      return undefined;
    }
    let p = this.#pending.get(key);
    if (!p) {
      p = { first: segment, parts: new Map(), bytes: 0, total: undefined, lastSeen: now };
      this.#pending.set(key, p);
    }
    if (p.parts.has(tp.offset)) {
      this.stats.duplicates++;
      p.lastSeen = now;
      return undefined;
    }
    if (!tp.more) {
      if (p.total !== undefined && p.total !== end) {
        // Two different "last" segments: the sender is confused; the message cannot be trusted.
        this.#drop(key);
        this.stats.rejected++;
        return undefined;
      }
      p.total = end;
    }
    p.parts.set(tp.offset, segment.payload.slice());
    p.bytes += len;
    p.lastSeen = now;
    this.#buffered += len;
    // Move to the back: age counts from the latest segment.
    this.#pending.delete(key);
    this.#pending.set(key, p);
    this.#enforceLimits(key);
    if (!this.#pending.has(key)) return undefined;
    return this.#tryComplete(key, p);
  }

  /** Drops reassemblies whose latest segment is older than the timeout. Returns how many. */
  expire(): number {
    const limit = this.#clock.now() - this.#timeoutS;
    for (const [key, t] of this.#recent) {
      if (t > limit && this.#recent.size <= this.#maxConcurrent * 4) break;
      this.#recent.delete(key);
    }
    let n = 0;
    for (const [key, p] of this.#pending) {
      if (p.lastSeen > limit) break; // age order: the rest are younger
      this.#drop(key);
      n++;
    }
    this.stats.timedOut += n;
    return n;
  }

  #enforceLimits(keep: string): void {
    while (this.#pending.size > this.#maxConcurrent || this.#buffered > this.#maxBuffered) {
      const oldest = this.#pending.keys().next().value as string;
      this.#drop(oldest);
      this.stats.evicted++;
      if (oldest === keep) return;
    }
  }

  #drop(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    this.#buffered -= p.bytes;
    this.#pending.delete(key);
  }

  #tryComplete(key: string, p: Pending): SomeipMessage | undefined {
    if (p.total === undefined) return undefined;
    const offsets = [...p.parts.keys()].sort((a, b) => a - b);
    let covered = 0;
    for (const off of offsets) {
      if (off > covered) return undefined; // a gap: wait for the missing segment
      covered = Math.max(covered, off + (p.parts.get(off) as Uint8Array).length);
    }
    if (covered !== p.total) {
      if (covered > p.total) {
        this.#drop(key);
        this.stats.rejected++;
      }
      return undefined;
    }
    const payload = new Uint8Array(p.total);
    for (const off of offsets) payload.set(p.parts.get(off) as Uint8Array, off);
    this.#drop(key);
    this.#recent.set(key, this.#clock.now());
    this.stats.completed++;
    const { tp: _tp, ...rest } = p.first;
    return { ...rest, payload };
  }
}
