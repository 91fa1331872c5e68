/**
 * One tensor type for the whole project: `wire/tensor.ts` declares it, and no other source file
 * spells out a `{ data; dims }` shape of its own (a second copy drifts: float32 here, any array there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';

const SOURCE_FOLDERS = ['bus', 'wire', 'runtime', 'domains', 'models', 'sim', 'cloud', 'cli', 'bench'];

/** A type literal or interface body with both a `data` and a `dims` member, in either order. */
const TENSOR_SHAPE = /\b(data|dims)\??\s*:\s*[^;{}=()]+;\s*(readonly\s+)?(data|dims)\??\s*:/;

function sourceFiles(dir: string): string[] {
  const full = path.join(repoRoot, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

describe('the tensor type', () => {
  it('is declared in wire/tensor.ts and nowhere else', () => {
    const files = SOURCE_FOLDERS.flatMap((d) => sourceFiles(d));
    expect(files.length).toBeGreaterThan(100);
    const declaring = files.filter((f) => TENSOR_SHAPE.test(fs.readFileSync(path.join(repoRoot, f), 'utf8')));
    expect(declaring).toEqual(['wire/tensor.ts']);
  });
});
