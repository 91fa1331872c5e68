/**
 * A cache of simulator datasets under a git-ignored folder: building the rows is most of a model
 * build's time. The key covers the runs, the strides, the domains and the bytes of the domain and
 * simulator code next to this module, so any change to features or physics rebuilds.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { DomainName, ShippedDomain } from '../../domains/index.js';
import { buildDatasets, type DatasetOptions, type DomainDataset, type RunSpec } from './dataset.js';

function hashTree(dir: string, h: ReturnType<typeof createHash>): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) hashTree(p, h);
    else if (/\.(ts|js|dbc)$/.test(name) && !name.endsWith('.map')) h.update(name).update(readFileSync(p));
  }
}

function codeHash(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const h = createHash('sha256');
  for (const d of ['domains', 'sim', 'runtime/signals', 'runtime/vehicle', 'runtime/engine/domain-inputs.ts', 'runtime/engine/domain-inputs.js', 'models/build/dataset.ts', 'models/build/dataset.js']) {
    const p = path.join(root, d);
    if (existsSync(p) && statSync(p).isFile()) h.update(readFileSync(p));
    else hashTree(p, h);
  }
  return h.digest('hex');
}

/**
 * Datasets for `runs`, from `cacheDir` when an identical build made them before.
 * @throws what buildDatasets throws
 */
export function cachedDatasets(defs: readonly ShippedDomain[], runs: readonly RunSpec[], options: DatasetOptions & { cacheDir?: string }): Map<DomainName, DomainDataset> {
  if (!options.cacheDir) return buildDatasets(defs, runs, options);
  const key = createHash('sha256')
    .update(JSON.stringify({ runs, stride: options.stride ?? {}, domains: defs.map((d) => d.domain) }))
    .update(codeHash())
    .digest('hex')
    .slice(0, 24);
  const file = path.join(options.cacheDir, `dataset-${key}.v8`);
  if (existsSync(file)) return deserialize(readFileSync(file)) as Map<DomainName, DomainDataset>;
  const data = buildDatasets(defs, runs, options);
  mkdirSync(options.cacheDir, { recursive: true });
  writeFileSync(`${file}.tmp`, serialize(data));
  renameSync(`${file}.tmp`, file);
  return data;
}
