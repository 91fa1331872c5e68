/**
 * Real peers the interop tests run against (python-can, canmatrix, tshark, mosquitto, ...).
 * A missing peer skips its tests with a loud reason on a developer machine; under CI=true it fails.
 */
import { spawnSync } from 'node:child_process';

/** Debian's python sees Debian's modules (python3-can, python3-canmatrix); the python3 first on PATH may not. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface Peer {
  readonly available: boolean;
  readonly reason: string;
}

function requirePeer(name: string, ok: boolean, hint: string): Peer {
  if (ok) return { available: true, reason: '' };
  const reason = `${name} is not installed (${hint})`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}: .ci/run must install it`);
  console.warn(`SKIPPING tests that need ${reason}`);
  return { available: false, reason };
}

export function pythonModulePeer(module: string, debPackage: string): Peer {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  return requirePeer(`python module ${module}`, r.status === 0, `apt-get install ${debPackage}`);
}

export function commandPeer(command: string, debPackage: string): Peer {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return requirePeer(`command ${command}`, r.status === 0, `apt-get install ${debPackage}`);
}

/** Runs a python snippet with the system interpreter; throws with its stderr on failure. */
export function runPython(code: string, args: readonly string[] = [], input?: string): string {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', code, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
