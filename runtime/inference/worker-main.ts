/**
 * Entry of a domain's inference worker, as a child process (`fork`) or a worker thread: the same
 * compiled file serves both, wiring {@link WorkerCore} to whichever channel it was started with.
 * A child process answers calls over the frame pipe named by `--frame-fd` (see worker-channel.ts).
 */
import { Socket } from 'node:net';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { FrameReader } from './frame-reader.js';
import { AdaptiveSpin } from './spin-read.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { toWireError } from './protocol.js';
import { decodeFrame, encodeError, encodeResult } from './wire.js';
import { WorkerCore } from './worker-core.js';

/** Exit status for a parent that sent a frame this worker cannot read (EX_DATAERR). */
const EXIT_BAD_FRAME = 65;

function frameFd(argv: readonly string[]): number | undefined {
  const k = argv.indexOf('--frame-fd');
  const fd = k < 0 ? NaN : Number(argv[k + 1]);
  return Number.isInteger(fd) && fd > 2 ? fd : undefined;
}

/** How long to poll for the next call after answering one (µs; AdaptiveSpin bounds it). */
function spinUs(argv: readonly string[]): number {
  const k = argv.indexOf('--spin-us');
  return k < 0 ? 0 : Number(argv[k + 1]);
}

function serveProcess(send: (m: FromWorker) => void, fd: number | undefined, windowUs: number): void {
  const pipe = fd === undefined ? undefined : new Socket({ fd, readable: true, writable: true });
  const spin = new AdaptiveSpin(windowUs);
  const core = new WorkerCore({
    send: (m) => {
      if (pipe === undefined || (m.t !== 'result' && m.t !== 'error')) {
        send(m);
        return;
      }
      let frame: Buffer;
      try {
        frame = m.t === 'result' ? encodeResult(m.id, m.outputs) : encodeError(m.id, m.error);
      } catch (err) {
        frame = encodeError(m.id, toWireError(err));
      }
      pipe.write(frame);
      // After the answer's microtask chain, not inside it: the core finishes its bookkeeping first.
      if (spin.windowUs > 0 && fd !== undefined) setImmediate(() => spin.read(fd, onChunk));
    },
    exit: (code) => process.exit(code),
    ...(pipe === undefined ? {} : { sendRaw: (bytes: Buffer) => void pipe.write(bytes) }),
  });
  process.on('message', (m: ToWorker) => core.handle(m));
  // The parent gone means nobody will ever ask again; do not linger as an orphan holding a model.
  process.on('disconnect', () => process.exit(0));
  if (pipe === undefined) return;
  const reader = new FrameReader('worker', (body) => {
    const m = decodeFrame('worker', body, false);
    if (m.t === 'result' || m.t === 'error') throw new Error(`the supervisor sent a ${m.t} frame, which only a worker sends`);
    core.handle(m);
  });
  function onChunk(chunk: Buffer): void {
    try {
      reader.push(chunk);
    } catch (err) {
      process.stderr.write(`worker-main: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(EXIT_BAD_FRAME);
    }
  }
  pipe.on('data', onChunk);
  pipe.on('end', () => process.exit(0));
  pipe.on('error', () => process.exit(0));
}

if (parentPort !== null) {
  // The channel hands over a port of its own (pollable) and the spin window; without one, the
  // built-in parent port serves.
  const given = workerData as { port?: MessagePort; spinUs?: number } | null | undefined;
  const port: MessagePort = given?.port ?? (parentPort as unknown as MessagePort);
  const spin = new AdaptiveSpin(given?.spinUs ?? 0);
  const handle = (m: unknown): void => core.handle(m as ToWorker);
  const core: WorkerCore = new WorkerCore({
    send: (m: FromWorker) => {
      port.postMessage(m);
      if (spin.windowUs > 0 && (m.t === 'result' || m.t === 'error')) setImmediate(() => spin.receive(port, handle));
    },
    exit: (code) => process.exit(code),
  });
  port.on('message', handle);
} else if (process.send !== undefined) {
  const ipcSend = process.send.bind(process);
  serveProcess((m) => void ipcSend(m), frameFd(process.argv), spinUs(process.argv));
} else {
  process.stderr.write('worker-main: start me through the inference supervisor (fork or worker thread)\n');
  process.exitCode = 2;
}
