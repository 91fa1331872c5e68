/**
 * onnxruntime-node's install script downloads CUDA libraries on linux/x64, and npm before 11.16 runs
 * it whatever allowScripts says. The project's .npmrc and the vehicle installation folder's set the
 * package's own switch; npm hands it to the script as npm_config_onnxruntime_node_install. Here the
 * script runs as npm would run it, with the value read from each .npmrc and every route out closed
 * (proxies to a closed local port), and must finish at once with exit 0.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';
import { userShellEnv } from './clean-env.js';
import { npmConfigEnvName, npmrcValue } from './npmrc.js';
import { describeRun, run } from './run.js';

const SWITCH = 'onnxruntime-node-install';
const ortDir = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const CLOSED = 'http://127.0.0.1:9';
const offline = { GLOBAL_AGENT_HTTP_PROXY: CLOSED, GLOBAL_AGENT_HTTPS_PROXY: CLOSED, HTTP_PROXY: CLOSED, HTTPS_PROXY: CLOSED };

function runInstallScript(extra: Record<string, string>) {
  return run(process.execPath, ['./script/install'], { cwd: ortDir, env: userShellEnv({ ...offline, ...extra }), timeoutMs: 20_000 });
}

describe("onnxruntime-node's install script under the project's .npmrc", () => {
  for (const npmrc of ['.npmrc', 'deploy/vehicle/.npmrc']) {
    it(`${npmrc} turns the download off, so the script exits 0 without network`, async () => {
      const value = npmrcValue(path.join(repoRoot, npmrc), SWITCH);
      expect(value, `${npmrc} must set ${SWITCH}`).toBe('skip');
      const r = await runInstallScript({ [npmConfigEnvName(SWITCH)]: value ?? '' });
      expect(r.code, describeRun('install script', r)).toBe(0);
      expect(r.seconds).toBeLessThan(10);
    });
  }

  // Shows that the closed routes are what the switch saves the install from: without it the script
  // tries the download (the CUDA libraries are required only on linux/x64).
  it.runIf(process.platform === 'linux' && process.arch === 'x64')('without the switch the script tries to download and fails', async () => {
    const r = await runInstallScript({});
    expect(r.code, describeRun('install script', r)).not.toBe(0);
  });
});
