import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpileTree } from '../helpers/transpile.js';
import { cli, type CliRun } from '../helpers/cli.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';
import { readAll, tempDir } from '../bus/trace/helpers.js';

const run = (args: string[], cwd = process.cwd()): Promise<CliRun> => cli(cwd, ...args);

describe('ecu-ai trace', () => {
  it('--max-line-bytes bounds a text trace line: a longer one exits 2 naming it, --lenient skips it', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('long.log'), '(1.0) can0 123#11\n(2.0) can0 18DAF110##1' + '00'.repeat(64) + '\n(3.0) can0 124#22\n');
      const whole = await run(['trace', 'stats', 'long.log', '--json'], tmp.dir);
      expect(whole.code).toBe(0);
      expect((JSON.parse(whole.out) as { frames: number }).frames).toBe(3);
      const capped = await run(['trace', 'cat', 'long.log', '--max-line-bytes', '64'], tmp.dir);
      expect(capped.code).toBe(2);
      expect(capped.err).toMatch(/long\.log:2\b.*line longer than 64 bytes/);
      expect(capped.out.trim().split('\n')).toHaveLength(1);
      const skipped = await run(['trace', 'stats', 'long.log', '--json', '--max-line-bytes', '64', '--lenient'], tmp.dir);
      expect(skipped.code).toBe(0);
      expect((JSON.parse(skipped.out) as { frames: number }).frames).toBe(2);
      const bad = await run(['trace', 'stats', 'long.log', '--max-line-bytes', '0'], tmp.dir);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('--max-line-bytes');
    } finally {
      tmp.remove();
    }
  });

  it('cat prints one contract JSON object per frame, honouring --limit', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('a.log'), '(1.000001) can0 123#DEADBEEF00112233\n(2.5) can1 18DAF110##1' + '00'.repeat(12) + '\n(3.0) can0 7FF#R\n');
      const all = await run(['trace', 'cat', 'a.log'], tmp.dir);
      expect(all.code).toBe(0);
      const lines = all.out.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toBe('{"t":1.000001,"ch":"can0","id":291,"ext":false,"fd":false,"brs":false,"rtr":false,"err":false,"dlc":8,"data":"deadbeef00112233"}');
      expect(JSON.parse(lines[1]!)).toMatchObject({ ext: true, fd: true, brs: true, dlc: 9, ch: 'can1' });
      const limited = await run(['trace', 'cat', 'a.log', '--limit', '2'], tmp.dir);
      expect(limited.out.trim().split('\n')).toHaveLength(2);
    } finally {
      tmp.remove();
    }
  });

  it('exits 2 naming file and line for a malformed trace, after printing the frames before it', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('bad.log'), '(1.0) can0 123#11\n(2.0) can0 12Z#11\n');
      const r = await run(['trace', 'cat', 'bad.log'], tmp.dir);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${tmp.file('bad.log')}:2:`);
      expect(r.out.trim().split('\n')).toHaveLength(1);
      const lenient = await run(['trace', 'cat', 'bad.log', '--lenient'], tmp.dir);
      expect(lenient.code).toBe(0);
      expect(lenient.err).toContain('skipped 1');
    } finally {
      tmp.remove();
    }
  });

  it('warns of a cut last ASC line and counts it as skipped', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('cut.asc'), 'base hex  timestamps absolute\n   1.000000 1  123  Rx   d 2 01 02\n   2.000000 1  124  Rx   d 8 01 02 0');
      const r = await run(['trace', 'cat', 'cut.asc'], tmp.dir);
      expect(r.code, r.err).toBe(0);
      expect(r.out.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain(`warning: ${tmp.file('cut.asc')}:3: the last line is cut short`);
      expect(r.err).toContain('"   2.000000 1  124  Rx   d 8 01 02 0"');
      expect(r.err).toContain('skipped 1');
    } finally {
      tmp.remove();
    }
  });

  it('quotes a binary line escaped and cut short, never as raw bytes', async () => {
    const tmp = tempDir();
    try {
      // Every byte value, then a long run: what a binary file given a trace extension looks like.
      const binary = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 10)), Buffer.alloc(5000, 0x07)]);
      const lines = { '.log': Buffer.concat([Buffer.from('(1.0) can0 123#11 '), binary]), '.asc': Buffer.concat([Buffer.from('   1.0 1  6F9  Rx   d 8 '), binary]), '.trc': Buffer.concat([Buffer.from(';$FILEVERSION=2.1\n;$COLUMNS=N,O,T,B,I,d,R,L,D\n1) '), binary]), '.jsonl': binary };
      for (const [ext, bytes] of Object.entries(lines)) {
        writeFileSync(tmp.file(`bin${ext}`), Buffer.concat([bytes, Buffer.from('\n')]));
        const r = await run(['trace', 'cat', `bin${ext}`], tmp.dir);
        expect(r.code, ext).toBe(2);
        const message = r.err.trimEnd();
        expect(message, ext).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
        expect(message.length, `${ext}: ${message}`).toBeLessThan(tmp.file('').length + 300);
        // ASC reads control characters as blanks between tokens: it has nothing to escape.
        if (ext !== '.asc') expect(message, ext).toMatch(/\\x0[0-9a-f]|\\x7f|\\x8[0-9a-f]|\\t/);
      }
      writeFileSync(tmp.file('long.log'), `(1.0) can0 123#11 ${'Z'.repeat(1000)}\n`);
      const long = await run(['trace', 'cat', 'long.log'], tmp.dir);
      expect(long.err).toContain(`"${'Z'.repeat(120)}"…`);
      expect(long.err).not.toContain('Z'.repeat(121));
    } finally {
      tmp.remove();
    }
  });

  it('exits 2 for an unknown extension and for bad usage', async () => {
    expect((await run(['trace', 'cat', 'x.mdf'])).err).toMatch(/known extensions: .*\.log/);
    expect((await run(['trace', 'cat'])).code).toBe(2);
    expect((await run(['trace', 'nope'])).code).toBe(2);
    expect((await run(['trace', 'cat', 'missing.log'])).code).toBe(2);
  });

  it.skipIf(!hasSharedData)(`convert keeps every frame across formats ${sharedSkipReason}`, async () => {
    const tmp = tempDir();
    try {
      const src = sharedPath('traces', 'python-can', 'logfile.asc');
      const original = (await readAll(src)).frames;
      for (const ext of ['.blf', '.log', '.jsonl', '.asc']) {
        const r = await run(['trace', 'convert', src, tmp.file(`out${ext}`)]);
        expect(r.code, r.err).toBe(0);
        const back = (await readAll(tmp.file(`out${ext}`))).frames;
        expect(back.map((f) => [f.id, f.rtr, f.fd, f.error, Buffer.from(f.data).toString('hex')]), ext).toEqual(
          // ASC error frames keep no id; a candump error frame without error class bits is a bus error (0x80).
          original.map((f) => [ext === '.asc' && f.error ? 0 : ext === '.log' && f.error && f.id === 0 ? 0x80 : f.id, f.rtr, f.fd, f.error, Buffer.from(f.data).toString('hex')]),
        );
      }
    } finally {
      tmp.remove();
    }
  });

  it.skipIf(!hasSharedData)(`cat --dbc adds msg and sig for frames the DBC describes ${sharedSkipReason}`, async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('m.log'), '(1.0) can0 1F0#C001400000000000\n(2.0) can0 123#00\n');
      const r = await run(['trace', 'cat', 'm.log', '--dbc', sharedPath('dbc', 'motohawk.dbc')], tmp.dir);
      expect(r.code, r.err).toBe(0);
      const [known, unknown] = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(known?.['msg']).toBe('ExampleMessage');
      expect(Object.keys(known?.['sig'] as object).length).toBeGreaterThan(0);
      expect(Object.values(known?.['sig'] as object).every((v) => typeof v === 'number')).toBe(true);
      expect(unknown).not.toHaveProperty('msg');
    } finally {
      tmp.remove();
    }
  });

  it('stats reports per-id counts, mean period and jitter', async () => {
    const tmp = tempDir();
    try {
      const lines = [];
      for (let i = 0; i < 10; i++) lines.push(`(${(i * 0.1).toFixed(6)}) can0 100#00`);
      for (let i = 0; i < 5; i++) lines.push(`(${(i * 0.2 + (i % 2) * 0.01).toFixed(6)}) can0 200#00`);
      writeFileSync(tmp.file('s.log'), lines.join('\n') + '\n');
      const r = await run(['trace', 'stats', 's.log', '--json'], tmp.dir);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.out) as { frames: number; ids: number; per_id: { id: number; count: number; mean_period_s: number; jitter_s: number }[] };
      expect(s.frames).toBe(15);
      expect(s.ids).toBe(2);
      const a = s.per_id.find((x) => x.id === 0x100)!;
      const b = s.per_id.find((x) => x.id === 0x200)!;
      expect(a.count).toBe(10);
      expect(a.mean_period_s).toBeCloseTo(0.1, 6);
      expect(a.jitter_s).toBeCloseTo(0, 6);
      expect(b.mean_period_s).toBeCloseTo(0.2, 6);
      expect(b.jitter_s).toBeCloseTo(0.01, 6);
      const text = await run(['trace', 'stats', 's.log'], tmp.dir);
      expect(text.out).toContain('15 frames, 2 ids');
    } finally {
      tmp.remove();
    }
  });
});

