/**
 * Starts a worker as a child process or a worker thread behind one small interface. A process is the
 * default isolation: only a process survives a native crash or abort of its neighbour, and only a
 * process exit gives native memory back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol.js';

export type Isolation = 'process' | 'thread';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface WorkerChannel {
  readonly isolation: Isolation;
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
}

export interface SpawnOptions {
  /** A thread's JS heap limit; a thread's native memory cannot be bounded. */
  readonly heapLimitMb?: number;
}

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

function processChannel(entry: string): WorkerChannel {
  const child: ChildProcess = fork(entry, [], {
    serialization: 'advanced',
    // The parent's flags (a test runner's loaders, inspector ports) must not leak into the worker.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ended = exitNotifier();
  child.on('exit', (code, signal) => ended.fire({ code, signal }));
  // A failed spawn emits 'error' and never 'exit'.
  child.on('error', () => ended.fire({ code: null, signal: 'spawn-error' }));
  return {
    isolation: 'process',
    pid: child.pid ?? -1,
    send: (m) => {
      // A send racing the child's death is answered by the exit handler, not by an exception here.
      if (!ended.done && child.connected) child.send(m, (err) => void err);
    },
    onMessage: (cb) => child.on('message', (m) => cb(m as FromWorker)),
    onExit: (cb) => ended.on(cb),
    kill: () => {
      if (!ended.done) child.kill('SIGKILL');
    },
    rssBytes: () => (ended.done || child.pid === undefined ? Promise.resolve(undefined) : processRssBytes(child.pid)),
  };
}

function threadChannel(entry: string, opts: SpawnOptions): WorkerChannel {
  const worker = new Worker(entry, {
    ...(opts.heapLimitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: opts.heapLimitMb } }),
  });
  const ended = exitNotifier();
  worker.on('exit', (code) => ended.fire({ code, signal: null }));
  worker.on('error', (err) => ended.fire({ code: null, signal: `error: ${err.message}` }));
  return {
    isolation: 'thread',
    pid: process.pid,
    send: (m) => {
      if (!ended.done) worker.postMessage(m);
    },
    onMessage: (cb) => worker.on('message', (m: FromWorker) => cb(m)),
    onExit: (cb) => ended.on(cb),
    kill: () => {
      if (!ended.done) void worker.terminate();
    },
    rssBytes: () => Promise.resolve(undefined),
  };
}

/** Starts the compiled worker entry with the chosen isolation. */
export function spawnWorker(isolation: Isolation, entry: string, opts: SpawnOptions = {}): WorkerChannel {
  return isolation === 'process' ? processChannel(entry) : threadChannel(entry, opts);
}
