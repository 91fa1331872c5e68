/**
 * Hostile inputs: what each crafted file in ../shared/data/hostile/ (and a few long-line traces made
 * here) costs the CLI as a whole process, peak RSS and wall time, with the exit code and the first
 * line it printed on stderr. Each run is capped (CAP_MB resident, CAP_S seconds): a process over a
 * cap is killed and the figure says "over".
 *
 * `ECU_AI_CLI_BEFORE=/path/to/older/dist/cli/main.js` adds a column for an older build on the same
 * inputs in the same run, so a fix is shown against what it fixed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const HOSTILE = path.resolve('..', 'shared', 'data', 'hostile');
const OUT = path.resolve('bench', 'out', 'hostile');
const CAP_MB = 3072;
const CAP_S = 60;
const AFTER = path.resolve('dist', 'cli', 'main.js');
const BEFORE = process.env['ECU_AI_CLI_BEFORE'];

interface Case {
  readonly name: string;
  readonly what: string;
  readonly args: readonly string[];
}

interface Outcome {
  readonly exit: string;
  readonly peakMb: number;
  readonly seconds: number;
  readonly over: 'memory' | 'time' | undefined;
  readonly stderrBytes: number;
  readonly firstLine: string;
}

/** Writes `lines` to `file` unless it is there; the long line is written in pieces, never held whole. */
function makeFile(file: string, head: string, longLinePrefix: string, longBytes: number, tail: string): void {
  if (existsSync(file)) return;
  const fd = openSync(file, 'w');
  writeSync(fd, head + longLinePrefix);
  const chunk = Buffer.alloc(1 << 20, 'x');
  for (let left = longBytes; left > 0; left -= chunk.length) writeSync(fd, left >= chunk.length ? chunk : chunk.subarray(0, left));
  writeSync(fd, '\n' + tail);
  closeSync(fd);
}

function longLineFiles(): Case[] {
  mkdirSync(OUT, { recursive: true });
  const trc = path.join(OUT, 'comment-30mb.trc');
  makeFile(trc, ';$FILEVERSION=2.1\n;$STARTTIME=45000.5\n;$COLUMNS=N,O,T,I,d,l,D\n', ';', 30 << 20, '      1         0.100 DT     0123 Rx 2  11 22\n');
  const asc = path.join(OUT, 'header-30mb.asc');
  makeFile(asc, 'date Sat Sep 30 15:06:13.191 2017\nbase hex  timestamps absolute\n', '// ', 30 << 20, 'Begin Triggerblock Sat Sep 30 15:06:13.191 2017\n   0.100000 1  123             Rx   d 2 11 22\nEnd TriggerBlock\n');
  const log = path.join(OUT, 'token-10mb.log');
  makeFile(log, '(1700000000.000000) can0 123#1122\n', '(1700000000.000100) can0 ', 10 << 20, '(1700000000.000200) can0 123#1122\n');
  return [
    { name: 'comment-30mb.trc', what: 'a 30 MB comment line in a TRC', args: ['trace', 'stats', trc] },
    { name: 'header-30mb.asc', what: 'a 30 MB header line in an ASC', args: ['trace', 'stats', asc] },
    { name: 'token-10mb.log', what: 'a 10 MB id token in a candump line', args: ['trace', 'stats', log] },
  ];
}

function hostileCases(): Case[] {
  const h = (f: string): string => path.join(HOSTILE, f);
  const blf = ['bomb-zeros-1g.blf', 'claimed-uncompressed-4g.blf', 'uncompressed-method0-64m-obj.blf', 'carry-n512.blf',
    'headersize-huge-in-container.blf', 'size-u32max-container.blf'];
  return [
    ...blf.map((f) => ({ name: f, what: 'trace cat', args: ['trace', 'cat', h(f)] })),
    { name: 'startbit-536870912.dbc', what: 'dbc show', args: ['dbc', 'show', h('startbit-536870912.dbc')] },
    { name: 'msglen-536870912.dbc', what: 'dbc encode CruiseButtons', args: ['dbc', 'encode', h('msglen-536870912.dbc'), 'CruiseButtons'] },
    { name: 'mux-overlap-500.dbc', what: 'dbc show', args: ['dbc', 'show', h('mux-overlap-500.dbc')] },
    { name: 'offset-huge.dbc', what: 'dbc decode M 0100000000000000', args: ['dbc', 'decode', h('offset-huge.dbc'), 'M', '0100000000000000'] },
  ];
}