/** Files in `dir` other than the ones the test put there: a leftover temporary file shows up here. */
function extraFiles(dir: string, expected: readonly string[]): string[] {
  return readdirSync(dir).filter((name) => !expected.includes(name));
}

describe('ecu-ai trace convert never destroys a file', () => {
  it('refuses OUT naming IN, however spelt, with exit 2 and the input intact', async () => {
    const tmp = tempDir();
    try {
      const log = '(1.0) can0 123#11\n(2.0) can0 124#22\n';
      writeFileSync(tmp.file('same.log'), log);
      writeFileSync(tmp.file('same.blf'), 'not overwritten');
      symlinkSync(tmp.file('same.log'), tmp.file('link.log'));
      for (const [input, output] of [['same.log', 'same.log'], ['same.log', './sub/../same.log'], ['same.blf', 'same.blf'], ['link.log', 'same.log']] as const) {
        const r = await run(['trace', 'convert', input, output], tmp.dir);
        expect(r.code, `${input} -> ${output}`).toBe(2);
        expect(r.err).toMatch(/same file as IN/);
        expect(r.err).not.toContain('frames written');
      }
      expect(readFileSync(tmp.file('same.log'), 'utf8')).toBe(log);
      expect(readFileSync(tmp.file('same.blf'), 'utf8')).toBe('not overwritten');
      expect(extraFiles(tmp.dir, ['same.log', 'same.blf', 'link.log'])).toEqual([]);
    } finally {
      tmp.remove();
    }
  });

  it('leaves an existing OUT as it was when IN turns out malformed part-way', async () => {
    const tmp = tempDir();
    try {
      const good = Array.from({ length: 50_000 }, (_, i) => `(${(i / 1000).toFixed(6)}) can0 123#${(i & 0xff).toString(16).padStart(2, '0')}`);
      writeFileSync(tmp.file('bad.log'), [...good, '(99.0) can0 12Z#11', ...good].join('\n') + '\n');
      for (const ext of ['.log', '.asc', '.blf', '.trc', '.jsonl']) {
        writeFileSync(tmp.file(`out${ext}`), `previous ${ext}`);
        const r = await run(['trace', 'convert', 'bad.log', `out${ext}`], tmp.dir);
        expect(r.code, ext).toBe(2);
        expect(r.err).toContain(`${tmp.file('bad.log')}:50001:`);
        expect(readFileSync(tmp.file(`out${ext}`), 'utf8')).toBe(`previous ${ext}`);
      }
      expect(extraFiles(tmp.dir, ['bad.log', ...['.log', '.asc', '.blf', '.trc', '.jsonl'].map((e) => `out${e}`)])).toEqual([]);
    } finally {
      tmp.remove();
    }
  });
});

