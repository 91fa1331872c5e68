/**
 * SOME/IP-TP: splits a message too large for one UDP datagram into segments and puts segments
 * back together. Every segment repeats the SOME/IP header (TP flag set) and adds a 4-byte TP header
 * with the segment's byte offset (in units of 16 bytes) and a more-segments flag.
 *
 * Reassembly is keyed by sender, message ID, request ID and message type, so segments of
 * different messages never mix. Each segment costs time in proportion to its own length, whatever
 * order segments come in: it is copied into the message's buffer at its offset and marks its
 * 16-byte units in a coverage map, so nothing is sorted or re-copied per segment. The buffer is sized
 * from the last segment when that comes first, else grows geometrically up to the message limit.
 * Memory is bounded per message (`maxMessageBytes`), per sender (`maxPerPeer` reassemblies at once)
 * and in total (`maxConcurrent`, `maxBufferedBytes`, counting buffers and coverage maps as allocated);
 * over a total limit, the sender holding the most gives way first, so one flooding peer cannot push
 * out the others. A message whose segments stop coming is dropped after a timeout.
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
  /** Messages being reassembled at once, all senders together (default 32). */
  readonly maxConcurrent?: number;
  /** Messages one sender (address:port) may have in reassembly at once (default 4); its oldest gives way. */
  readonly maxPerPeer?: number;
  /** Bytes allocated across all reassemblies (default 4 MiB). */
  readonly maxBufferedBytes?: number;
  /** Largest message accepted (default 1 MiB); larger ones are dropped at the first segment showing it. */
  readonly maxMessageBytes?: number;
}

export interface TpStats {
  completed: number;
  /** Segments whose bytes had all arrived already (ignored). */
  duplicates: number;
  /** Incomplete messages dropped after the timeout. */
  timedOut: number;
  /** Incomplete messages dropped to keep within a limit (the sum of the next two and `concurrencyLimit`). */
  evicted: number;
  /** ... because their sender had `maxPerPeer` reassemblies already. */
  peerLimit: number;
  /** ... because all reassemblies together would hold more than `maxBufferedBytes`. */
  byteLimit: number;
  /** ... because `maxConcurrent` reassemblies were open. */
  concurrencyLimit: number;
  /** Messages dropped for a bad segment (the sum of the next two and `badSegment`). */
  rejected: number;
  /** ... whose segments reach past `maxMessageBytes`. */
  tooLarge: number;
  /** ... whose segments overlap part of what arrived, disagree on the end, or reach past the end. */
  inconsistent: number;
  /** ... with a non-final segment that is empty or not a multiple of 16 bytes. */
  badSegment: number;
}

/** Bytes of a coverage-map entry per 16-byte unit of payload. */
const UNIT = 16;
/** Smallest buffer allocated for a message whose end is not known yet. */
const MIN_CAPACITY = 4096;

interface Pending {
  readonly key: string;
  readonly source: string;
  /** The first segment's header, without its payload (which belongs to a datagram). */
  readonly head: SomeipMessage;
  buffer: Uint8Array;
  /** One byte per 16-byte unit of `buffer`: 1 once a segment filled it. */
  covered: Uint8Array;
  coveredUnits: number;
  /** Highest end of any segment so far. */
  maxEnd: number;
  /** Known once the last segment (more = false) arrived. */
  total: number | undefined;
  lastSeen: number;
  /** Bytes counted against the limits for this message (its buffer and coverage map, or what they grow to). */
  accounted: number;
}

interface PeerUsage {
  count: number;
  bytes: number;
}

type EvictReason = 'peerLimit' | 'byteLimit' | 'concurrencyLimit';
type RejectReason = 'tooLarge' | 'inconsistent' | 'badSegment';

const EMPTY = new Uint8Array(0);

