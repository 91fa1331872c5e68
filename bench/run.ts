/**
 * `npm run bench`: runs every benchmark in its own process (so one's memory and JIT state do not
 * colour another's), then gathers their Markdown sections into bench/RESULTS.md.
 * `npm run bench -- NAME...` runs only the named ones; the other sections of RESULTS.md are kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench; the sources and RESULTS.md live in bench/ at the repo root.
const repoRoot = path.resolve(here, '..', '..');
const sectionsDir = path.join(repoRoot, 'bench', 'results');

function benchNames(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''))
    .sort();
}

function main(): number {
  const wanted = process.argv.slice(2);
  const names = benchNames().filter((n) => wanted.length === 0 || wanted.includes(n));
  mkdirSync(sectionsDir, { recursive: true });
  let failed = 0;
  for (const name of names) {
    console.log(`\n=== bench ${name}`);
    const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, `${name}.bench.js`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      cwd: repoRoot,
      maxBuffer: 1 << 26,
    });
    process.stdout.write(r.stdout);
    if (r.status !== 0) {
      failed++;
      console.error(`bench ${name} failed with status ${r.status}`);
      continue;
    }
    // A bench prints its Markdown section after a line "--- results"; the section replaces the old one.
    const marker = r.stdout.indexOf('--- results\n');
    if (marker >= 0) writeFileSync(path.join(sectionsDir, `${name}.md`), r.stdout.slice(marker + 12));
  }
  const cpus = os.cpus();
  const header = [
    '# Benchmark results',
    '',
    'Written by `npm run bench`; every figure below was measured by the named benchmark on the machine described.',
    '',
    `Last run: ${new Date().toISOString()} on ${os.type()} ${os.release()}, ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
    '',
  ];
  const sections = existsSync(sectionsDir)
    ? readdirSync(sectionsDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => readFileSync(path.join(sectionsDir, f), 'utf8').trim() + '\n')
    : [];
  writeFileSync(path.join(repoRoot, 'bench', 'RESULTS.md'), header.join('\n') + '\n' + sections.join('\n'));
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