function status(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

function kbOf(text: string, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

/** Runs the CLI on one case, polling its resident size; stdout is discarded, stderr kept (bounded). */
function runOnce(cli: string, c: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, ...c.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let peakKb = 0;
    let over: Outcome['over'];
    let stderr = '';
    let stderrBytes = 0;
    child.stderr.on('data', (d: Buffer) => {
      stderrBytes += d.length;
      if (stderr.length < 4096) stderr += d.toString('utf8', 0, Math.min(d.length, 4096));
    });
    const poll = setInterval(() => {
      const s = child.pid === undefined ? undefined : status(child.pid);
      if (s === undefined) return;
      peakKb = Math.max(peakKb, kbOf(s, 'VmHWM'), kbOf(s, 'VmRSS'));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (peakKb / 1024 > CAP_MB) over ??= 'memory';
      else if (seconds > CAP_S) over ??= 'time';
      if (over !== undefined) child.kill('SIGKILL');
    }, 5);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const first = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
      resolve({
        exit: code !== null ? String(code) : `signal ${signal ?? '?'}`,
        peakMb: peakKb / 1024,
        seconds,
        over,
        stderrBytes,
        firstLine: first.length > 110 ? `${first.slice(0, 110)}…` : first,
      });
    });
  });
}

function cost(o: Outcome): string {
  const mem = o.over === 'memory' ? `over ${CAP_MB} MB` : `${o.peakMb.toFixed(0)} MB`;
  const time = o.over === 'time' ? `over ${CAP_S} s` : `${o.seconds.toFixed(2)} s`;
  return `${mem}, ${time}, exit ${o.over !== undefined ? 'killed' : o.exit}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/`/g, "'");
}

async function main(): Promise<void> {
  if (!existsSync(HOSTILE)) {
    console.log(`no hostile inputs at ${HOSTILE}: nothing to measure`);
    return;
  }
  if (!existsSync(AFTER)) throw new Error(`${AFTER} is missing: run npm run build first`);
  const cases = [...hostileCases(), ...longLineFiles()];
  const load0 = os.loadavg();
  const rows: string[] = [];
  for (const c of cases) {
    const before = BEFORE !== undefined ? await runOnce(BEFORE, c) : undefined;
    const after = await runOnce(AFTER, c);
    console.log(`${c.name}: ${before !== undefined ? `before ${cost(before)}; ` : ''}after ${cost(after)}; ${after.firstLine}`);
    rows.push(`| ${c.name} | ${c.what} | ${before !== undefined ? `${cost(before)} | ` : ''}${cost(after)} | ${after.stderrBytes} | ${cell(after.firstLine)} |`);
  }
  const load1 = os.loadavg();
  const beforeHead = BEFORE !== undefined ? ' before: peak RSS, time, exit |' : '';
  console.log('--- results');
  console.log('## Hostile inputs (hostile-inputs)\n');
  console.log(`| input | command |${beforeHead} now: peak RSS, time, exit | stderr bytes | first stderr line now |`);
  console.log(`|---|---|${BEFORE !== undefined ? '---|' : ''}---|---|---|`);
  for (const r of rows) console.log(r);
  console.log('');
  console.log(`How: each input run once through the CLI as a whole process (\`node dist/cli/main.js ...\`, stdout discarded), ` +
    `its resident size polled every 5 ms from /proc (VmHWM), killed above ${CAP_MB} MB or ${CAP_S} s ("over"). ` +
    'Inputs: ../shared/data/hostile/ (see its README) and three long-line traces written by the bench into bench/out/hostile/.' +
    (BEFORE !== undefined ? ` "before" is an older build (${BEFORE}) on the same inputs in the same run.` : ''));
  console.log(`Load average (1/5/15 min) at start ${load0.map((x) => x.toFixed(1)).join(' / ')}, at end ${load1.map((x) => x.toFixed(1)).join(' / ')}.`);
}

await main();
