/**
 * A bound on the MQTT packets a client takes in, enforced on the socket before mqtt.js buffers
 * anything: mqtt-packet collects a whole packet in memory (its remaining length, up to 256 MB, is
 * in the fixed header) before anyone can look at it. The guard reads each fixed header as bytes
 * arrive; a PUBLISH longer than the limit is skipped as it streams by and replaced by the same
 * PUBLISH with an empty payload (same topic, QoS and packet id), so mqtt.js still acknowledges it
 * and the broker does not deliver it again and again to a persistent session. Any other packet
 * over the limit ends the connection.
 *
 * MQTT 5 clients also announce the limit in CONNECT (maximumPacketSize), and a broker honouring it
 * (mosquitto 2) drops such a message for them before sending; the guard is for MQTT 3.1.1, where a
 * client cannot announce a limit, and for brokers that ignore it.
 */
import { Duplex } from 'node:stream';

const PUBLISH = 3;

/** Bytes a packet of `remaining` bytes takes in all: type byte, remaining-length bytes, rest. */
export function totalPacketBytes(remaining: number): number {
  return 1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4) + remaining;
}

/** Encodes an MQTT variable byte integer. */
function varInt(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export interface DroppedPacket {
  /** Empty when the connection was ended before the topic was read. */
  readonly topic: string;
  /** The packet's size in bytes, as its header announced it. */
  readonly bytes: number;
}

export interface PacketGuardOptions {
  /** Largest packet let through, bytes (fixed header included, as MQTT 5 counts maximumPacketSize). */
  readonly maxPacketBytes: number;
  /** 5 or 4: the empty PUBLISH that replaces a dropped one carries an empty property list in 5. */
  readonly protocolVersion: 4 | 5;
  readonly onDrop?: (p: DroppedPacket) => void;
  /**
   * What becomes of an oversized PUBLISH: `replace` (default; a client acknowledges it as empty) or
   * `disconnect` (a broker ends the sender's connection, as mosquitto's max_packet_size does; an
   * empty replacement would clear a retained message).
   */
  readonly oversizePublish?: 'replace' | 'disconnect';
}

type State =
  | { readonly kind: 'header'; bytes: number[] }
  | { readonly kind: 'pass'; left: number }
  | { readonly kind: 'drop'; readonly first: number; readonly size: number; left: number; head: Buffer[]; headBytes: number; done: boolean };

/**
 * The framing state machine over the incoming bytes. `push` is called with what may go on to the
 * parser: slices of the input (no copies) and, for each dropped PUBLISH, its empty replacement.
 */
export class PacketFilter {
  readonly #o: PacketGuardOptions;
  #state: State = { kind: 'header', bytes: [] };

  constructor(o: PacketGuardOptions) {
    this.#o = o;
  }

  /**
   * Feeds bytes as they arrive.
   * @throws {Error} when a packet other than PUBLISH exceeds the limit, or a header is malformed
   */
  write(chunk: Buffer, push: (b: Buffer) => void): void {
    let i = 0;
    let passFrom = 0;
    const flush = (to: number): void => {
      if (to > passFrom) push(chunk.subarray(passFrom, to));
    };
    while (i < chunk.length) {
      const s = this.#state;
      if (s.kind === 'pass') {
        const n = Math.min(s.left, chunk.length - i);
        s.left -= n;
        i += n;
        if (s.left === 0) this.#state = { kind: 'header', bytes: [] };
        continue;
      }
      if (s.kind === 'drop') {
        const n = Math.min(s.left, chunk.length - i);
        if (!s.done) this.#collectHead(s, chunk.subarray(i, i + n), push);
        s.left -= n;
        i += n;
        // Dropped bytes never go on.
        passFrom = i;
        if (s.left === 0) {
          if (!s.done) throw new Error(`PUBLISH of ${s.size} bytes ends before its topic and packet id`);
          this.#state = { kind: 'header', bytes: [] };
        }
        continue;
      }
      // A fixed header: one type byte, then 1 to 4 bytes of remaining length.
      const b = chunk[i] as number;
      s.bytes.push(b);
      i++;
      if (s.bytes.length === 1) continue;
      if (b & 0x80) {
        if (s.bytes.length === 5) throw new Error('malformed MQTT remaining length');
        continue;
      }
      let remaining = 0;
      for (let k = s.bytes.length - 1; k >= 1; k--) remaining = remaining * 128 + ((s.bytes[k] as number) & 0x7f);
      const first = s.bytes[0] as number;
      const size = 1 + (s.bytes.length - 1) + remaining;
      if (size <= this.#o.maxPacketBytes) {
        // Header bytes that came in an earlier chunk were not passed on with it: pass them now.
        const inThisChunk = Math.min(s.bytes.length, i - passFrom);
        if (inThisChunk < s.bytes.length) {
          flush(i - inThisChunk);
          push(Buffer.from(s.bytes.slice(0, s.bytes.length - inThisChunk)));
          passFrom = i - inThisChunk;
        }
        this.#state = remaining > 0 ? { kind: 'pass', left: remaining } : { kind: 'header', bytes: [] };
        continue;
      }
      if (first >> 4 !== PUBLISH || this.#o.oversizePublish === 'disconnect') {
        this.#o.onDrop?.({ topic: '', bytes: size });
        throw new Error(`MQTT packet of ${size} bytes (type ${first >> 4}) exceeds the ${this.#o.maxPacketBytes}-byte limit`);
      }
      // Nothing of this packet goes on: what came before it in this chunk does.
      flush(i - Math.min(s.bytes.length, i - passFrom));
      passFrom = chunk.length;
      this.#state = { kind: 'drop', first, size, left: remaining, head: [], headBytes: 0, done: false };
    }
    // A header cut by the chunk's end is held back until it is known whether its packet passes.
    const end = this.#state;
    flush(end.kind === 'header' ? chunk.length - Math.min(end.bytes.length, chunk.length - passFrom) : chunk.length);
  }

  /** Keeps the topic and packet id (at most 65,539 bytes) of a dropped PUBLISH; then replaces it. */
  #collectHead(s: Extract<State, { kind: 'drop' }>, part: Buffer, push: (b: Buffer) => void): void {
    const qos = (s.first >> 1) & 3;
    s.head.push(Buffer.from(part.subarray(0, Math.max(0, 65_539 - s.headBytes))));
    s.headBytes += part.length;
    const head = Buffer.concat(s.head);
    if (head.length < 2) return;
    const topicLen = head.readUInt16BE(0);
    const need = 2 + topicLen + (qos > 0 ? 2 : 0);
    if (head.length < need) return;
    s.done = true;
    s.head = [];
    const topic = head.subarray(2, 2 + topicLen);
    const id = qos > 0 ? head.subarray(2 + topicLen, need) : Buffer.alloc(0);
    const props = this.#o.protocolVersion === 5 ? [0] : [];
    const rest = 2 + topicLen + id.length + props.length;
    // Counted first: the stand-in may be parsed and handled within push().
    this.#o.onDrop?.({ topic: topic.toString('utf8'), bytes: s.size });
    push(Buffer.concat([Buffer.from([s.first, ...varInt(rest)]), head.subarray(0, 2), topic, id, Buffer.from(props)]));
  }
}

