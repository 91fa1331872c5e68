/**
 * The vehicle install, end to end: `npm pack` of a copy of this tree (its `prepack` builds dist/),
 * then a production install of that tarball (`--omit=dev`) in a fresh installation folder made from
 * deploy/vehicle, the onnxruntime prune, and the installed `ecu-ai` simulating and replaying a short
 * drive through the pruned onnxruntime; a consumer imports every public module. Needs the npm
 * registry (dependencies come from npm's cache when it has them). Bounded: under three minutes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';
import { userShellEnv } from './clean-env.js';
import { describeRun, run, type Finished } from './run.js';

const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-tarball-')));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const source = path.join(tmp, 'source');
const vehicle = path.join(tmp, 'vehicle');
const packageDir = path.join(vehicle, 'node_modules', 'ecu-ai');
const env = userShellEnv();
/** What the copy leaves out: build output, installs and local scratch, none of which a clone has. */
const NOT_SOURCES = new Set(['node_modules', 'dist', '.git', '.tmp', 'ecu-ai-demo', 'coverage']);

interface PackageJson {
  readonly exports: Record<string, string>;
  readonly overrides: unknown;
}
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

async function inVehicle(command: string, args: readonly string[], timeoutMs = 60_000): Promise<Finished> {
  const r = await run(command, args, { cwd: vehicle, env, timeoutMs });
  expect(r.code, describeRun(`${command} ${args.join(' ')}`, r)).toBe(0);
  return r;
}
const ecuAi = (...args: string[]) => inVehicle(path.join(vehicle, 'node_modules', '.bin', 'ecu-ai'), args);

/** What the disk holds, as `du -sh node_modules` reports it. */
function du(dir: string): string {
  const kib = Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);
  return `${(kib / 1024).toFixed(0)} MiB`;
}

