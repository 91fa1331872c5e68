/**
 * Locates ../shared/data. Outside this workplace (a clone elsewhere) the folder may be absent:
 * tests that need it skip with the reason, except under CI=true, where its absence is a failure.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDataDir = path.resolve(repoRoot, '..', 'shared', 'data');
export const hasSharedData = existsSync(sharedDataDir);

if (!hasSharedData && process.env.CI === 'true') {
  throw new Error(`CI=true but the shared data folder ${sharedDataDir} is missing: these tests must run in CI`);
}

export const sharedSkipReason = hasSharedData ? '' : `skipped: ${sharedDataDir} is absent (a clone outside the workplace)`;

export function sharedPath(...parts: string[]): string {
  return path.join(sharedDataDir, ...parts);
}
