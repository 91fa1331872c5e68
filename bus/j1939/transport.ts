/**
 * J1939-21 transport protocol reassembly, as a listener on the bus sees it: BAM (broadcast, no
 * handshake) and RTS/CTS (connection-managed) sessions, one per (channel, originator, destination),
 * put back together into the multi-frame parameter group they carry (9 to 1785 bytes).
 *
 * Bounded by construction: at most `maxSessions` sessions are open, each holding a buffer of its
 * announced size, which is at most `maxMessageBytes`. Time is the frames' own timestamps; a
 * session whose next frame does not come within its J1939-21 limit (T1..T4) is dropped. Anything
 * the protocol forbids (a skipped or repeated sequence number, a packet past the announced count,
 * data outside the window a CTS opened, an impossible size) drops the session and is counted by
 * reason; nothing a frame carries makes `push` throw, except in strict mode, where the drop is a
 * `J1939TransportError` instead.
 */
import type { CanFrame } from '../frame.js';
import { J1939TransportError } from './errors.js';
import { GLOBAL_ADDRESS, pgnOfId } from './id.js';
import { MAX_TP_BYTES, MIN_TP_BYTES, PGN_TP_CM, PGN_TP_DT, TP_BYTES_PER_PACKET, packetsFor, parseControl, ABORT_REASONS } from './tp-frames.js';
import {
  J1939_TIMEOUTS, TP_DROP_REASONS, type TpDrop, type TpDropReason, type TpMessage, type TpMode, type TpTimeouts,
} from './transport-types.js';

export interface TransportOptions {
  /** Open sessions at most (default 64); a new one beyond it is dropped as `session-limit`. */
  readonly maxSessions?: number;
  /** Largest message accepted (default and most 1785, the J1939-21 limit). */
  readonly maxMessageBytes?: number;
  /** Time limits in seconds; J1939-21's by default. */
  readonly timeouts?: Partial<TpTimeouts>;
  /** Throw a `J1939TransportError` on the first drop instead of counting it. */
  readonly strict?: boolean;
  /** Called for every drop (after it is counted). */
  readonly onDrop?: (drop: TpDrop) => void;
}

export interface TransportStats {
  readonly messages: number;
  readonly drops: Readonly<Record<TpDropReason, number>>;
  readonly openSessions: number;
  /** Bytes held by open sessions' buffers now. */
  readonly bufferedBytes: number;
  /** The most sessions open at once so far. */
  readonly peakSessions: number;
}

type State = 'data' | 'await-cts' | 'hold';

interface Session {
  readonly mode: TpMode;
  readonly channel: string;
  readonly sa: number;
  readonly da: number;
  readonly pgn: number;
  readonly priority: number;
  readonly size: number;
  readonly packets: number;
  /** Packets the originator sends per CTS at most (RTS byte 4; 255 means no limit). */
  readonly maxPerCts: number;
  readonly data: Uint8Array;
  readonly startedAt: number;
  state: State;
  /** Sequence number the next TP.DT must carry. */
  next: number;
  /** Last sequence number the current window allows (the packet count for a BAM). */
  windowEnd: number;
  deadline: number;
  /** Which J1939-21 limit `deadline` stands for. */
  limit: keyof TpTimeouts;
}

const DEFAULT_MAX_SESSIONS = 64;

export class TransportReassembler {
  readonly #maxSessions: number;
  readonly #maxBytes: number;
  readonly #timeouts: TpTimeouts;
  readonly #strict: boolean;
  readonly #onDrop: ((drop: TpDrop) => void) | undefined;
  /** Sessions per channel, keyed by originator << 8 | destination. */
  readonly #sessions = new Map<string, Map<number, Session>>();
  readonly #drops: Record<TpDropReason, number>;
  #open = 0;
  #buffered = 0;
  #peak = 0;
  #messages = 0;
  /** No session expires before this time; may be early (a sweep then finds nothing), never late. */
  #nextDeadline = Number.POSITIVE_INFINITY;

