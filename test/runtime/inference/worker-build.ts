/**
 * Forked workers need JavaScript, while vitest runs the TypeScript sources. This compiles the worker
 * entry and what it imports into .tmp/inference-worker-<hash of the sources>/, once per source
 * change, and returns the compiled entry. Built in a private folder and renamed into place, so
 * parallel test files never see a half-written tree.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../helpers/shared-data.js';

export function compiledWorkerEntry(): string {
  const srcDir = path.join(repoRoot, 'runtime', 'inference');
  const sources = [
    ...readdirSync(srcDir)
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => path.join(srcDir, f)),
    path.join(repoRoot, 'runtime', 'errors.ts'),
  ];
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(readFileSync(f));
  const outDir = path.join(repoRoot, '.tmp', `inference-worker-${hash.digest('hex').slice(0, 16)}`);
  const entry = path.join(outDir, 'runtime', 'inference', 'worker-main.js');
  if (existsSync(entry)) return entry;
  const staging = `${outDir}.${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const program = ts.createProgram([path.join(srcDir, 'worker-main.ts')], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    skipLibCheck: true,
    rootDir: repoRoot,
    outDir: staging,
    types: ['node'],
  });
  const r = program.emit();
  if (r.emitSkipped) throw new Error(`compiling the inference worker failed: ${r.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  try {
    renameSync(staging, outDir);
  } catch {
    // Another test file won the race with identical output.
    rmSync(staging, { recursive: true, force: true });
  }
  return entry;
}
