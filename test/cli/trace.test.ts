import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { cli, type CliRun } from '../helpers/cli.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';
import { readAll, tempDir } from '../bus/trace/helpers.js';

const run = (args: string[], cwd = process.cwd()): Promise<CliRun> => cli(cwd, ...args);

describe('ecu-ai trace', () => {
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

  it('exits 2 for an unknown extension and for bad usage', async () => {
    expect((await run(['trace', 'cat', 'x.mf4'])).err).toMatch(/known extensions: .*\.log/);
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
          original.map((f) => [ext === '.asc' && f.error ? 0 : f.id, f.rtr, f.fd, f.error, Buffer.from(f.data).toString('hex')]),
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