describe('the npm pack tarball, installed for production', () => {
  let tarball = '';

  it('packs with dist/ built by prepack', async () => {
    cpSync(repoRoot, source, { recursive: true, filter: (from) => !NOT_SOURCES.has(path.relative(repoRoot, from)) && !from.endsWith('.tgz') });
    symlinkSync(realpathSync(path.join(repoRoot, 'node_modules')), path.join(source, 'node_modules'));
    const r = await run('npm', ['pack', '--pack-destination', tmp], { cwd: source, env, timeoutMs: 120_000 });
    expect(r.code, describeRun('npm pack', r)).toBe(0);
    const packed = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    expect(packed).toHaveLength(1);
    tarball = path.join(tmp, packed[0] ?? '');
    const listing = await run('tar', ['-tzf', tarball], { cwd: tmp, env, timeoutMs: 30_000 });
    expect(listing.out).toMatch(/^package\/dist\/cli\/main\.js$/m);
    expect(listing.out).toMatch(/^package\/dist\/runtime\/inference\/worker-main\.js$/m);
    expect(listing.out).toMatch(/^package\/scripts\/prune-onnxruntime\.mjs$/m);
    console.log(`npm pack (with the prepack build): ${r.seconds.toFixed(1)} s`);
  }, 130_000);

  it('installs with --omit=dev in a folder made from deploy/vehicle', async () => {
    mkdirSync(vehicle);
    for (const f of ['package.json', '.npmrc']) cpSync(path.join(repoRoot, 'deploy', 'vehicle', f), path.join(vehicle, f));
    const r = await inVehicle('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], 150_000);
    console.log(`production install of the tarball: ${r.seconds.toFixed(1)} s, node_modules ${du(path.join(vehicle, 'node_modules'))}`);
    const binding = path.join(vehicle, 'node_modules', 'socketcan', 'build', 'Release', 'can.node');
    expect(existsSync(binding), `${binding} is missing: socketcan's native build needs python3, make and g++`).toBe(true);
    expect(existsSync(path.join(vehicle, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(path.join(vehicle, 'node_modules', 'vitest'))).toBe(false);
  }, 160_000);

  it("pins socketcan's build tools as the package does, and every package allows Node 20.0.0", async () => {
    const own = readJson<PackageJson>(path.join(repoRoot, 'package.json'));
    const root = readJson<PackageJson>(path.join(vehicle, 'package.json'));
    expect(root.overrides).toEqual(own.overrides);
    // What socketcan's own require finds, wherever npm placed it.
    const fromSocketcan = createRequire(path.join(vehicle, 'node_modules', 'socketcan', 'package.json'));
    const versionOf = (name: string) => readJson<{ version: string }>(fromSocketcan.resolve(`${name}/package.json`)).version;
    const pins = (own.overrides as { socketcan: Record<string, string> }).socketcan;
    expect(Object.keys(pins)).toEqual(expect.arrayContaining(['node-gyp', 'xml2js']));
    for (const [name, version] of Object.entries(pins)) expect(versionOf(name), name).toBe(version);
    const query = await inVehicle('npm', ['query', ':attr(engines, [node]):not(:semver(20.0.0, :attr(engines, [node]), satisfies))']);
    const refusing = (JSON.parse(query.out) as { name: string; version: string; engines: { node: string } }[]).map((p) => `${p.name}@${p.version} (${p.engines.node})`);
    expect(refusing).toEqual([]);
  });

  it('prunes onnxruntime-node to this platform', async () => {
    const ort = path.join(vehicle, 'node_modules', 'onnxruntime-node');
    const before = du(path.join(vehicle, 'node_modules'));
    const r = await inVehicle(process.execPath, [path.join(packageDir, 'scripts', 'prune-onnxruntime.mjs')]);
    expect(r.out).toMatch(new RegExp(`kept ${process.platform}/${process.arch}, removed `));
    expect(readdirSync(path.join(ort, 'bin', 'napi-v6')).sort()).toEqual([process.platform]);
    expect(readdirSync(path.join(ort, 'bin', 'napi-v6', process.platform))).toEqual([process.arch]);
    console.log(`${r.out.trim()}; node_modules ${before} -> ${du(path.join(vehicle, 'node_modules'))}`);
  });

  it('runs ecu-ai --version and --help, and simulates and replays a short drive with the shipped models', async () => {
    const version = await ecuAi('--version');
    expect(version.out).toBe(`ecu-ai ${readJson<{ version: string }>(path.join(packageDir, 'package.json')).version}\n`);
    const help = await ecuAi('--help');
    expect(help.out).toMatch(/^Usage: ecu-ai COMMAND/);
    await ecuAi('sim', '--scenario', 'highway-cruise', '--duration', '20', '--seed', '3', '--out', 'drive.blf', '--labels', 'drive.labels.jsonl');
    await ecuAi('replay', 'drive.blf', '--labels', 'drive.labels.jsonl', '--local-only', '--quiet', '--json', 'summary.json');
    const summary = readJson<{ domains: Record<string, { inferences: number; variants: Record<string, number> }> }>(path.join(vehicle, 'summary.json'));
    const onnxRuns = Object.values(summary.domains).reduce((sum, d) => sum + (d.variants.fp32 ?? 0) + (d.variants.int8 ?? 0), 0);
    expect(onnxRuns).toBeGreaterThan(0);
  }, 90_000);

  it('serves its public modules to a consumer, e.g. ecu-ai/bus/trace/index.js', async () => {
    const { exports } = readJson<PackageJson>(path.join(packageDir, 'package.json'));
    const modules = Object.keys(exports).filter((key) => !key.endsWith('.json')).map((key) => `ecu-ai${key.slice(1)}`);
    writeFileSync(
      path.join(vehicle, 'consumer.mjs'),
      [
        `for (const m of ${JSON.stringify(modules)}) if (Object.keys(await import(m)).length === 0) throw new Error(m + ' exports nothing');`,
        "const { openTraceReader } = await import('ecu-ai/bus/trace/index.js');",
        'let frames = 0;',
        "for await (const batch of openTraceReader('drive.blf').batches()) frames += batch.length;",
        'console.log(frames);',
      ].join('\n'),
    );
    const consumer = await inVehicle(process.execPath, ['consumer.mjs']);
    await ecuAi('trace', 'convert', 'drive.blf', 'drive.jsonl');
    const lines = readFileSync(path.join(vehicle, 'drive.jsonl'), 'utf8').trim().split('\n').length;
    expect(Number(consumer.out.trim())).toBe(lines);
  });

  it('names the failed socketcan native build and the command that rebuilds it', async () => {
    const probe = path.join(vehicle, 'socketcan-probe.mjs');
    writeFileSync(
      probe,
      `const { loadSocketcanNative } = await import(${JSON.stringify(path.join(packageDir, 'dist', 'bus', 'transport', 'socketcan.js'))});\n` +
        "try { await loadSocketcanNative('socketcan:can0'); console.log('loaded'); } catch (err) { console.log(err.name + ': ' + err.message); }\n",
    );
    const socketcan = path.join(vehicle, 'node_modules', 'socketcan');
    renameSync(path.join(socketcan, 'build'), path.join(socketcan, 'build.off'));
    const unbuilt = await inVehicle(process.execPath, [probe]);
    expect(unbuilt.out).toContain('BusInitError: socketcan:can0: the native build of "socketcan" failed');
    expect(unbuilt.out).toContain(`run \`npm rebuild socketcan\` in ${vehicle}`);
    renameSync(socketcan, `${socketcan}.off`);
    const absent = await inVehicle(process.execPath, [probe]);
    expect(absent.out).toContain('the optional native module "socketcan" is not installed');
    expect(absent.out).toContain(`run \`npm install --omit=dev\` again in ${vehicle}`);
  });
});
