/**
 * A SOME/IP endpoint over UDP (`node:dgram`). Each datagram may carry several messages; a
 * malformed datagram is counted and reported, never delivered in part. Messages larger than one
 * datagram go out as SOME/IP-TP segments and come back whole through a TpReassembler. A sender
 * over its datagram rate has the excess dropped before decoding, so the cost of a flood per datagram
 * stays a map lookup and timers keep their turn between the socket's reads.
 */
import dgram from 'node:dgram';
import { BusClosedError, BusInitError } from '../errors.js';
import { decodeMessages, encodeMessage, encodedLength, type SomeipMessage } from './header.js';
import { PeerRateLimit } from './peer-rate.js';
import { TP_DEFAULT_MAX_SEGMENT_PAYLOAD, TpReassembler, segmentMessage, type NowSource, type TpReassemblerOptions } from './tp.js';

export interface SomeipAddress {
  readonly address: string;
  readonly port: number;
}

export type SomeipMessageHandler = (m: SomeipMessage, from: SomeipAddress) => void;

export interface SomeipUdpEndpointOptions {
  /** Local address to bind, default 127.0.0.1. */
  readonly address?: string;
  /** Local port, default 0 (any free port). */
  readonly port?: number;
  /** Join this multicast group on `interfaceAddress` (SD); needs a multicast-capable interface. */
  readonly multicast?: { readonly group: string; readonly interfaceAddress?: string };
  /** Messages whose encoding exceeds this go out as TP segments (default 1392 + 16 + 4 + 8 bytes headroom = 1420). */
  readonly maxDatagram?: number;
  readonly maxSegmentPayload?: number;
  /** Time source for TP reassembly timeouts; default monotonic wall time in seconds. */
  readonly clock?: NowSource;
  readonly tp?: Omit<TpReassemblerOptions, 'clock'>;
  /**
   * Datagrams a second one sender (address:port) may send, in bursts of as many (default 5000: a 1 MiB
   * message in 1392-byte segments is 754); the excess is dropped undecoded and counted (`rateLimited`).
   */
  readonly maxDatagramsPerSecondPerPeer?: number;
  /** Called for datagrams that fail to parse (they are dropped); default: counted only. */
  readonly onError?: (e: Error, from: SomeipAddress) => void;
}

export const DEFAULT_DATAGRAMS_PER_SECOND_PER_PEER = 5000;

export const wallClock: NowSource = { now: () => performance.now() / 1000 };

export class SomeipUdpEndpoint {
  readonly stats = { received: 0, sent: 0, malformed: 0, rateLimited: 0 };
  readonly #socket: dgram.Socket;
  readonly #handlers = new Set<SomeipMessageHandler>();
  readonly #reassembler: TpReassembler;
  readonly #rate: PeerRateLimit;
  readonly #opts: SomeipUdpEndpointOptions;
  #closed = false;

  private constructor(socket: dgram.Socket, opts: SomeipUdpEndpointOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#reassembler = new TpReassembler({ clock: opts.clock ?? wallClock, ...opts.tp });
    this.#rate = new PeerRateLimit(opts.clock ?? wallClock, opts.maxDatagramsPerSecondPerPeer ?? DEFAULT_DATAGRAMS_PER_SECOND_PER_PEER);
    socket.on('message', (buf, rinfo) => this.#onDatagram(buf, { address: rinfo.address, port: rinfo.port }));
  }

  /**
   * Binds a UDP socket.
   * @throws {BusInitError} when the address cannot be bound or the multicast group joined.
   */
  static async open(opts: SomeipUdpEndpointOptions = {}): Promise<SomeipUdpEndpoint> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: opts.multicast !== undefined });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(opts.port ?? 0, opts.multicast ? undefined : (opts.address ?? '127.0.0.1'), () => {
          socket.off('error', reject);
          resolve();
        });
      });
      if (opts.multicast) {
        socket.addMembership(opts.multicast.group, opts.multicast.interfaceAddress);
        if (opts.multicast.interfaceAddress) socket.setMulticastInterface(opts.multicast.interfaceAddress);
      }
    } catch (e) {
      socket.close();
      throw new BusInitError(`SOME/IP UDP endpoint ${opts.address ?? '127.0.0.1'}:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
    }
    // Errors after bind (ICMP unreachable and the like) must not crash the process.
    socket.on('error', () => undefined);
    return new SomeipUdpEndpoint(socket, opts);
  }

  /** The bound address and port. */
  get local(): SomeipAddress {
    const a = this.#socket.address();
    return { address: this.#opts.address ?? a.address, port: a.port };
  }

  /** TP reassembly counters. */
  get tpStats(): TpReassembler['stats'] {
    return this.#reassembler.stats;
  }

  /** Registers a handler for every decoded message; returns a function that removes it. */
  onMessage(handler: SomeipMessageHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  #onDatagram(buf: Buffer, from: SomeipAddress): void {
    if (!this.#rate.allow(`${from.address}:${from.port}`)) {
      this.stats.rateLimited++;
      return;
    }
    let messages: SomeipMessage[];
    try {
      messages = decodeMessages(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    } catch (e) {
      this.stats.malformed++;
      this.#opts.onError?.(e as Error, from);
      return;
    }
    for (const seg of messages) {
      const m = seg.tp ? this.#reassembler.push(seg, `${from.address}:${from.port}`) : seg;
      if (!m) continue;
      this.stats.received++;
      for (const h of this.#handlers) h(m, from);
    }
  }

  /**
   * Sends one message, as TP segments when it does not fit one datagram.
   * @throws {BusClosedError} after `close`.
   * @throws {SomeipSerializeError} on a header field out of range.
   */
  async send(m: SomeipMessage, to: SomeipAddress): Promise<void> {
    const max = this.#opts.maxDatagram ?? TP_DEFAULT_MAX_SEGMENT_PAYLOAD + 28;
    if (encodedLength(m) <= max) return this.sendRaw(encodeMessage(m), to);
    for (const seg of segmentMessage(m, this.#opts.maxSegmentPayload ?? TP_DEFAULT_MAX_SEGMENT_PAYLOAD)) await this.sendRaw(encodeMessage(seg), to);
  }

  /**
   * Sends bytes as one datagram (already encoded messages, or anything, for fault tests).
   * @throws {BusClosedError} after `close`.
   */
  sendRaw(bytes: Uint8Array, to: SomeipAddress): Promise<void> {
    if (this.#closed) return Promise.reject(new BusClosedError('SOME/IP UDP endpoint'));
    this.stats.sent++;
    return new Promise<void>((resolve) => {
      // A failed send of a datagram is a lost datagram, which UDP users must tolerate anyway.
      this.#socket.send(bytes, to.port, to.address, () => resolve());
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}
