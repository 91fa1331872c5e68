/** Runs a command to its end with a time limit; the result keeps both streams for the assertion message. */
import { spawn } from 'node:child_process';

export interface Finished {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  readonly seconds: number;
}

export function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Finished> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => {
      err += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** A one-line account of a finished command, for expectations that fail. */
export function describeRun(what: string, r: Finished): string {
  return `${what} exited ${r.code} after ${r.seconds.toFixed(1)} s\nstdout:\n${r.out.slice(-4000)}\nstderr:\n${r.err.slice(-4000)}`;
}
