/**
 * A socketcand client: reaches a remote CAN bus (a HIL rig, a Pi with a CAN hat) over TCP using
 * socketcand's raw mode. Malformed server lines are counted and reported, never fatal.
 *
 * A lost session is re-established with backoff (the readers stay; filters are ours, so they apply
 * to the new session unchanged); while it is lost a send fails at once with `BusDownError`.
 */
import type net from 'node:net';
import { BusDownError, BusInitError, BusOperationError } from '../errors.js';
import type { CanFrame } from '../frame.js';
import { Backoff } from './backoff.js';
import type { CommonBusOptions } from './bus.js';
import { BaseBus } from './base-bus.js';
import { DEFAULT_RECONNECT_BACKOFF, wallLinkClock, type LinkClock, type LinkState, type LinkStatus, type ReconnectOptions } from './link.js';
import { formatSend, type SocketcandMessage } from './socketcand-protocol.js';
import { openSocketcandSession, type SessionHandlers, type SessionTarget } from './socketcand-session.js';

export interface SocketcandOptions extends CommonBusOptions, ReconnectOptions {
  readonly host: string;
  readonly port: number;
  /** The CAN interface on the server, e.g. `can0`. */
  readonly channel: string;
  /** Time allowed for connect plus handshake, per attempt. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

export class SocketcandBus extends BaseBus {
  readonly #target: SessionTarget;
  readonly #clock: LinkClock;
  readonly #backoff: Backoff;
  readonly #reconnect: boolean;
  readonly #onLinkChange: ((status: LinkStatus) => void) | undefined;
  readonly #stopRetrying = new AbortController();
  readonly #handlers: SessionHandlers;
  #socket: net.Socket | undefined;
  #state: LinkState = 'connecting';
  #everUp = false;
  #reconnects = 0;
  #attempts = 0;
  #lastError: string | undefined;
  #downSince: number | undefined;
  /** Set when the link was lost without reconnecting: sends then say why. */
  #failure: Error | undefined;

  private constructor(name: string, options: SocketcandOptions) {
    super(name, options);
    this.#clock = options.clock ?? wallLinkClock;
    this.#target = { host: options.host, port: options.port, channel: options.channel, connectTimeoutMs: options.connectTimeoutMs ?? 5000, clock: this.#clock };
    this.#backoff = new Backoff(options.backoff ?? DEFAULT_RECONNECT_BACKOFF, options.random);
    this.#reconnect = options.reconnect ?? true;
    this.#onLinkChange = options.onLinkChange;
    this.#downSince = this.#clock.now();
    this.#handlers = {
      onMessage: (msg: SocketcandMessage) => {
        if (msg.kind === 'frame') this.deliver(msg.frame);
      },
      onMalformed: (error) => this.reportMalformed(error),
      onLost: (error) => this.#lost(error),
    };
  }

  /**
   * Connects, opens the channel and switches to raw mode; with `requireAtOpen: false` resolves at
   * once and connects in the background.
   * @throws {BusInitError} when the server cannot be reached, refuses the channel or does not speak
   * socketcand (only with `requireAtOpen`, the default).
   * @throws {RangeError} on bad backoff options, queue limit or filter.
   */
  static async open(options: SocketcandOptions): Promise<SocketcandBus> {
    const bus = new SocketcandBus(`socketcand:${options.host}:${options.port}/${options.channel}`, options);
    if (options.requireAtOpen === false) {
      void bus.#connectUntilUp();
      return bus;
    }
    try {
      bus.#up(await openSocketcandSession(bus.#target, bus.#handlers));
    } catch (err) {
      await bus.close();
      throw new BusInitError(`${bus.name}: ${(err as Error).message}`, { cause: err });
    }
    return bus;
  }

  override get link(): Readonly<LinkStatus> {
    return {
      state: this.#state,
      reconnects: this.#reconnects,
      attempts: this.#attempts,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      ...(this.#state === 'up' || this.#downSince === undefined ? {} : { downSince: this.#downSince }),
    };
  }

  async #connectUntilUp(): Promise<void> {
    const signal = this.#stopRetrying.signal;
    while (!signal.aborted) {
      try {
        const socket = await openSocketcandSession(this.#target, this.#handlers);
        if (signal.aborted) {
          socket.destroy();
          return;
        }
        this.#up(socket);
        return;
      } catch (err) {
        if (signal.aborted) return;
        this.#attempts++;
        this.#lastError = (err as Error).message;
        this.#onLinkChange?.(this.link);
      }
      try {
        await this.#clock.sleepUntil(this.#clock.now() + this.#backoff.next() / 1000, signal);
      } catch {
        return; // closed while waiting
      }
    }
  }

  #up(socket: net.Socket): void {
    this.#socket = socket;
    if (this.#everUp) this.#reconnects++;
    this.#everUp = true;
    this.#attempts = 0;
    this.#backoff.reset();
    this.#setState('up');
  }

  #lost(error: Error): void {
    this.#socket = undefined;
    if (this.closed) return;
    this.#lastError = error.message;
    this.#downSince = this.#clock.now();
    if (!this.#reconnect) {
      this.#failure = error;
      void this.close();
      return;
    }
    this.#setState('down');
    void this.#connectUntilUp();
  }

  #setState(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#onLinkChange?.(this.link);
  }

  protected async transmit(frame: CanFrame): Promise<void> {
    if (this.#failure) throw new BusOperationError(`${this.name}: connection failed: ${this.#failure.message}`, { cause: this.#failure });
    const socket = this.#socket;
    if (!socket) throw new BusDownError(this.name, this.#state, this.#lastError);
    const line = formatSend(frame);
    if (!socket.write(line)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });
    }
  }

  protected release(): Promise<void> {
    this.#stopRetrying.abort();
    this.#state = 'closed';
    const socket = this.#socket;
    this.#socket = undefined;
    return new Promise<void>((resolve) => {
      if (!socket || socket.destroyed) return resolve();
      socket.once('close', () => resolve());
      socket.end();
      // A server that never answers our FIN must not hold close() forever.
      setTimeout(() => socket.destroy(), 500).unref();
    });
  }
}