  /** @throws {J1939TransportError} when a limit is not a positive whole number or a timeout not positive */
  constructor(options: TransportOptions = {}) {
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.#maxBytes = options.maxMessageBytes ?? MAX_TP_BYTES;
    if (!Number.isInteger(this.#maxSessions) || this.#maxSessions < 1) throw new J1939TransportError(`maxSessions ${this.#maxSessions} is not a whole number of at least 1`);
    if (!Number.isInteger(this.#maxBytes) || this.#maxBytes < MIN_TP_BYTES || this.#maxBytes > MAX_TP_BYTES) {
      throw new J1939TransportError(`maxMessageBytes ${this.#maxBytes} is not a whole number from ${MIN_TP_BYTES} to ${MAX_TP_BYTES}`);
    }
    this.#timeouts = { ...J1939_TIMEOUTS, ...options.timeouts };
    for (const [name, value] of Object.entries(this.#timeouts)) {
      if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new J1939TransportError(`timeout ${name} = ${String(value)} is not a positive number of seconds`);
    }
    this.#strict = options.strict ?? false;
    this.#onDrop = options.onDrop;
    this.#drops = Object.fromEntries(TP_DROP_REASONS.map((r) => [r, 0])) as Record<TpDropReason, number>;
  }

  /**
   * Feeds one frame; returns the message it completes, if any. Frames that are not classic
   * extended TP.CM / TP.DT frames only advance time.
   * @throws {J1939TransportError} in strict mode, on a drop
   */
  push(frame: CanFrame): TpMessage | undefined {
    const t = frame.timestamp;
    if (t > this.#nextDeadline) this.#expire(t);
    if (!frame.extended || frame.rtr || frame.error || frame.fd) return undefined;
    const pgn = pgnOfId(frame.id);
    if (pgn === PGN_TP_DT) return this.#dataTransfer(frame);
    if (pgn === PGN_TP_CM) this.#connectionManagement(frame);
    return undefined;
  }

  /**
   * Drops every open session as `unfinished` (the input ended).
   * @throws {J1939TransportError} in strict mode, when a session was open
   */
  end(timestamp: number): void {
    for (const sessions of this.#sessions.values()) {
      for (const s of [...sessions.values()]) this.#drop(s, 'unfinished', timestamp, `${s.next - 1} of ${s.packets} packets received`);
    }
  }

  get stats(): TransportStats {
    return { messages: this.#messages, drops: { ...this.#drops }, openSessions: this.#open, bufferedBytes: this.#buffered, peakSessions: this.#peak };
  }

  #dataTransfer(frame: CanFrame): TpMessage | undefined {
    const sa = frame.id & 0xff;
    const da = (frame.id >>> 8) & 0xff;
    const t = frame.timestamp;
    const s = this.#sessions.get(frame.channel)?.get((sa << 8) | da);
    if (!s) {
      this.#count({ reason: 'no-session', timestamp: t, channel: frame.channel, sourceAddress: sa, destinationAddress: da, pgn: undefined, detail: 'TP.DT with no BAM or RTS before it' });
      return undefined;
    }
    const data = frame.data;
    if (data.length < 1) return this.#drop(s, 'short-frame', t, 'TP.DT without a sequence number');
    const seq = data[0] as number;
    if (s.state !== 'data') return this.#drop(s, 'protocol', t, `TP.DT ${seq} while ${s.state === 'hold' ? 'the receiver holds the connection' : 'waiting for a CTS'}`);
    if (seq !== s.next) {
      if (seq > s.packets) return this.#drop(s, 'too-long', t, `TP.DT ${seq} past the ${s.packets} packets announced`);
      if (seq < s.next) return this.#drop(s, 'duplicate', t, `TP.DT ${seq} again (next expected ${s.next})`);
      return this.#drop(s, 'out-of-order', t, `TP.DT ${seq} where ${s.next} was expected`);
    }
    const offset = (seq - 1) * TP_BYTES_PER_PACKET;
    const part = Math.min(TP_BYTES_PER_PACKET, s.size - offset);
    if (data.length - 1 < part) return this.#drop(s, 'short-frame', t, `TP.DT ${seq} carries ${data.length - 1} bytes, ${part} needed`);
    s.data.set(data.subarray(1, 1 + part), offset);
    s.next = seq + 1;
    if (seq === s.packets) return this.#complete(s, t);
    if (seq === s.windowEnd) {
      s.state = 'await-cts';
      this.#arm(s, t, 't3');
    } else {
      this.#arm(s, t, 't1');
    }
    return undefined;
  }

  #connectionManagement(frame: CanFrame): void {
    const sa = frame.id & 0xff;
    const da = (frame.id >>> 8) & 0xff;
    const t = frame.timestamp;
    const cm = parseControl(frame.data);
    if (!cm) {
      this.#count({ reason: 'short-frame', timestamp: t, channel: frame.channel, sourceAddress: sa, destinationAddress: da, pgn: undefined, detail: `TP.CM of ${frame.data.length} bytes (8 needed)` });
      return;
    }
    switch (cm.kind) {
      case 'bam':
      case 'rts':
        this.#announce(frame, cm.kind === 'bam' ? 'bam' : 'rts-cts', cm.size, cm.packets, cm.kind === 'rts' ? cm.maxPerCts : 0xff, cm.pgn);
        return;
      case 'cts': {
        // The receiver sends the CTS: the session is keyed by the originator, its destination.
        const s = this.#find(frame.channel, da, sa, cm.pgn);
        if (!s || s.mode !== 'rts-cts') return;
        if (s.state === 'data' && s.next <= s.windowEnd) {
          this.#drop(s, 'protocol', t, 'CTS while a data transfer was in progress');
          return;
        }
        if (cm.allowed === 0) {
          s.state = 'hold';
          this.#arm(s, t, 't4');
          return;
        }
        if (cm.next < 1 || cm.next > s.packets || cm.next > s.next) {
          this.#drop(s, 'protocol', t, `CTS asks for packet ${cm.next} of ${s.packets} (${s.next - 1} received)`);
          return;
        }
        // A CTS may ask again for packets already received (a retransmission): start from there.
        s.next = cm.next;
        s.windowEnd = Math.min(s.packets, cm.next + Math.min(cm.allowed, s.maxPerCts) - 1);
        s.state = 'data';
        this.#arm(s, t, 't2');
        return;
      }
      case 'eoma': {
        const s = this.#find(frame.channel, da, sa, cm.pgn);
        if (s) this.#drop(s, 'protocol', t, `end-of-message ack after ${s.next - 1} of ${s.packets} packets`);
        return;
      }
      case 'abort': {
        const s = this.#find(frame.channel, sa, da, cm.pgn) ?? this.#find(frame.channel, da, sa, cm.pgn);
        if (s) this.#drop(s, 'aborted', t, `Abort from 0x${sa.toString(16).padStart(2, '0')}: ${ABORT_REASONS[cm.reason] ?? `reason ${cm.reason}`}`);
        return;
      }
      default:
        return; // reserved control bytes: nothing to reassemble
    }
  }

  #announce(frame: CanFrame, mode: TpMode, size: number, packets: number, maxPerCts: number, pgn: number): void {
    const sa = frame.id & 0xff;
    const da = (frame.id >>> 8) & 0xff;
    const t = frame.timestamp;
    const drop = (reason: TpDropReason, detail: string): void =>
      this.#count({ reason, timestamp: t, channel: frame.channel, sourceAddress: sa, destinationAddress: da, pgn, detail });
    const what = mode === 'bam' ? 'BAM' : 'RTS';
    if ((mode === 'bam') !== (da === GLOBAL_ADDRESS)) {
      drop('bad-announce', mode === 'bam' ? `BAM to 0x${da.toString(16)} (a BAM goes to the global address 0xFF)` : 'RTS to the global address (only a BAM may broadcast)');
      return;
    }
    if (size < MIN_TP_BYTES || size > this.#maxBytes) {
      drop('bad-announce', `${what} of ${size} bytes (${MIN_TP_BYTES} to ${this.#maxBytes} allowed)`);
      return;
    }
    if (packets !== packetsFor(size)) {
      drop('bad-announce', `${what} of ${size} bytes in ${packets} packets (${packetsFor(size)} needed)`);
      return;
    }
    if (mode === 'rts-cts' && maxPerCts === 0) {
      drop('bad-announce', 'RTS allowing 0 packets per CTS');
      return;
    }
    const key = (sa << 8) | da;
    const old = this.#sessions.get(frame.channel)?.get(key);
    if (old) this.#drop(old, 'replaced', t, `a new ${what} for PGN 0x${pgn.toString(16)} came after ${old.next - 1} of ${old.packets} packets`);
    if (this.#open >= this.#maxSessions) {
      drop('session-limit', `${this.#maxSessions} sessions already open`);
      return;
    }
    // Looked up only now: dropping the old session may have removed the channel's map.
    let sessions = this.#sessions.get(frame.channel);
    if (!sessions) {
      sessions = new Map();
      this.#sessions.set(frame.channel, sessions);
    }
    const s: Session = {
      mode, channel: frame.channel, sa, da, pgn, priority: (frame.id >>> 26) & 7, size, packets, maxPerCts, data: new Uint8Array(size),
      startedAt: t, state: mode === 'bam' ? 'data' : 'await-cts', next: 1, windowEnd: mode === 'bam' ? packets : 0, deadline: 0, limit: 't1',
    };
    sessions.set(key, s);
    this.#open++;
    this.#buffered += size;
    if (this.#open > this.#peak) this.#peak = this.#open;
    this.#arm(s, t, mode === 'bam' ? 't1' : 't3');
  }

  #find(channel: string, originator: number, destination: number, pgn: number): Session | undefined {
    const s = this.#sessions.get(channel)?.get((originator << 8) | destination);
    return s && s.pgn === pgn ? s : undefined;
  }

  #arm(s: Session, t: number, limit: keyof TpTimeouts): void {
    const deadline = t + this.#timeouts[limit];
    s.deadline = deadline;
    s.limit = limit;
    if (deadline < this.#nextDeadline) this.#nextDeadline = deadline;
  }

  #expire(t: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const sessions of this.#sessions.values()) {
      for (const s of [...sessions.values()]) {
        if (s.deadline < t) this.#drop(s, 'timeout', t, `nothing within ${s.limit.toUpperCase()} (${this.#timeouts[s.limit]} s) ${this.#waitingFor(s)}`);
        else if (s.deadline < next) next = s.deadline;
      }
    }
    this.#nextDeadline = next;
  }

  #waitingFor(s: Session): string {
    if (s.state === 'hold') return 'after a CTS holding the connection';
    if (s.state === 'await-cts') return s.next === 1 ? 'waiting for a CTS after the RTS' : 'waiting for the next CTS';
    return `waiting for TP.DT ${s.next} of ${s.packets}`;
  }

  #complete(s: Session, t: number): TpMessage {
    this.#remove(s);
    this.#messages++;
    return {
      timestamp: t, startedAt: s.startedAt, channel: s.channel, mode: s.mode, pgn: s.pgn, priority: s.priority,
      sourceAddress: s.sa, destinationAddress: s.da, data: s.data,
    };
  }

  #remove(s: Session): void {
    const sessions = this.#sessions.get(s.channel);
    if (sessions?.get((s.sa << 8) | s.da) !== s) return;
    sessions.delete((s.sa << 8) | s.da);
    if (sessions.size === 0) this.#sessions.delete(s.channel);
    this.#open--;
    this.#buffered -= s.size;
  }

  #drop(s: Session, reason: TpDropReason, t: number, detail: string): undefined {
    this.#remove(s);
    this.#count({ reason, timestamp: t, channel: s.channel, sourceAddress: s.sa, destinationAddress: s.da, pgn: s.pgn, detail });
    return undefined;
  }

  #count(drop: TpDrop): void {
    this.#drops[drop.reason]++;
    this.#onDrop?.(drop);
    if (this.#strict) throw new J1939TransportError(drop.detail, drop);
  }
}
