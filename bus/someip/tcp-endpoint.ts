/**
 * SOME/IP over TCP. A stream is framed by each message's length field. A length field that lies
 * (below 8, above the limit, or framing bytes that do not decode) leaves no way to find the next
 * message boundary, so the connection is closed rather than resynchronised. The client side
 * reconnects with exponential backoff.
 */
import net from 'node:net';
import { BusClosedError, BusInitError } from '../errors.js';
import { SomeipParseError, SomeipTimeoutError } from './errors.js';
import { decodeMessage, encodeMessage, peekMessageSize, type SomeipMessage } from './header.js';
import type { SomeipAddress, SomeipMessageHandler } from './udp-endpoint.js';

/** Splits a byte stream into SOME/IP messages. One per connection. */
export class SomeipStreamFramer {
  #buf: Uint8Array = new Uint8Array(0);
  #consumed = 0;
  readonly #maxMessage: number;

  constructor(maxMessageBytes = 1 << 20) {
    this.#maxMessage = maxMessageBytes;
  }

  /**
   * Appends a chunk and returns the complete messages it finishes (copies, safe to keep).
   * @throws {SomeipParseError} naming the stream offset of a lying length field or bad header.
   */
  push(chunk: Uint8Array): SomeipMessage[] {
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf, 0);
    joined.set(chunk, this.#buf.length);
    const out: SomeipMessage[] = [];
    let p = 0;
    for (;;) {
      let size: number | undefined;
      try {
        size = peekMessageSize(joined, p);
      } catch (e) {
        throw new SomeipParseError(this.#consumed + p + 4, (e as Error).message, { cause: e });
      }
      if (size === undefined) break;
      if (size > this.#maxMessage) throw new SomeipParseError(this.#consumed + p + 4, `message of ${size} bytes exceeds the ${this.#maxMessage}-byte limit`);
      if (joined.length - p < size) break;
      try {
        out.push(decodeMessage(joined.subarray(p, p + size), 0, { copy: true }).message);
      } catch (e) {
        const inner = e as SomeipParseError;
        throw new SomeipParseError(this.#consumed + p + (inner.offset ?? 0), inner.message, { cause: e });
      }
      p += size;
    }
    this.#consumed += p;
    this.#buf = joined.slice(p);
    return out;
  }
}

/** One TCP connection carrying SOME/IP messages both ways. */
export class SomeipTcpConnection {
  readonly #socket: net.Socket;
  readonly #framer: SomeipStreamFramer;
  readonly #handlers = new Set<SomeipMessageHandler>();
  readonly remote: SomeipAddress;
  /** Set when the connection was closed because of bad framing. */
  protocolError: SomeipParseError | undefined;
  readonly closed: Promise<void>;

  constructor(socket: net.Socket, maxMessageBytes?: number) {
    this.#socket = socket;
    this.#framer = new SomeipStreamFramer(maxMessageBytes);
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.setNoDelay(true);
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined); // 'close' follows; the owner decides what to do
    socket.on('data', (chunk: Buffer) => {
      let messages: SomeipMessage[];
      try {
        messages = this.#framer.push(chunk);
      } catch (e) {
        this.protocolError = e as SomeipParseError;
        socket.destroy();
        return;
      }
      for (const m of messages) for (const h of this.#handlers) h(m, this.remote);
    });
  }

  get isOpen(): boolean {
    return !this.#socket.destroyed && this.#socket.writable;
  }

  onMessage(handler: SomeipMessageHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /**
   * Writes one message.
   * @throws {BusClosedError} when the connection is closed.
   */
  async send(m: SomeipMessage): Promise<void> {
    await this.sendRaw(encodeMessage(m));
  }

  /** Writes raw bytes (for fault tests). @throws {BusClosedError} when the connection is closed. */
  sendRaw(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(new BusClosedError('SOME/IP TCP connection'));
    return new Promise<void>((resolve, reject) => {
      this.#socket.write(bytes, (err) => (err ? reject(new BusClosedError('SOME/IP TCP connection')) : resolve()));
    });
  }

  close(): Promise<void> {
    this.#socket.destroy();
    return this.closed;
  }
}

/** Accepts SOME/IP TCP connections; every message from every connection goes to the handlers. */
export class SomeipTcpServer {
  readonly #server: net.Server;
  readonly #conns = new Set<SomeipTcpConnection>();
  readonly #handlers = new Set<(m: SomeipMessage, conn: SomeipTcpConnection) => void>();
  readonly stats = { accepted: 0, protocolErrors: 0 };

  private constructor(server: net.Server, maxMessageBytes?: number) {
    this.#server = server;
    server.on('connection', (socket) => {
      const conn = new SomeipTcpConnection(socket, maxMessageBytes);
      this.stats.accepted++;
      this.#conns.add(conn);
      conn.onMessage((m) => {
        for (const h of this.#handlers) h(m, conn);
      });
      void conn.closed.then(() => {
        this.#conns.delete(conn);
        if (conn.protocolError) this.stats.protocolErrors++;
      });
    });
  }

  /** @throws {BusInitError} when the address cannot be bound. */
  static async listen(opts: { address?: string; port?: number; maxMessageBytes?: number } = {}): Promise<SomeipTcpServer> {
    const server = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, opts.address ?? '127.0.0.1', () => resolve());
      });
    } catch (e) {
      throw new BusInitError(`SOME/IP TCP server ${opts.address ?? '127.0.0.1'}:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
    }
    return new SomeipTcpServer(server, opts.maxMessageBytes);
  }

  get local(): SomeipAddress {
    const a = this.#server.address() as net.AddressInfo;
    return { address: a.address, port: a.port };
  }

  get connectionCount(): number {
    return this.#conns.size;
  }

  onMessage(handler: (m: SomeipMessage, conn: SomeipTcpConnection) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#conns].map((c) => c.close()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export interface TcpClientOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxMessageBytes?: number;
}

/** A client connection that reconnects with exponential backoff whenever the connection drops. */
export class SomeipTcpClient {
  readonly #to: SomeipAddress;
  readonly #opts: TcpClientOptions;
  readonly #handlers = new Set<SomeipMessageHandler>();
  #conn: SomeipTcpConnection | undefined;
  #connecting: Promise<SomeipTcpConnection> | undefined;
  #backoff: number;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  readonly stats = { connects: 0, protocolErrors: 0 };

  constructor(to: SomeipAddress, opts: TcpClientOptions = {}) {
    this.#to = to;
    this.#opts = opts;
    this.#backoff = opts.initialBackoffMs ?? 50;
    this.#connecting = this.#connect();
  }

  #connect(): Promise<SomeipTcpConnection> {
    return new Promise<SomeipTcpConnection>((resolve) => {
      const attempt = (): void => {
        if (this.#stopped) return;
        const socket = net.connect(this.#to.port, this.#to.address);
        socket.once('connect', () => {
          socket.removeAllListeners('error');
          const conn = new SomeipTcpConnection(socket, this.#opts.maxMessageBytes);
          this.stats.connects++;
          this.#backoff = this.#opts.initialBackoffMs ?? 50;
          this.#conn = conn;
          conn.onMessage((m, from) => {
            for (const h of this.#handlers) h(m, from);
          });
          void conn.closed.then(() => {
            if (conn.protocolError) this.stats.protocolErrors++;
            this.#conn = undefined;
            if (!this.#stopped) this.#connecting = this.#connect();
          });
          resolve(conn);
        });
        socket.once('error', () => {
          socket.destroy();
          this.#timer = setTimeout(attempt, this.#backoff);
          this.#backoff = Math.min(this.#backoff * 2, this.#opts.maxBackoffMs ?? 5000);
        });
      };
      attempt();
    });
  }

  onMessage(handler: SomeipMessageHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  get connected(): boolean {
    return this.#conn?.isOpen ?? false;
  }

  /**
   * Sends one message, waiting up to `timeoutMs` for a connection.
   * @throws {SomeipTimeoutError} when no connection comes up in time.
   * @throws {BusClosedError} after `close`.
   */
  async send(m: SomeipMessage, timeoutMs = 2000): Promise<void> {
    if (this.#stopped) throw new BusClosedError('SOME/IP TCP client');
    const conn = this.#conn?.isOpen ? this.#conn : await this.#waitConnected(timeoutMs);
    await conn.send(m);
  }

  async #waitConnected(timeoutMs: number): Promise<SomeipTcpConnection> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SomeipTimeoutError(`connect to ${this.#to.address}:${this.#to.port}`, timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([this.#connecting as Promise<SomeipTcpConnection>, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#conn?.close();
  }
}
