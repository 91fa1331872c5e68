/** Test helper: a long-running system-python process that prints "ready" before it starts listening. */
import { spawn, type ChildProcess } from 'node:child_process';
import { SYSTEM_PYTHON } from '../../helpers/peers.js';

export interface PythonRun {
  readonly child: ChildProcess;
  /** Resolves once the script printed a line "ready". */
  readonly ready: Promise<void>;
  /** Resolves with all stdout once the process exits; rejects on a non-zero exit or the time limit. */
  readonly done: Promise<string>;
}

export function startPython(code: string, args: readonly string[], timeoutMs: number): PythonRun {
  const child = spawn(SYSTEM_PYTHON, ['-c', code, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    if (/^ready$/m.test(out)) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const done = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`python did not finish within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`python exited ${code}: ${err}`));
    });
  });
  // A script that dies before "ready" must not leave the test waiting for it.
  done.catch(() => markReady());
  return { child, ready, done };
}
