/**
 * Compiles a TypeScript entry and every relative module it imports into plain ESM in a temporary
 * folder, so a test can run it as a child process with bare `node` (kill -9 tests need a real
 * process, and a loader would dominate the start-up time).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Returns the path of the compiled entry (.js) under `outDir`, mirroring the repo layout. */
export function transpileTree(entry: string, repoRoot: string, outDir: string): string {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    const out = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
    const target = path.join(outDir, path.relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, out);
    // Static imports and the lazy `import('./x.js')` of the CLI's subcommands alike.
    for (const m of src.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)\.js'/g)) {
      visit(path.resolve(path.dirname(file), `${m[1] ?? ''}.ts`));
    }
  };
  visit(entry);
  writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}');
  return path.join(outDir, path.relative(repoRoot, entry)).replace(/\.ts$/, '.js');
}
