/**
 * A bounded busy-wait for the other side of a frame pipe or a thread's message port. Waking a
 * process that sleeps in epoll costs a scheduler round trip, and on a virtual machine whose idle
 * vCPUs halt, tens of µs more per hop: more than a small model's whole run. When an answer is expected within microseconds
 * (the reply to a call, or the next call of a burst), polling the socket for a short window keeps
 * the CPU awake and takes the bytes the moment they land. The window is the whole cost: at most
 * `windowUs` of one core per call, which the caller chooses (0 turns it off).
 *
 * The socket stays owned by libuv. Reading it behind libuv's back keeps the byte order because
 * JavaScript runs one callback at a time: libuv hands every chunk it reads to its `data` listener
 * at once, and this function only runs between such callbacks.
 */
import { readSync } from 'node:fs';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

const CHUNK = 64 * 1024;
/** Longest window anyone may ask for (µs): spinning is for answers due within microseconds. */
const MAX_WINDOW_US = 10_000;
const MAX_SKIP = 64;
/** One read buffer for every spin: JavaScript runs one at a time, and chunks leave it as copies. */
const readBuffer = Buffer.allocUnsafe(CHUNK);

export interface SpinResult {
  /** Bytes read within the window (0 when none came); 1 for a message taken off a port. */
  readonly bytes: number;
  /** The peer closed the pipe or it failed; libuv reports that on its own path. */
  readonly ended: boolean;
}

const NOTHING: SpinResult = { bytes: 0, ended: false };
const ENDED: SpinResult = { bytes: 0, ended: true };

/**
 * Polls non-blocking `fd` for up to `windowUs` and passes what arrives to `onChunk`; returns after
 * the first chunk, so the caller's event loop goes on at once.
 */
export function spinRead(fd: number, windowUs: number, onChunk: (chunk: Buffer) => void): SpinResult {
  if (windowUs <= 0) return NOTHING;
  const until = process.hrtime.bigint() + BigInt(Math.round(windowUs * 1000));
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, readBuffer, 0, CHUNK, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return ENDED;
      if (process.hrtime.bigint() >= until) return NOTHING;
      continue;
    }
    if (n === 0) return ENDED;
    // Copy: the chunk may outlive this call inside a frame reader's buffer.
    onChunk(Buffer.from(readBuffer.subarray(0, n)));
    return { bytes: n, ended: false };
  }
}

/**
 * Polls a MessagePort (of a worker thread) for up to `windowUs`; returns after the first message.
 * Messages taken here never reach the port's 'message' listeners, so `onMessage` must be the same
 * handler; the port's queue keeps their order.
 */
export function spinReceive(port: MessagePort, windowUs: number, onMessage: (message: unknown) => void): SpinResult {
  if (windowUs <= 0) return NOTHING;
  const until = process.hrtime.bigint() + BigInt(Math.round(windowUs * 1000));
  for (;;) {
    const got = receiveMessageOnPort(port);
    if (got !== undefined) {
      onMessage(got.message);
      return { bytes: 1, ended: false };
    }
    if (process.hrtime.bigint() >= until) return NOTHING;
  }
}

/**
 * A spin window that stands down when spinning does not pay: after a window that ends empty, the
 * next 1, 2, 4, ... 64 chances are skipped; a window that catches bytes resets that. A worker whose
 * calls come at a service's pace (tens of ms apart) thus spins about once in 65 calls, and on a
 * machine too busy for the peer to answer within the window, spinning (which would take the peer's
 * CPU) mostly stops.
 */
export class AdaptiveSpin {
  readonly windowUs: number;
  #skip = 0;
  #penalty = 0;

  /** Non-positive or non-finite: off; longer than 10 ms: 10 ms. */
  constructor(windowUs: number) {
    this.windowUs = Number.isFinite(windowUs) && windowUs > 0 ? Math.min(windowUs, MAX_WINDOW_US) : 0;
  }

  /** Like {@link spinRead}, unless recent windows came back empty. */
  read(fd: number, onChunk: (chunk: Buffer) => void): SpinResult {
    return this.#spin((w) => spinRead(fd, w, onChunk));
  }

  /** Like {@link spinReceive}, unless recent windows came back empty. */
  receive(port: MessagePort, onMessage: (message: unknown) => void): SpinResult {
    return this.#spin((w) => spinReceive(port, w, onMessage));
  }

  #spin(poll: (windowUs: number) => SpinResult): SpinResult {
    if (this.windowUs === 0) return NOTHING;
    if (this.#skip > 0) {
      this.#skip--;
      return NOTHING;
    }
    const r = poll(this.windowUs);
    if (r.bytes > 0) this.#penalty = 0;
    else if (!r.ended) {
      this.#penalty = Math.min(MAX_SKIP, Math.max(1, this.#penalty * 2));
      this.#skip = this.#penalty;
    }
    return r;
  }
}


/** The file descriptor under a net.Socket, where Node exposes it (pipes and sockets on Unix). */
export function socketFd(socket: unknown): number | undefined {
  const fd = (socket as { _handle?: { fd?: unknown } } | null)?._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
