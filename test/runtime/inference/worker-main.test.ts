/**
 * The worker entry on its own: a parent that writes a malformed frame ends the worker with a clear
 * message, and a worker whose parent goes away does not linger.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeControl } from '../../../runtime/inference/wire.js';
import { compiledWorkerEntry } from './worker-build.js';

let entry: string;
beforeAll(() => {
  entry = compiledWorkerEntry();
});

function start(): { child: ChildProcess; pipe: Socket; stderr: () => string; exited: Promise<{ code: number | null; signal: string | null }> } {
  const child = fork(entry, ['--frame-fd', '4'], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, pipe: child.stdio[4] as Socket, stderr: () => err, exited };
}

describe('worker-main', () => {
  it('exits with status 65 naming the byte when the parent sends a malformed frame', async () => {
    const w = start();
    // A frame of kind 0x44, which nobody defines.
    w.pipe.write(Buffer.from([1, 0, 0, 0, 0x44]));
    expect(await w.exited).toEqual({ code: 65, signal: null });
    expect(w.stderr()).toMatch(/worker: malformed frame at byte 0: unknown frame kind 0x44/);
  });

  it('exits with status 65 when the parent sends a result frame, which only a worker sends', async () => {
    const w = start();
    w.pipe.write(Buffer.from([8, 0, 0, 0, 0x81, 0, 0, 0, 1, 0, 0, 0]));
    expect(await w.exited).toEqual({ code: 65, signal: null });
    expect(w.stderr()).toMatch(/the supervisor sent a result frame/);
  });

  it('exits cleanly on a close frame even before any model is loaded', async () => {
    const w = start();
    w.pipe.write(encodeControl({ t: 'close' }));
    expect(await w.exited).toEqual({ code: 0, signal: null });
  });

  it('exits when the parent closes the frame pipe', async () => {
    const w = start();
    // The IPC channel stays open: the pipe's end alone must be enough.
    w.pipe.end();
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(w.child.connected).toBe(false);
  });
});
