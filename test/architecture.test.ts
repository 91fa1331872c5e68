/**
 * Keeps ARCHITECTURE.md true to the code: every repository path it names exists, and every relative
 * import follows the layer rules it states, with exactly the exceptions it lists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const doc = fs.readFileSync(path.join(repoRoot, 'ARCHITECTURE.md'), 'utf8');

/** Folders that are not source: installed packages, build output, scratch. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'coverage']);

/**
 * Which layers each layer may import besides itself. `runtime/*` is any sub-folder of runtime/,
 * `domains/*` any one domain folder (not domains/common). The same table is in ARCHITECTURE.md.
 */
const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  bus: [],
  wire: ['bus'],
  runtime: ['bus', 'wire'],
  'runtime/daemon': ['bus', 'runtime', 'runtime/*'],
  'runtime/compose': ['bus', 'runtime', 'runtime/*'],
  'runtime/platform': ['runtime'],
  'runtime/inference': ['bus', 'runtime', 'wire'],
  'runtime/observe': ['bus', 'runtime'],
  'runtime/signals': ['bus', 'runtime'],
  'runtime/scheduler': ['bus', 'runtime', 'runtime/platform'],
  'runtime/service': ['bus', 'runtime', 'runtime/inference', 'runtime/scheduler', 'runtime/signals', 'runtime/vehicle', 'wire'],
  'runtime/cloud': ['bus', 'runtime', 'runtime/scheduler', 'runtime/service', 'wire'],
  'runtime/datalog': ['bus', 'runtime', 'runtime/cloud', 'runtime/scheduler', 'runtime/service', 'wire'],
  'runtime/someip': ['bus', 'runtime', 'runtime/observe', 'runtime/service', 'runtime/signals'],
  'runtime/vehicle': ['bus', 'runtime', 'runtime/signals'],
  'runtime/engine': [
    'bus',
    'runtime',
    'runtime/inference',
    'runtime/observe',
    'runtime/platform',
    'runtime/scheduler',
    'runtime/service',
    'runtime/signals',
    'runtime/vehicle',
  ],
  'domains/common': ['bus', 'runtime/service', 'runtime/signals'],
  'domains/*': ['bus', 'domains/common', 'runtime/service', 'runtime/signals'],
  domains: ['domains/*', 'domains/common', 'runtime/service'],
  sim: ['bus', 'runtime', 'runtime/signals', 'runtime/vehicle', 'domains', 'domains/*', 'domains/common'],
  cloud: ['bus', 'runtime/inference', 'wire'],
  models: ['bus', 'runtime', 'runtime/*', 'domains', 'domains/*', 'domains/common', 'sim'],
  cli: ['bus', 'wire', 'runtime', 'runtime/*', 'domains', 'domains/*', 'domains/common', 'sim', 'cloud', 'models'],
  bench: ['bus', 'wire', 'runtime', 'runtime/*', 'domains', 'domains/*', 'domains/common', 'sim', 'cloud', 'cli', 'models'],
  test: ['bus', 'wire', 'runtime', 'runtime/*', 'domains', 'domains/*', 'domains/common', 'sim', 'cloud', 'cli', 'bench', 'models'],
};

/** Imports that break the table today, `importer -> imported`; the same list is in ARCHITECTURE.md. */
const KNOWN_EXCEPTIONS: readonly string[] = [
];

/** The lines of the fenced block whose info string is `text NAME`. */
function fencedBlock(name: string): string[] {
  const m = new RegExp('```text ' + name + '\\n([\\s\\S]*?)```').exec(doc);
  if (!m) throw new Error(`ARCHITECTURE.md has no \`\`\`text ${name} block`);
  return m[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Every file under the repository (forward slashes, relative), source folders only. */
function repoFiles(dir = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    if (e.name.startsWith('.') || NOT_SOURCE.has(e.name)) continue;
    const rel = dir === '' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...repoFiles(rel));
    else out.push(rel);
  }
  return out;
}

/** The layer a repository file belongs to, as named in the table. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return 'root';
  const [top, sub] = parts;
  // The daemon composes every runtime sub-folder; the other root files are shared by all of them.
  if (file === 'runtime/daemon.ts') return 'runtime/daemon';
  if (top === 'runtime') return parts.length > 2 ? `runtime/${sub}` : 'runtime';
  if (top === 'domains') return parts.length > 2 ? `domains/${sub}` : 'domains';
  return top!;
}

function allows(rule: string, layer: string): boolean {
  if (rule === 'runtime/*') return layer.startsWith('runtime/');
  if (rule === 'domains/*') return layer.startsWith('domains/') && layer !== 'domains/common';
  return rule === layer;
}

function ruleKey(layer: string): string {
  return layer.startsWith('domains/') && layer !== 'domains/common' ? 'domains/*' : layer;
}

// Static imports and re-exports, side-effect imports and dynamic imports of a literal path.
const IMPORT_PATTERNS = [
  /^\s*import\s+(?:type\s+)?[\w$*{}\s,]+?\s+from\s+['"]([^'"]+)['"]/gm,
  /^\s*export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/gm,
  /^\s*import\s+['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The relative imports of a source text, as written. */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const re of IMPORT_PATTERNS) {
    for (const m of source.matchAll(re)) if (m[1]!.startsWith('.')) found.push(m[1]!);
  }
  return found;
}

