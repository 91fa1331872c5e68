/**
 * Where the project's bundled files live (the reference DBC, the demo drive, the shipped models),
 * whether running from the TypeScript sources or from the compiled `dist/`.
 */
import path from 'node:path';
import { installRoot } from '../runtime/install-root.js';

export const projectRoot: string = installRoot();
export const bundledDbc: string = path.join(projectRoot, 'sim', 'vehicle.dbc');
export const bundledModels: string = path.join(projectRoot, 'models');
export const bundledDemoTrace: string = path.join(projectRoot, 'sim', 'demo', 'demo-drive.blf');
export const bundledDemoConfig: string = path.join(projectRoot, 'sim', 'demo', 'demo-config.yaml');
export const bundledDemoLabels: string = path.join(projectRoot, 'sim', 'demo', 'demo-drive.labels.jsonl');
/** The compiled inference worker that every domain's isolated process runs. */
export const workerEntry: string = path.join(projectRoot, 'dist', 'runtime', 'inference', 'worker-main.js');