/** Reassembles SOME/IP-TP segments into whole messages. Not thread-safe; one per receiving socket. */
export class TpReassembler {
  readonly stats: TpStats = { completed: 0, duplicates: 0, timedOut: 0, evicted: 0, peerLimit: 0, byteLimit: 0, concurrencyLimit: 0, rejected: 0, tooLarge: 0, inconsistent: 0, badSegment: 0 };
  readonly #clock: NowSource;
  readonly #timeoutS: number;
  readonly #maxConcurrent: number;
  readonly #maxPerPeer: number;
  readonly #maxBuffered: number;
  readonly #maxMessage: number;
  // Insertion order is age order (a segment moves its message to the back): the first is the stalest.
  readonly #pending = new Map<string, Pending>();
  readonly #peers = new Map<string, PeerUsage>();
  #buffered = 0;
  // Keys of messages completed within the timeout: a late duplicate segment must not deliver twice.
  readonly #recent = new Map<string, number>();

  /** @throws {RangeError} on a limit that is not a positive integer. */
  constructor(opts: TpReassemblerOptions) {
    this.#clock = opts.clock;
    this.#timeoutS = opts.timeoutS ?? 2;
    this.#maxConcurrent = positive('maxConcurrent', opts.maxConcurrent ?? 32);
    this.#maxPerPeer = positive('maxPerPeer', opts.maxPerPeer ?? 4);
    this.#maxBuffered = positive('maxBufferedBytes', opts.maxBufferedBytes ?? 4 << 20);
    // A message must fit in the byte budget with its coverage map (1/16 of it), or it could never complete.
    this.#maxMessage = Math.min(positive('maxMessageBytes', opts.maxMessageBytes ?? 1 << 20), Math.floor((this.#maxBuffered * UNIT) / (UNIT + 1)));
  }

  /** Largest message accepted: `maxMessageBytes`, or less when that would not fit in `maxBufferedBytes`. */
  get maxMessageBytes(): number {
    return this.#maxMessage;
  }

  /** Messages currently incomplete. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Bytes currently allocated for incomplete messages (buffers and coverage maps). */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Drops and limit evictions so far, all reasons together: what a flood shows up in. */
  get dropped(): number {
    return this.stats.rejected + this.stats.evicted + this.stats.timedOut;
  }

