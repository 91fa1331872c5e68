/**
 * Where the project's bundled files live (the reference DBC, the demo drive, the shipped models),
 * whether running from the TypeScript sources or from the compiled `dist/`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'sim'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the ecu-ai installation folder (package.json beside sim/)');
}

export const projectRoot: string = findRoot();
export const bundledDbc: string = path.join(projectRoot, 'sim', 'vehicle.dbc');
export const bundledModels: string = path.join(projectRoot, 'models');
export const bundledDemoTrace: string = path.join(projectRoot, 'sim', 'demo', 'demo-drive.blf');
export const bundledDemoConfig: string = path.join(projectRoot, 'sim', 'demo', 'demo-config.yaml');
export const bundledDemoLabels: string = path.join(projectRoot, 'sim', 'demo', 'demo-drive.labels.jsonl');
/** The compiled inference worker that every domain's isolated process runs. */
export const workerEntry: string = path.join(projectRoot, 'dist', 'runtime', 'inference', 'worker-main.js');
