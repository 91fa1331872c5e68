/**
 * The `ecu-ai` command as an installed user runs it, compiled from the sources into a private
 * folder laid out like the package (cli/, sim/vehicle.dbc, vehicles/, models/, dist/ with the inference
 * worker), so a test can spawn it as a real process and watch its exit code, timing and children.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared-data.js';
import { transpileTree } from './transpile.js';

export interface BuiltCli {
  /** The compiled `cli/main.js`, to run with `process.execPath`. */
  readonly entry: string;
  /** Removes the folder. */
  remove(): void;
}

export function buildCli(): BuiltCli {
  // Inside the repository, so the compiled modules find node_modules as the sources do.
  const tmpRoot = path.join(repoRoot, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(path.join(tmpRoot, 'cli-'));
  const entry = transpileTree(path.join(repoRoot, 'cli', 'main.ts'), repoRoot, dir);
  transpileTree(path.join(repoRoot, 'runtime', 'inference', 'worker-main.ts'), repoRoot, path.join(dir, 'dist'));
  mkdirSync(path.join(dir, 'sim'), { recursive: true });
  copyFileSync(path.join(repoRoot, 'sim', 'vehicle.dbc'), path.join(dir, 'sim', 'vehicle.dbc'));
  cpSync(path.join(repoRoot, 'vehicles'), path.join(dir, 'vehicles'), { recursive: true });
  // models/build/ holds compiled sources already; the shipped model folders (small) are copied beside
  // it, since the registry lists real folders only.
  mkdirSync(path.join(dir, 'models'), { recursive: true });
  for (const name of readdirSync(path.join(repoRoot, 'models'))) {
    if (!existsSync(path.join(dir, 'models', name))) cpSync(path.join(repoRoot, 'models', name), path.join(dir, 'models', name), { recursive: true });
  }
  return { entry, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
