/**
 * The installation folder (the one holding package.json, sim/, models/ and vehicles/), found from
 * this file's place, whether running from the TypeScript sources or from the compiled `dist/`.
 * Everything bundled (the reference DBC and profile, the shipped models, the demo drive) lives there.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

/** @throws {Error} when no folder above this file holds package.json beside sim/ */
export function installRoot(): string {
  if (found !== undefined) return found;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'sim'))) return (found = dir);
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the ecu-ai installation folder (package.json beside sim/)');
}
