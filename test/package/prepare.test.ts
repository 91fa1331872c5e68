/**
 * `prepare` runs on every install in a clone, `npm ci --omit=dev` included, where TypeScript (a dev
 * dependency) is absent: there it must not try to build. The package.json and the prepare script run
 * by npm in a folder without node_modules, as `npm ci --omit=dev` would run them.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';
import { userShellEnv } from './clean-env.js';
import { describeRun, run } from './run.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-prepare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function productionCheckout(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  cpSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  cpSync(path.join(repoRoot, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
  return dir;
}

const prepare = (cwd: string) => run('npm', ['run', 'prepare'], { cwd, env: userShellEnv(), timeoutMs: 30_000 });

describe('prepare without TypeScript (a production install in a clone)', () => {
  it('keeps a dist/ already built and succeeds', async () => {
    const dir = productionCheckout('built');
    mkdirSync(path.join(dir, 'dist', 'cli'), { recursive: true });
    writeFileSync(path.join(dir, 'dist', 'cli', 'main.js'), '');
    const r = await prepare(dir);
    expect(r.code, describeRun('npm run prepare', r)).toBe(0);
    expect(r.err).toMatch(/TypeScript is not installed \(a production install\): using the dist\/ already built/);
  });

  it('without dist/ fails with exit 1 and says to install from the npm pack tarball', async () => {
    const r = await prepare(productionCheckout('unbuilt'));
    expect(r.code, describeRun('npm run prepare', r)).toBe(1);
    expect(r.err).toMatch(/dist\/ is not built, so there is nothing to run/);
    expect(r.err).toMatch(/tarball of `npm pack`/);
  });
});
