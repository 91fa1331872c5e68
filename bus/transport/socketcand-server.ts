/**
 * The server side of socketcand's raw mode, bridging TCP clients to any `Bus` (typically a virtual
 * one): lets python-can's `socketcand` interface, or a HIL tool, talk to ecu-ai's bus over TCP.
 * Each client gets its own bus endpoint from `open(channel)`; malformed commands get `< error ... >`
 * and the session goes on.
 */
import net from 'node:net';
import type { BusError } from '../errors.js';
import type { Bus } from './bus.js';
import { formatFrame, parseSocketcandMessage, SocketcandSplitter } from './socketcand-protocol.js';

export interface SocketcandServerOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Opens the bus endpoint a client asked for with `< open CHANNEL >`; may throw to refuse it. */
  readonly open: (channel: string) => Bus | Promise<Bus>;
  readonly onError?: (error: BusError) => void;
}

export interface SocketcandServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening, ends every session and closes their buses. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts listening.
 * @throws {Error} the listen error (e.g. EADDRINUSE).
 */
export async function serveSocketcand(options: SocketcandServerOptions): Promise<SocketcandServer> {
  const sessions = new Set<() => Promise<void>>();
  const server = net.createServer((socket) => sessions.add(runSession(socket, options, sessions)));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...sessions].map((end) => end()));
        await stopped;
      })();
      return closing;
    },
  };
}

function runSession(socket: net.Socket, options: SocketcandServerOptions, sessions: Set<() => Promise<void>>): () => Promise<void> {
  socket.setNoDelay(true);
  socket.setEncoding('latin1');
  const source = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  const splitter = new SocketcandSplitter();
  const reader = new AbortController();
  let bus: Bus | undefined;
  let channel = '';
  // Commands are handled strictly in order: an `open` must finish before a `send` uses the bus.
  let chain = Promise.resolve();
  let ended: Promise<void> | undefined;
  const end = (): Promise<void> => {
    ended ??= (async () => {
      reader.abort();
      socket.destroy();
      await chain;
      await bus?.close();
      sessions.delete(end);
    })();
    return ended;
  };
  const reply = (text: string): void => {
    if (!socket.destroyed) socket.write(text);
  };
  const handle = async (text: string, offset: number): Promise<void> => {
    let msg;
    try {
      msg = parseSocketcandMessage(text, channel || 'can0', { source, offset });
    } catch (err) {
      options.onError?.(err as BusError);
      reply(`< error ${(err as Error).message.replace(/[<>]/g, '')} >`);
      return;
    }
    if (msg.kind === 'other' && msg.word === 'open' && msg.args[0] && !bus) {
      try {
        channel = msg.args[0];
        bus = await options.open(channel);
        reply('< ok >');
      } catch (err) {
        reply(`< error could not open ${channel}: ${(err as Error).message.replace(/[<>]/g, '')} >`);
      }
    } else if (msg.kind === 'other' && msg.word === 'rawmode' && bus) {
      reply('< ok >');
      void pump(bus, socket, reader.signal);
    } else if (msg.kind === 'send' && bus) {
      await bus.send(msg.frame).catch((err: Error) => reply(`< error ${err.message.replace(/[<>]/g, '')} >`));
    } else {
      reply(`< error unexpected < ${text.slice(1, -1).trim().slice(0, 40)} > in this state >`);
    }
  };
  socket.on('data', (chunk: string) => {
    const { messages } = splitter.push(chunk);
    for (const m of messages) chain = chain.then(() => handle(m.text, m.offset));
  });
  socket.on('close', () => void end());
  socket.on('error', () => void end());
  reply('< hi >');
  return end;
}

async function pump(bus: Bus, socket: net.Socket, signal: AbortSignal): Promise<void> {
  for await (const frame of bus.frames(signal)) {
    if (socket.destroyed) break;
    if (!socket.write(formatFrame(frame))) {
      // A client that disconnects while we wait for drain would otherwise park this loop forever.
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
}
