/**
 * One socketcand TCP session: connect, `< hi >`, open the channel, switch to raw mode. The client
 * (`socketcand.ts`) makes a new session for every (re)connection; each has its own stream offsets.
 */
import net from 'node:net';
import { BusOperationError, quoteInput, type BusError } from '../errors.js';
import type { LinkClock } from './link.js';
import { parseSocketcandMessage, SocketcandSplitter, type SocketcandMessage } from './socketcand-protocol.js';

export interface SessionTarget {
  readonly host: string;
  readonly port: number;
  readonly channel: string;
  /** Time allowed for connect plus handshake, ms. */
  readonly connectTimeoutMs: number;
  readonly clock: LinkClock;
}

/** Where an established session's input goes. */
export interface SessionHandlers {
  onMessage(msg: SocketcandMessage): void;
  onMalformed(error: BusError): void;
  /** The session ended (server gone, reset, our own destroy); called once. */
  onLost(error: Error): void;
}

/**
 * Resolves with the socket once the server is in raw mode on the channel.
 * @throws {Error} (plain) when the server cannot be reached, refuses the channel, does not speak
 * socketcand or is too slow; the socket is destroyed. The caller wraps it in its own typed error.
 */
export async function openSocketcandSession(target: SessionTarget, handlers: SessionHandlers): Promise<net.Socket> {
  const source = `${target.host}:${target.port}`;
  const socket = net.connect({ host: target.host, port: target.port });
  socket.setNoDelay(true);
  socket.setEncoding('latin1');
  const splitter = new SocketcandSplitter();
  const pending: SocketcandMessage[] = [];
  let established = false;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let lost = false;

  const onMalformed = (error: BusError): void => {
    if (established) handlers.onMalformed(error);
    else failure ??= error;
  };
  socket.on('data', (chunk: string) => {
    const { messages, garbage } = splitter.push(chunk);
    for (const g of garbage) {
      onMalformed(new BusOperationError(`${source} (byte offset ${g.offset}): socketcand: stray text ${quoteInput(g.text.trim())}`));
    }
    for (const m of messages) {
      let msg: SocketcandMessage;
      try {
        msg = parseSocketcandMessage(m.text, target.channel, { source, offset: m.offset });
      } catch (err) {
        onMalformed(err as BusError);
        continue;
      }
      if (established) handlers.onMessage(msg);
      else pending.push(msg);
    }
    wake?.();
  });
  socket.on('error', (err) => {
    failure ??= err;
    wake?.();
  });
  socket.on('close', () => {
    failure ??= new Error('the server closed the connection');
    wake?.();
    if (established && !lost) {
      lost = true;
      handlers.onLost(failure);
    }
  });

  const deadline = target.clock.now() + target.connectTimeoutMs / 1000;
  const waitForInput = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = new AbortController();
      wake = () => {
        timer.abort();
        resolve();
      };
      target.clock.sleepUntil(deadline, timer.signal).then(resolve, () => undefined);
    });
  const expect = async (what: 'hi' | 'ok'): Promise<void> => {
    for (;;) {
      const msg = pending.shift();
      if (msg?.kind === 'ok' || msg?.kind === 'hi') {
        if (msg.kind === what) return;
        throw new Error(`expected < ${what} >, got < ${msg.kind} >`);
      }
      if (msg?.kind === 'error') throw new Error(`server refused: ${msg.text}`);
      if (msg) continue; // frames before raw mode cannot happen; ignore anything else
      if (failure) throw failure;
      if (target.clock.now() >= deadline) throw new Error(`no < ${what} > within ${target.connectTimeoutMs} ms`);
      await waitForInput();
      wake = undefined;
    }
  };
  try {
    await expect('hi');
    socket.write(`< open ${target.channel} >`);
    await expect('ok');
    socket.write('< rawmode >');
    await expect('ok');
  } catch (err) {
    socket.destroy();
    throw err;
  }
  established = true;
  for (const msg of pending) handlers.onMessage(msg);
  return socket;
}
