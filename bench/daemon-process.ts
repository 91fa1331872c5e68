/** Starts `ecu-ai run` as a child process for a benchmark, the way a board would run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Starts the daemon of the package at `root` with `config` and resolves with its HTTP URL once it
 * logs that it is ready; `flags` go to node before the script (e.g. the unit's V8 flags).
 */
export function startDaemon(root: string, config: string, flags: readonly string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...flags, path.join(root, 'dist', 'cli', 'main.js'), 'run', '--config', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: root,
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the daemon was not ready within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the daemon exited with ${code} before it was ready`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.includes('"ecu-ai ready"')) continue;
        const url = (JSON.parse(line) as { http?: string }).http;
        clearTimeout(timer);
        if (url === undefined) reject(new Error('the ready line names no HTTP endpoint'));
        else resolve({ child, url });
      }
    });
  });
}
