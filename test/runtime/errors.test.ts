import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';

/** The string literals of an exported union type `NAME = | 'A' | 'B' ...` in a source file. */
function unionMembers(file: string, typeName: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const start = text.indexOf(`export type ${typeName}`);
  expect(start, `${typeName} in ${file}`).toBeGreaterThanOrEqual(0);
  const body = text.slice(start, text.indexOf(';', start));
  return [...body.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] as string);
}

describe('error codes', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

  it.each([
    ['bus/errors.ts', 'BusErrorCode'],
    ['wire/errors.ts', 'RuntimeErrorCode'],
  ])('every code of %s is documented in the README error tables', (file, typeName) => {
    const codes = unionMembers(file, typeName);
    expect(codes.length).toBeGreaterThan(5);
    const missing = codes.filter((c) => !readme.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});