describe('ecu-ai trace convert interrupted part-way', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const repoRoot = path.resolve(here, '..', '..');
  const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-convert-kill-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // main.ts loads its commands with import(), which the transpiler does not follow: compile trace.ts too.
  const main = transpileTree(path.join(repoRoot, 'cli', 'main.ts'), repoRoot, path.join(work, 'js'));
  transpileTree(path.join(repoRoot, 'cli', 'trace.ts'), repoRoot, path.join(work, 'js'));
  const big = path.join(work, 'big.log');
  const lines: string[] = [];
  for (let i = 0; i < 400_000; i++) lines.push(`(${1_700_000_000 + i / 1000}) can0 ${(0x100 + (i % 32)).toString(16)}#${(i >>> 0).toString(16).padStart(16, '0')}`);
  writeFileSync(big, lines.join('\n') + '\n');
  lines.length = 0;

  /** Starts a convert into `dest`, sends `signal` once its temporary file exists, and resolves with how it ended. */
  function convertAndInterrupt(dest: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [main, 'trace', 'convert', big, dest], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const started = Date.now();
      const poll = setInterval(() => {
        const writing = readdirSync(path.dirname(dest)).some((n) => n.startsWith(`.${path.basename(dest)}.`) && n.endsWith('.tmp'));
        if (writing) {
          clearInterval(poll);
          // Part-way, not at the first byte: the temporary file has had time to grow.
          setTimeout(() => child.kill(signal), 150);
        } else if (Date.now() - started > 20_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
          reject(new Error(`no temporary file for ${dest} after 20 s: ${stderr}`));
        }
      }, 5);
      child.on('exit', (code, sig) => {
        clearInterval(poll);
        resolve({ code, signal: sig, stderr });
      });
    });
  }

  for (const ext of ['.blf', '.asc']) {
    it(`SIGINT exits 130, keeps the old ${ext} and removes its temporary file`, async () => {
      const dir = mkdtempSync(path.join(work, 'int-'));
      const dest = path.join(dir, `out${ext}`);
      writeFileSync(dest, 'the old recording');
      const r = await convertAndInterrupt(dest, 'SIGINT');
      expect(r.stderr).not.toContain('frames written');
      expect(r.code, r.stderr).toBe(130);
      expect(readFileSync(dest, 'utf8')).toBe('the old recording');
      expect(readdirSync(dir)).toEqual([`out${ext}`]);
    }, 30_000);

    it(`SIGKILL keeps the old ${ext} intact (a hidden temporary file may remain)`, async () => {
      const dir = mkdtempSync(path.join(work, 'kill-'));
      const dest = path.join(dir, `out${ext}`);
      writeFileSync(dest, 'the old recording');
      const r = await convertAndInterrupt(dest, 'SIGKILL');
      expect(r.signal).toBe('SIGKILL');
      expect(readFileSync(dest, 'utf8')).toBe('the old recording');
      expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toEqual([`out${ext}`]);
    }, 30_000);
  }

  it('without interruption, replaces the old file with the whole conversion', async () => {
    const dir = mkdtempSync(path.join(work, 'done-'));
    const dest = path.join(dir, 'out.blf');
    writeFileSync(dest, 'the old recording');
    const r = await run(['trace', 'convert', big, dest]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(dest)).toBe(true);
    expect((await readAll(dest)).frames).toHaveLength(400_000);
    expect(readdirSync(dir)).toEqual(['out.blf']);
  }, 30_000);
});
