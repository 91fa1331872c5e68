import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistinctPaths, openAtomic, SamePathError, writeFileAtomic } from '../../../bus/files/index.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'ecu-ai-atomic-'));
}

describe('atomic files', () => {
  it('replaces the destination only on commit', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'out.txt');
    writeFileSync(dest, 'old');
    const f = await openAtomic(dest);
    await f.handle.write('new contents');
    expect(readFileSync(dest, 'utf8')).toBe('old');
    await f.commit();
    expect(readFileSync(dest, 'utf8')).toBe('new contents');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('leaves the destination as it was on abort and removes the temporary file', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'out.txt');
    writeFileSync(dest, 'old');
    const f = await openAtomic(dest);
    await f.handle.write('half');
    await f.abort();
    await f.abort();
    expect(readFileSync(dest, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('writeFileAtomic creates a new file', async () => {
    const dir = tempDir();
    await writeFileAtomic(path.join(dir, 'a.json'), '{}\n');
    expect(readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe('{}\n');
  });
});

describe('distinct paths', () => {
  it('refuses an output that is an input, however it is spelt', () => {
    const dir = tempDir();
    const file = path.join(dir, 'drive.log');
    writeFileSync(file, 'x');
    symlinkSync(file, path.join(dir, 'link.log'));
    linkSync(file, path.join(dir, 'hard.log'));
    for (const spelling of ['drive.log', './drive.log', '../' + path.basename(dir) + '/drive.log', 'link.log', 'hard.log']) {
      expect(() => assertDistinctPaths([{ role: 'IN', file: 'drive.log' }], [{ role: 'OUT', file: spelling }], dir)).toThrow(SamePathError);
    }
    expect(existsSync(file)).toBe(true);
  });

  it('refuses two outputs naming one file that does not exist yet', () => {
    const dir = tempDir();
    expect(() =>
      assertDistinctPaths([], [{ role: '--out', file: 'f' }, { role: '--labels', file: './f' }], dir),
    ).toThrow(/--labels \.\/f is the same file as --out f/);
  });

  it('accepts distinct files and an input named twice', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a'), 'x');
    expect(() =>
      assertDistinctPaths([{ role: 'IN', file: 'a' }, { role: '--labels', file: 'a' }], [{ role: 'OUT', file: 'b' }], dir),
    ).not.toThrow();
  });
});
