/**
 * The environment of a user's shell for npm and node run from a test: without the npm_* variables
 * that `npm test` hands down (they would make an inner npm think it runs inside this project's
 * scripts) and without this project's node_modules/.bin on PATH (it would lend TypeScript to a tree
 * that has none).
 */
import path from 'node:path';

export function userShellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || /^ONNXRUNTIME_NODE_INSTALL/.test(key) || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.includes(`${path.sep}node_modules${path.sep}`) && !dir.endsWith(`${path.sep}node_modules`))
    .join(path.delimiter);
  return { ...env, ...extra };
}
