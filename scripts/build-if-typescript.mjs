/**
 * The `prepare` step. npm runs it on a plain `npm install` in a clone (and when installing from git),
 * where dist/ must be built for `npm start`; but also on `npm ci --omit=dev`, where TypeScript, a dev
 * dependency, is absent, and on `npm pack`, whose `prepack` has just built. So it builds only when
 * TypeScript is installed and the command is neither a pack nor a publish.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function typescriptInstalled() {
  try {
    createRequire(path.join(root, 'package.json')).resolve('typescript');
    return true;
  } catch {
    return false;
  }
}

const command = process.env.npm_command;
if (command === 'pack' || command === 'publish') process.exit(0);

if (!typescriptInstalled()) {
  if (existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('ecu-ai: TypeScript is not installed (a production install): using the dist/ already built\n');
    process.exit(0);
  }
  process.stderr.write(
    'ecu-ai: TypeScript is not installed (a production install) and dist/ is not built, so there is nothing to run.\n' +
      'Install from the tarball of `npm pack`, which ships dist/ (README, "Running on a vehicle"), or run a full `npm install`.\n',
  );
  process.exit(1);
}

// One definition of the build: the package's own `build` script, through the npm that runs this one.
const npmCli = process.env.npm_execpath;
const build = npmCli
  ? spawnSync(process.execPath, [npmCli, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.error) process.stderr.write(`ecu-ai: cannot run the build: ${build.error.message}\n`);
process.exit(build.status ?? 1);