/** The repository path an import names: NodeNext writes `.js` for a `.ts` source. */
function resolveImport(importer: string, spec: string): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(importer), spec));
  if (target.endsWith('.js') && fs.existsSync(path.join(repoRoot, target.slice(0, -3) + '.ts'))) return target.slice(0, -3) + '.ts';
  return target;
}

interface ImportEdge {
  readonly importer: string;
  readonly imported: string;
}

function crossLayerImports(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of repoFiles().filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    for (const spec of relativeImports(source)) {
      const imported = resolveImport(file, spec);
      if (layerOf(imported) !== layerOf(file)) edges.push({ importer: file, imported });
    }
  }
  return edges;
}

function breaksRules(e: ImportEdge): boolean {
  const allowed = ALLOWED_IMPORTS[ruleKey(layerOf(e.importer))];
  return allowed === undefined || !allowed.some((rule) => allows(rule, layerOf(e.imported)));
}

/** Repository files matching a path that may hold `*` segments (a trailing `/` names a folder). */
function matches(pattern: string): boolean {
  const segments = pattern.replace(/\/$/, '').split('/');
  const walk = (dir: string, i: number): boolean => {
    if (i === segments.length) return true;
    const seg = segments[i]!;
    const full = path.join(repoRoot, dir);
    if (!seg.includes('*')) return fs.existsSync(path.join(full, seg)) && walk(path.join(dir, seg), i + 1);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) return false;
    const re = new RegExp('^' + seg.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
    return fs.readdirSync(full).some((name) => re.test(name) && walk(path.join(dir, name), i + 1));
  };
  return walk('', 0);
}

/** Backticked words of the document that look like repository paths. */
function namedPaths(): string[] {
  const names = new Set<string>();
  for (const m of doc.matchAll(/`([^`\n]+)`/g)) {
    const word = m[1]!;
    if (!/^[\w.*-][\w./*-]*$/.test(word)) continue; // commands, config keys with spaces, HTTP routes
    if (word.includes('/') || /\.(ts|md|dbc)$/.test(word)) names.add(word);
  }
  return [...names];
}

describe('ARCHITECTURE.md', () => {
  it('names only paths that exist in the repository', () => {
    const named = namedPaths();
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((p) => !matches(p))).toEqual([]);
  });

  it('states the same import table as this test', () => {
    const stated = Object.fromEntries(
      fencedBlock('import-rules').map((line) => {
        const [layer, targets] = line.split('->').map((s) => s.trim());
        return [layer!, targets ? targets.split(',').map((s) => s.trim()).sort() : []];
      }),
    );
    const kept = Object.fromEntries(Object.entries(ALLOWED_IMPORTS).map(([k, v]) => [k, [...v].sort()]));
    expect(stated).toEqual(kept);
  });

  it('lists the same import exceptions as this test', () => {
    expect(fencedBlock('import-exceptions')).toEqual(KNOWN_EXCEPTIONS);
  });

  it('has every import follow the table, apart from the listed exceptions', () => {
    const edges = crossLayerImports();
    expect(edges.length).toBeGreaterThan(100);
    const broken = new Set(edges.filter(breaksRules).map((e) => `${e.importer} -> ${e.imported}`));
    const newViolations = [...broken].filter((b) => !KNOWN_EXCEPTIONS.includes(b)).sort();
    expect(newViolations, 'imports that break the layer table of ARCHITECTURE.md').toEqual([]);
    const gone = KNOWN_EXCEPTIONS.filter((x) => !broken.has(x));
    expect(gone, 'exceptions that no longer occur: remove them from ARCHITECTURE.md and this test').toEqual([]);
  });

  it('has cloud/ reach the vehicle runtime only through the model library, runtime/inference/index.ts', () => {
    const intoRuntime = crossLayerImports().filter((e) => layerOf(e.importer) === 'cloud' && layerOf(e.imported).startsWith('runtime'));
    expect(intoRuntime.length).toBeGreaterThan(0);
    expect(intoRuntime.filter((e) => e.imported !== 'runtime/inference/index.ts').map((e) => `${e.importer} -> ${e.imported}`)).toEqual([]);
  });
});
