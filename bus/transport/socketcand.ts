/**
 * A socketcand client: reaches a remote CAN bus (a HIL rig, a Pi with a CAN hat) over TCP using
 * socketcand's raw mode. Malformed server lines are counted and reported, never fatal.
 */
import net from 'node:net';
import { BusInitError, BusOperationError, quoteInput, type BusError } from '../errors.js';
import type { CanFrame } from '../frame.js';
import type { CommonBusOptions } from './bus.js';
import { BaseBus } from './base-bus.js';
import { formatSend, parseSocketcandMessage, SocketcandSplitter, type SocketcandMessage } from './socketcand-protocol.js';

export interface SocketcandOptions extends CommonBusOptions {
  readonly host: string;
  readonly port: number;
  /** The CAN interface on the server, e.g. `can0`. */
  readonly channel: string;
  /** Time allowed for connect plus handshake. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

export class SocketcandBus extends BaseBus {
  readonly #socket: net.Socket;
  #failure: Error | undefined;

  private constructor(name: string, socket: net.Socket, options: SocketcandOptions) {
    super(name, options);
    this.#socket = socket;
  }

  /**
   * Connects, opens the channel and switches to raw mode.
   * @throws {BusInitError} when the server cannot be reached, refuses the channel or does not speak socketcand.
   */
  static async open(options: SocketcandOptions): Promise<SocketcandBus> {
    const name = `socketcand:${options.host}:${options.port}/${options.channel}`;
    const source = `${options.host}:${options.port}`;
    const socket = net.connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    const splitter = new SocketcandSplitter();
    const pending: SocketcandMessage[] = [];
    let bus: SocketcandBus | undefined;
    let wake: (() => void) | undefined;
    let initError: Error | undefined;

    const onMalformed = (error: BusError): void => {
      if (bus) bus.reportMalformed(error);
      else initError ??= error;
    };
    socket.on('data', (chunk: string) => {
      const { messages, garbage } = splitter.push(chunk);
      for (const g of garbage) {
        onMalformed(new BusOperationError(`${source} (byte offset ${g.offset}): socketcand: stray text ${quoteInput(g.text.trim())}`));
      }
      for (const m of messages) {
        let msg: SocketcandMessage;
        try {
          msg = parseSocketcandMessage(m.text, options.channel, { source, offset: m.offset });
        } catch (err) {
          onMalformed(err as BusError);
          continue;
        }
        if (bus) bus.#onMessage(msg);
        else pending.push(msg);
      }
      wake?.();
    });
    socket.on('error', (err) => {
      if (bus) bus.#fail(err);
      else initError ??= err;
      wake?.();
    });
    socket.on('close', () => {
      if (bus) void bus.close();
      else initError ??= new Error('the server closed the connection');
      wake?.();
    });

    const deadline = Date.now() + (options.connectTimeoutMs ?? 5000);
    const expect = async (what: string): Promise<void> => {
      for (;;) {
        const msg = pending.shift();
        if (msg?.kind === 'ok' || msg?.kind === 'hi') {
          if (msg.kind === what) return;
          throw new Error(`expected < ${what} >, got < ${msg.kind} >`);
        }
        if (msg?.kind === 'error') throw new Error(`server refused: ${msg.text}`);
        if (msg) continue; // frames before raw mode cannot happen; ignore anything else
        if (initError) throw initError;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no < ${what} > within ${options.connectTimeoutMs ?? 5000} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    };
    try {
      await expect('hi');
      socket.write(`< open ${options.channel} >`);
      await expect('ok');
      socket.write('< rawmode >');
      await expect('ok');
    } catch (err) {
      socket.destroy();
      throw new BusInitError(`${name}: ${(err as Error).message}`, { cause: err });
    }
    bus = new SocketcandBus(name, socket, options);
    for (const msg of pending) bus.#onMessage(msg);
    return bus;
  }

  #onMessage(msg: SocketcandMessage): void {
    if (msg.kind === 'frame') this.deliver(msg.frame);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    void this.close();
  }

  protected async transmit(frame: CanFrame): Promise<void> {
    if (this.#failure) throw new BusOperationError(`${this.name}: connection failed: ${this.#failure.message}`, { cause: this.#failure });
    const line = formatSend(frame);
    if (!this.#socket.write(line)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#socket.off('drain', done);
          this.#socket.off('close', done);
          resolve();
        };
        this.#socket.once('drain', done);
        this.#socket.once('close', done);
      });
    }
  }

  protected release(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#socket.destroyed) return resolve();
      this.#socket.once('close', () => resolve());
      this.#socket.end();
      // A server that never answers our FIN must not hold close() forever.
      setTimeout(() => this.#socket.destroy(), 500).unref();
    });
  }
}
