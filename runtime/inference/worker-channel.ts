/**
 * Starts a worker as a child process or a worker thread behind one small interface. A process is the
 * default isolation: only a process survives a native crash or abort of its neighbour, and only a
 * process exit gives native memory back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { MessageChannel, Worker } from 'node:worker_threads';
import { FrameReader } from './frame-reader.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { AdaptiveSpin, socketFd } from './spin-read.js';
import { decodeFrame, encodeControl, encodeRun } from './wire.js';

/** How a worker is started: a child process or a worker thread. */
export type ChannelKind = 'process' | 'thread';
/** How a domain is isolated: a process or a thread of its own, or a process shared with its group. */
export type Isolation = ChannelKind | 'shared';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  /** Why the channel itself ended the worker (a malformed frame), when it did. */
  readonly reason?: string;
}

export interface WorkerChannel {
  readonly isolation: ChannelKind;
  /** OS process id of a child process; the parent's own pid for a thread. */
  readonly pid: number;
  send(msg: ToWorker): void;
  onMessage(cb: (msg: FromWorker) => void): void;
  /** Called once when the worker has ended, for whatever reason. */
  onExit(cb: (info: ExitInfo) => void): void;
  /** Ends the worker now (SIGKILL for a process, terminate() for a thread). */
  kill(): void;
  /** Resident memory of the worker in bytes; undefined where it cannot be told apart (threads, non-Linux). */
  rssBytes(): Promise<number | undefined>;
  /** Whether the worker is stopped by a signal (SIGSTOP, a tracer): it cannot answer until continued. False where it cannot be told. */
  stopped(): Promise<boolean>;
}

export interface SpawnOptions {
  /** A thread's JS heap limit; a thread's native memory cannot be bounded. */
  readonly heapLimitMb?: number;
  /** Names the domain in errors about the channel itself. */
  readonly domain?: string;
  /** Node flags for a child process (heap sizes); a thread shares its parent's. */
  readonly execArgv?: readonly string[];
  /**
   * How long each side polls the frame pipe (a process) or the message port (a thread) instead of
   * sleeping, in µs — the parent after sending a call (for its answer), the worker after answering
   * (for a next call).
   * Costs at most that much CPU per call and side; 0 (default) sleeps at once. See spin-read.ts.
   */
  readonly spinUs?: number;
}

/**
 * Node flags of a process worker unless the pool is told otherwise. A worker's garbage is a few
 * small buffers per call, so a 1 MB young generation is enough: V8 would otherwise grow it as calls
 * accumulate (measured: about 2 MB less per worker after 20,000 calls, no measurable latency cost).
 * `--jitless` and `--lite-mode` save about 1 MB more but double the per-call time, so they are not used.
 */
export const WORKER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1'];

/** Young generation of a worker thread's heap, MB. */
const THREAD_YOUNG_GENERATION_MB = 2;

/** The child's file descriptor of the frame pipe: stdio 0-2, then the IPC channel at 3. */
export const FRAME_FD = 4;

/** Reads VmRSS of a process from /proc (Linux); undefined elsewhere or once it is gone. */
export async function processRssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * Whether a process is stopped (state T) or stopped by a tracer (t), from /proc/PID/stat (Linux);
 * false elsewhere or once it is gone. The state follows the command name, which may itself hold
 * spaces and parentheses, hence the last ')'.
 */
export async function processStopped(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'T' || state === 't';
  } catch {
    return false;
  }
}

/** Fires exit callbacks once; a callback added after the end runs at once. */
function exitNotifier(): { readonly done: boolean; fire(i: ExitInfo): void; on(cb: (i: ExitInfo) => void): void } {
  let info: ExitInfo | undefined;
  const cbs: ((i: ExitInfo) => void)[] = [];
  return {
    get done() {
      return info !== undefined;
    },
    fire(i) {
      if (info !== undefined) return;
      info = i;
      for (const cb of cbs.splice(0)) cb(i);
    },
    on(cb) {
      if (info === undefined) cbs.push(cb);
      else cb(info);
    },
  };
}

/**
 * A child process with two channels: Node's IPC for the one-off load (model bytes, manifests) and
 * `ready`, and a socket pair of binary frames (wire.ts) for everything after it — runs, results,
 * faults, close — so the hot path skips IPC serialisation, and calls, faults and close stay in order.
 */
