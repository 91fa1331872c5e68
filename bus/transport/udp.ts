/**
 * CAN over UDP, one frame per datagram in python-can's `udp_multicast` wire format, so ecu-ai and
 * python-can tools on one host or LAN share a bus. With a multicast `host` (224.0.0.0/4, ff00::/8)
 * every endpoint on the group and port sees every frame; with a unicast `host` frames go to that one
 * peer and arrive on `localPort`.
 *
 * Multicast sends from a second socket so our own datagrams, looped back by the kernel, can be told
 * apart by their source port (`receiveOwn: false` drops them; python-can cannot do this).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { networkInterfaces as osInterfaces } from 'node:os';
import { BusInitError, BusOperationError, type BusError } from '../errors.js';
import type { CanFrame } from '../frame.js';
import type { CommonBusOptions } from './bus.js';
import { BaseBus } from './base-bus.js';
import { decodeUdpFrame, encodeUdpFrame } from './udp-codec.js';

/** python-can's default group and port, for talking to its `udp_multicast` interface with defaults. */
export const PYTHON_CAN_UDP_GROUP_V4 = '239.74.163.2';
export const PYTHON_CAN_UDP_PORT = 43113;

export interface UdpOptions extends CommonBusOptions {
  /** A multicast group, or the unicast peer's address. */
  readonly host: string;
  /** The group's port, or the unicast peer's port. */
  readonly port: number;
  /** Unicast only: the port to receive on. Default `port`. */
  readonly localPort?: number;
  /** Unicast only: the address to receive on. Default `127.0.0.1`. */
  readonly localAddress?: string;
  /** Multicast hop limit / TTL. 0 keeps datagrams on this host; python-can's default is 1. */
  readonly hopLimit?: number;
  /** Multicast only: also read this endpoint's own frames. Default false. */
  readonly receiveOwn?: boolean;
  /** Stamped on frames whose datagram carries no channel. Default the host. */
  readonly channel?: string;
}

/** True for 224.0.0.0/4 and ff00::/8. */
export function isMulticastAddress(host: string): boolean {
  if (net.isIPv4(host)) {
    const first = Number(host.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return net.isIPv6(host) && /^ff/i.test(host);
}

export class UdpBus extends BaseBus {
  readonly #rx: dgram.Socket;
  readonly #tx: dgram.Socket;
  readonly #host: string;
  readonly #port: number;

  private constructor(name: string, rx: dgram.Socket, tx: dgram.Socket, options: UdpOptions) {
    super(name, options);
    this.#rx = rx;
    this.#tx = tx;
    this.#host = options.host;
    this.#port = options.port;
    const multicast = rx !== tx;
    const ownPort = tx.address().port;
    const defaultChannel = options.channel ?? options.host;
    rx.on('message', (msg, rinfo) => {
      if (multicast && !options.receiveOwn && rinfo.port === ownPort && isLocal(rinfo.address)) return;
      const source = `udp ${rinfo.address}:${rinfo.port}`;
      let frame: CanFrame;
      try {
        frame = decodeUdpFrame(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), source, defaultChannel);
      } catch (err) {
        this.reportMalformed(err as BusError);
        return;
      }
      this.deliver(frame);
    });
  }

  /**
   * Binds the sockets and joins the group.
   * @throws {BusInitError} when a socket cannot bind or the group cannot be joined (no multicast route).
   */
  static async open(options: UdpOptions): Promise<UdpBus> {
    const multicast = isMulticastAddress(options.host);
    const type = net.isIPv6(options.host) ? 'udp6' : 'udp4';
    const name = `udp:${options.host}:${options.port}`;
    const sockets: dgram.Socket[] = [];
    try {
      if (!net.isIP(options.host)) throw new Error(`"${options.host}" is not an IP address`);
      if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new Error(`port ${options.port} is not 1..65535`);
      const rx = dgram.createSocket({ type, reuseAddr: multicast });
      sockets.push(rx);
      if (multicast) {
        await bind(rx, options.port, type === 'udp6' ? '::' : '0.0.0.0');
        rx.addMembership(options.host);
        rx.setMulticastLoopback(true);
        const tx = dgram.createSocket({ type });
        sockets.push(tx);
        await bind(tx, 0, undefined);
        tx.setMulticastTTL(options.hopLimit ?? 1);
        tx.setMulticastLoopback(true);
        return new UdpBus(name, rx, tx, options);
      }
      await bind(rx, options.localPort ?? options.port, options.localAddress ?? '127.0.0.1');
      return new UdpBus(name, rx, rx, options);
    } catch (err) {
      for (const s of sockets) s.close();
      throw new BusInitError(`${name}: ${(err as Error).message}`, { cause: err });
    }
  }

  protected transmit(frame: CanFrame): Promise<void> {
    const bytes = encodeUdpFrame(frame);
    return new Promise<void>((resolve, reject) => {
      this.#tx.send(bytes, this.#port, this.#host, (err) => {
        if (err) reject(new BusOperationError(`${this.name}: send failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  protected async release(): Promise<void> {
    const close = (s: dgram.Socket): Promise<void> => new Promise((resolve) => s.close(() => resolve()));
    await Promise.all(this.#rx === this.#tx ? [close(this.#rx)] : [close(this.#rx), close(this.#tx)]);
  }
}

function bind(socket: dgram.Socket, port: number, address: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, ...(address === undefined ? {} : { address }) }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

// Cached on first use, not at import (no environment reads at import time).
let localAddresses: Set<string> | undefined;

function isLocal(address: string): boolean {
  if (!localAddresses) {
    localAddresses = new Set(['127.0.0.1', '::1']);
    for (const list of Object.values(osInterfaces())) for (const a of list ?? []) localAddresses.add(a.address);
  }
  return localAddresses.has(address);
}