  /**
   * Takes one segment. Returns the whole message (without `tp`) when this segment completes it.
   * Costs time in proportion to the segment's length (plus, now and then, a geometric buffer growth).
   * @param source - who sent it (e.g. "10.0.0.1:30501"), so equal IDs from two senders never mix.
   */
  push(segment: SomeipMessage, source = ''): SomeipMessage | undefined {
    const tp = segment.tp;
    if (!tp) return segment;
    this.expire();
    const now = this.#clock.now();
    const key = `${source}|${segment.serviceId}.${segment.methodId}.${segment.clientId}.${segment.sessionId}.${segment.messageType}`;
    const len = segment.payload.length;
    const end = tp.offset + len;
    // Every segment but the last must be a whole number of 16-byte units, or the next offset could not follow it.
    if (tp.more && (len === 0 || len % UNIT !== 0)) return this.#reject(key, 'badSegment');
    if (end > this.#maxMessage) return this.#reject(key, 'tooLarge');
    if (this.#recent.has(key)) {
      this.stats.duplicates++;
      return undefined;
    }
    let p = this.#pending.get(key);
    if (!p) {
      p = this.#open(key, source, segment, now);
      if (!p) return undefined;
    }
    if (p.total !== undefined && (end > p.total || (!tp.more && end !== p.total))) return this.#reject(key, 'inconsistent');
    if (!tp.more) {
      // Every segment so far must end within the message the last segment describes.
      if (p.maxEnd > end) return this.#reject(key, 'inconsistent');
      p.total = end;
    }
    p.lastSeen = now;
    this.#pending.delete(key);
    this.#pending.set(key, p);
    if (!this.#reserve(p, p.total ?? end)) return undefined;
    const first = tp.offset / UNIT;
    const last = Math.ceil(end / UNIT);
    let already = 0;
    for (let u = first; u < last; u++) already += p.covered[u] as number;
    if (already > 0 && already === last - first) {
      this.stats.duplicates++;
      return undefined;
    }
    if (already > 0) return this.#reject(key, 'inconsistent');
    p.covered.fill(1, first, last);
    p.coveredUnits += last - first;
    p.buffer.set(segment.payload, tp.offset);
    if (end > p.maxEnd) p.maxEnd = end;
    if (p.total === undefined || p.coveredUnits < Math.ceil(p.total / UNIT)) return undefined;
    return this.#complete(p);
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

  /** Starts a reassembly, making room under the per-peer and concurrency limits; undefined if none. */
  #open(key: string, source: string, segment: SomeipMessage, now: number): Pending | undefined {
    const usage = this.#peers.get(source);
    if (usage && usage.count >= this.#maxPerPeer) this.#evict(this.#oldestOf(source), 'peerLimit');
    while (this.#pending.size >= this.#maxConcurrent) this.#evict(this.#oldestOf(this.#heaviestPeer('count')), 'concurrencyLimit');
    const p: Pending = { key, source, head: { ...segment, payload: EMPTY }, buffer: EMPTY, covered: EMPTY, coveredUnits: 0, maxEnd: 0, total: undefined, lastSeen: now, accounted: 0 };
    this.#pending.set(key, p);
    const u = this.#peers.get(source) ?? { count: 0, bytes: 0 };
    u.count++;
    this.#peers.set(source, u);
    return p;
  }

  /**
   * Makes `p`'s buffer hold at least `needed` bytes: exactly the total once known, else doubling.
   * Over the byte limit, the heaviest sender's stalest reassemblies give way (maybe `p` itself).
   * Returns false when `p` was dropped.
   */
  #reserve(p: Pending, needed: number): boolean {
    if (needed <= p.buffer.length) return true;
    const capacity = p.total !== undefined ? p.total : Math.min(this.#maxMessage, Math.max(needed, 2 * p.buffer.length, MIN_CAPACITY));
    const units = Math.ceil(capacity / UNIT);
    const grow = capacity + units - p.buffer.length - p.covered.length;
    this.#account(p, grow);
    while (this.#buffered > this.#maxBuffered) {
      const victim = this.#oldestOf(this.#heaviestPeer('bytes'));
      this.#evict(victim, 'byteLimit');
      if (victim === p.key) return false;
    }
    const buffer = new Uint8Array(capacity);
    buffer.set(p.buffer.subarray(0, Math.min(p.buffer.length, capacity)));
    const covered = new Uint8Array(units);
    covered.set(p.covered.subarray(0, Math.min(p.covered.length, units)));
    p.buffer = buffer;
    p.covered = covered;
    return true;
  }

  #account(p: Pending, delta: number): void {
    this.#buffered += delta;
    p.accounted += delta;
    const u = this.#peers.get(p.source);
    if (u) u.bytes += delta;
  }

  #heaviestPeer(by: keyof PeerUsage): string {
    let best = '';
    let most = -1;
    for (const [source, u] of this.#peers) {
      if (u[by] > most) {
        most = u[by];
        best = source;
      }
    }
    return best;
  }

  /** The stalest reassembly of a sender: a scan of at most `maxConcurrent` entries. */
  #oldestOf(source: string): string {
    for (const p of this.#pending.values()) if (p.source === source) return p.key;
    return this.#pending.keys().next().value as string;
  }

  #evict(key: string, why: EvictReason): void {
    this.#drop(key);
    this.stats.evicted++;
    this.stats[why]++;
  }

  #reject(key: string, why: RejectReason): undefined {
    this.#drop(key);
    this.stats.rejected++;
    this.stats[why]++;
    return undefined;
  }

  #drop(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    this.#account(p, -p.accounted);
    this.#pending.delete(key);
    const u = this.#peers.get(p.source);
    if (u && --u.count === 0) this.#peers.delete(p.source);
  }

  #complete(p: Pending): SomeipMessage {
    const total = p.total as number;
    // The buffer was sized to the total once it was known, or grew past it: hand out exactly the message.
    const payload = p.buffer.length === total ? p.buffer : p.buffer.slice(0, total);
    this.#drop(p.key);
    this.#recent.set(p.key, this.#clock.now());
    this.stats.completed++;
    const { tp: _tp, ...rest } = p.head;
    return { ...rest, payload };
  }
}

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}