function processChannel(entry: string, opts: SpawnOptions): WorkerChannel {
  const domain = opts.domain ?? 'worker';
  const spinUs = opts.spinUs ?? 0;
  const child: ChildProcess = fork(entry, ['--frame-fd', String(FRAME_FD), '--spin-us', String(spinUs)], {
    serialization: 'advanced',
    // The parent's flags (a test runner's loaders, inspector ports) must not leak into the worker.
    execArgv: [...(opts.execArgv ?? WORKER_EXEC_ARGV)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
  });
  const frames = child.stdio[FRAME_FD] as Socket | null | undefined;
  const ended = exitNotifier();
  let reason: string | undefined;
  child.on('exit', (code, signal) => ended.fire({ code, signal, ...(reason === undefined ? {} : { reason }) }));
  // A failed spawn emits 'error' and never 'exit'.
  child.on('error', () => ended.fire({ code: null, signal: 'spawn-error' }));
  const kill = (): void => {
    if (!ended.done) child.kill('SIGKILL');
  };
  const listeners: ((m: FromWorker) => void)[] = [];
  const emit = (m: FromWorker): void => {
    for (const cb of listeners) cb(m);
  };
  const reader = new FrameReader(domain, (body) => {
    const m = decodeFrame(domain, body, true);
    if (m.t === 'result' || m.t === 'error') emit(m);
    else throw new Error(`a worker sent a ${m.t} frame, which only the supervisor sends`);
  });
  const onChunk = (chunk: Buffer): void => {
    if (reason !== undefined) return;
    try {
      reader.push(chunk);
    } catch (err) {
      // A worker that garbles its frames cannot be trusted with the next answer either.
      const text = err instanceof Error ? err.message : String(err);
      reason = text.startsWith(`${domain}: `) ? text.slice(domain.length + 2) : text;
      kill();
    }
  };
  frames?.on('data', onChunk);
  // EPIPE when the child dies mid-write; the exit handler reports the death.
  frames?.on('error', () => undefined);
  const fd = spinUs > 0 ? socketFd(frames) : undefined;
  const spin = new AdaptiveSpin(spinUs);
  child.on('message', (m) => emit(m as FromWorker));
  return {
    isolation: 'process',
    pid: child.pid ?? -1,
    send: (m) => {
      if (ended.done) return;
      if (m.t === 'load') {
        // A send racing the child's death is answered by the exit handler, not by an exception here.
        if (child.connected) child.send(m, (err) => void err);
        return;
      }
      if (frames === null || frames === undefined || frames.destroyed) return;
      frames.write(m.t === 'run' ? encodeRun(m.id, m.variant, m.feeds, m.slot) : encodeControl(m));
      if (m.t === 'run' && fd !== undefined) spin.read(fd, onChunk);
    },
    onMessage: (cb) => listeners.push(cb),
    onExit: (cb) => ended.on(cb),
    kill,
    rssBytes: () => (ended.done || child.pid === undefined ? Promise.resolve(undefined) : processRssBytes(child.pid)),
    stopped: () => (ended.done || child.pid === undefined ? Promise.resolve(false) : processStopped(child.pid)),
  };
}

function threadChannel(entry: string, opts: SpawnOptions): WorkerChannel {
  // A port of our own rather than the worker's built-in one: only a MessagePort can be polled
  // synchronously (receiveMessageOnPort), which spinning needs.
  const { port1: port, port2 } = new MessageChannel();
  const spinUs = opts.spinUs ?? 0;
  const worker = new Worker(entry, {
    workerData: { port: port2, spinUs },
    transferList: [port2],
    // A small young generation, as WORKER_EXEC_ARGV gives a process worker: a call's garbage is a few
    // small buffers (measured: about 2 MB less for five threads under live traffic).
    resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB, ...(opts.heapLimitMb === undefined ? {} : { maxOldGenerationSizeMb: opts.heapLimitMb }) },
  });
  const ended = exitNotifier();
  worker.on('exit', (code) => {
    port.close();
    ended.fire({ code, signal: null });
  });
  worker.on('error', (err) => ended.fire({ code: null, signal: `error: ${err.message}` }));
  const listeners: ((m: FromWorker) => void)[] = [];
  const deliver = (m: unknown): void => {
    for (const cb of listeners) cb(m as FromWorker);
  };
  port.on('message', deliver);
  const spin = new AdaptiveSpin(spinUs);
  return {
    isolation: 'thread',
    pid: process.pid,
    send: (m) => {
      if (ended.done) return;
      port.postMessage(m);
      if (m.t === 'run') spin.receive(port, deliver);
    },
    onMessage: (cb) => listeners.push(cb),
    onExit: (cb) => ended.on(cb),
    kill: () => {
      if (!ended.done) void worker.terminate();
    },
    rssBytes: () => Promise.resolve(undefined),
    // A thread cannot be stopped apart from the daemon.
    stopped: () => Promise.resolve(false),
  };
}

/** Starts the compiled worker entry with the chosen isolation. */
export function spawnWorker(isolation: ChannelKind, entry: string, opts: SpawnOptions = {}): WorkerChannel {
  return isolation === 'process' ? processChannel(entry, opts) : threadChannel(entry, opts);
}