interface Socketish extends Duplex {
  setNoDelay?(on: boolean): unknown;
}

/**
 * Wraps a connected socket: writes go to it unchanged, reads come through a PacketFilter. A filter
 * error destroys both with that error (mqtt.js then reconnects as after any broken connection).
 */
export function guardStream(inner: Socketish, o: PacketGuardOptions): Duplex {
  const filter = new PacketFilter(o);
  const outer: Duplex & { setNoDelay?: (on: boolean) => void } = new Duplex({
    write(chunk: Buffer, _enc, done) {
      inner.write(chunk, done);
    },
    final(done) {
      inner.end(done);
    },
    read() {
      inner.resume();
    },
    destroy(err, done) {
      inner.destroy(err ?? undefined);
      done(err);
    },
  });
  outer.setNoDelay = (on: boolean) => void inner.setNoDelay?.(on);
  inner.on('data', (chunk: Buffer) => {
    try {
      let more = true;
      filter.write(chunk, (b) => {
        more = outer.push(b) && more;
      });
      if (!more) inner.pause();
    } catch (err) {
      outer.destroy(err as Error);
    }
  });
  inner.on('end', () => outer.push(null));
  inner.on('error', (err) => outer.destroy(err));
  inner.on('close', () => {
    if (!outer.destroyed) outer.destroy();
  });
  return outer;
}
