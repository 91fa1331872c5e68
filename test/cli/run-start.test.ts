/**
 * `ecu-ai run` that cannot start must end, fast and clean, as a real process: exit 1 within 2 s,
 * one line on stderr naming the cause, and no inference worker left behind. A bus that is not up
 * yet is no such cause unless the config requires it at start: the daemon runs and says so.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type BuiltCli } from '../helpers/cli-build.js';
import { repoRoot } from '../helpers/shared-data.js';

interface StartRun {
  readonly code: number | null;
  readonly elapsedMs: number;
  readonly stderr: string;
  /** Every child process seen while it ran. */
  readonly children: readonly number[];
}

/** Children of `pid` now, from /proc (field 4 of /proc/N/stat is the parent pid). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    // A zombie has ended; only its entry is left for its (new) parent to reap.
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function runStart(cli: BuiltCli, cwd: string, args: readonly string[]): Promise<StartRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli.entry, 'run', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const seen = new Set<number>();
    const poll = setInterval(() => {
      if (child.pid !== undefined) for (const c of childrenOf(child.pid)) seen.add(c);
    }, 10);
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolve({ code, elapsedMs: performance.now() - t0, stderr, children: [...seen] });
    });
  });
}

describe('ecu-ai run, when it cannot start', () => {
  let cli: BuiltCli;
  let work: string;
  let taken: Server;
  let takenPort = 0;

  beforeAll(async () => {
    cli = buildCli();
    work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-run-start-'));
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    takenPort = (taken.address() as { port: number }).port;
  });

  afterAll(async () => {
    if (taken) await new Promise<void>((r) => taken.close(() => r()));
    cli?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function expectCleanFailure(args: readonly string[], cause: RegExp): Promise<StartRun> {
    const r = await runStart(cli, work, args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.elapsedMs).toBeLessThan(2000);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ecu-ai run: cannot start: /);
    expect(lines[0]).toMatch(cause);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    // Workers get SIGKILL at the latest; give the kernel a moment to take them down.
    await new Promise((res) => setTimeout(res, 200));
    expect(r.children.filter(alive)).toEqual([]);
    return r;
  }

  it('exits 1 at once when the HTTP port is taken, before any worker starts', async () => {
    const r = await expectCleanFailure(['--http', `127.0.0.1:${takenPort}`], new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${takenPort}`));
    expect(r.children).toEqual([]);
  });

  it('prints the stack only with --verbose', async () => {
    const r = await runStart(cli, work, ['--http', `127.0.0.1:${takenPort}`, '--verbose']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ecu-ai run: cannot start: .*EADDRINUSE/);
    expect(r.stderr).toMatch(/^\s+at /m);
  });

  it('exits 1 when the DBC cannot be read', async () => {
    await expectCleanFailure(['--http', '127.0.0.1:0', '--dbc', path.join(work, 'no-such.dbc')], /no-such\.dbc/);
  });

  it('exits 1 when the models folder holds none of the models, naming the folder and what it expected', async () => {
    const empty = mkdtempSync(path.join(work, 'models-'));
    await expectCleanFailure(['--http', '127.0.0.1:0', '--models', empty], new RegExp(`${path.basename(empty)}: holds none of the models the domains run: .*"adas-fcw" \\(adas\\).*found no manifest\\.json`));
  });

  it('exits 1 on a bad config, naming the setting in one line', async () => {
    const file = path.join(work, 'bad.yaml');
    writeFileSync(file, 'scheduler:\n  cores: -3\n');
    await expectCleanFailure(['--http', '127.0.0.1:0', '--config', file], /bad\.yaml.*scheduler\.cores/);
  });

  /** A port that was free a moment ago: nothing listens there. */
  async function refusedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    return port;
  }

  it('exits 1 when a bus required at start refuses the connection, before any worker starts', async () => {
    const port = await refusedPort();
    const file = path.join(work, 'refused.yaml');
    writeFileSync(file, `transports:\n  - kind: socketcand\n    host: 127.0.0.1\n    port: ${port}\n    channel: vcan0\n    required_at_start: true\n`);
    const r = await expectCleanFailure(['--http', '127.0.0.1:0', '--config', file], /ECONNREFUSED/);
    expect(r.children).toEqual([]);
  });

  it('by default starts while the bus refuses, warning at once and again every 5 s, and stops cleanly on SIGTERM', async () => {
    const port = await refusedPort();
    const file = path.join(work, 'waiting.yaml');
    writeFileSync(file, `transports:\n  - kind: socketcand\n    host: 127.0.0.1\n    port: ${port}\n    channel: vcan0\n`);
    const child = spawn(process.execPath, [cli.entry, 'run', '--http', '127.0.0.1:0', '--config', file], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const warnings = (): Array<{ msg: string; err?: string }> =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; level: number; err?: string })
        .filter((l) => l.level === 40 && /ECONNREFUSED/.test(l.err ?? ''));
    const t0 = Date.now();
    while (warnings().length < 2 && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const code = await exited;
    clearTimeout(killer);
    expect(warnings().map((w) => w.msg)).toEqual([expect.stringMatching(/bus link connecting: .*ECONNREFUSED.*retrying/), expect.stringMatching(/bus link still connecting after [\d.]+ s: .*ECONNREFUSED/)]);
    expect(stdout).toMatch(/ecu-ai ready/);
    expect(code).toBe(0);
  }, 30_000);

  it('exits 1 when a model will not load in its worker, after stopping the workers already started', async () => {
    // The shipped models, the body's fp32 file replaced by bytes that are no ONNX (its checksum
    // updated, so only onnxruntime in the worker can tell): the safety process is up by then.
    const models = mkdtempSync(path.join(work, 'models-broken-body-'));
    for (const name of readdirSync(path.join(repoRoot, 'models'))) {
      if (name !== 'build') cpSync(path.join(repoRoot, 'models', name), path.join(models, name), { recursive: true });
    }
    const garbage = Buffer.from('not an onnx model');
    writeFileSync(path.join(models, 'body-comfort', 'fp32.onnx'), garbage);
    const manifestPath = path.join(models, 'body-comfort', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { variants: { fp32: { sha256: string } } };
    manifest.variants.fp32.sha256 = createHash('sha256').update(garbage).digest('hex');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const r = await expectCleanFailure(['--http', '127.0.0.1:0', '--models', models], /body-comfort/);
    expect(r.children.length).toBeGreaterThan(0);
  });
});
