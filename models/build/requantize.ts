/**
 * `ecu-ai models quantize MODEL_DIR`: recalibrates and rewrites a model folder's int8 variant
 * from its fp32 file, on fresh simulator runs, and records the int8 file's hash and measured cost.
 * A model this pipeline exported is re-quantised layer by layer as a build would; any other model
 * that fits its domain (made with PyTorch, say) is quantised graph-wide (`quantizeGraph`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DomainName } from '../../domains/index.js';
import { ModelLoadError } from '../../runtime/errors.js';
import { parseManifest } from '../../runtime/inference/manifest.js';
import { readModelIo } from '../../runtime/inference/model-io.js';
import { onnxModelType } from '../../runtime/inference/onnx-schema.js';
import { DOMAIN_NAMES, DOMAINS } from '../../domains/index.js';
import { SCENARIO_NAMES } from '../../sim/scenarios/index.js';
import { checkFits } from './contract-fit.js';
import { cachedDatasets } from './dataset-cache.js';
import type { DomainDataset } from './dataset.js';
import { openVectorSession, profileSession } from './ort.js';
import { calibrate, exportInt8 } from './quantize.js';
import { quantizeGraph } from './quantize-graph.js';
import { DEFAULT_BUILD } from './pipeline.js';
import { readFp32Mlp } from './read-fp32.js';
import { RECIPES, type Recipe } from './recipes.js';

export interface RequantizeOptions {
  readonly seeds: readonly number[];
  readonly durationS: number;
  readonly calibrationRows: number;
  readonly profileRuns: number;
  readonly cacheDir?: string;
}

export interface RequantizeResult {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly calibrationRows: number;
  readonly costMs: { readonly p50: number; readonly p99: number };
  /** `pipeline`: re-quantised as a build of its recipe; `graph`: every MatMul and Gemm of a model made elsewhere. */
  readonly method: 'pipeline' | 'graph';
}

/** A model this pipeline exported for the recipe: the builder's producer and the recipe's graph name. */
function isPipelineExport(bytes: Uint8Array, recipe: Recipe): boolean {
  const type = onnxModelType();
  const m = type.toObject(type.decode(bytes), { defaults: false }) as { producer_name?: string; graph?: { name?: string } };
  return m.producer_name === 'ecu-ai' && m.graph?.name === recipe.graph.graphName;
}

/**
 * @throws ModelLoadError `MODEL_MANIFEST` for a bad manifest or an unknown domain; `MODEL_LOAD` when fp32.onnx is missing or unreadable
 */
export async function requantizeFolder(dir: string, o: RequantizeOptions): Promise<RequantizeResult> {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = parseManifest(readFileSync(manifestFile, 'utf8'), manifestFile);
  if (!(DOMAIN_NAMES as readonly string[]).includes(manifest.domain)) throw new ModelLoadError('MODEL_MANIFEST', `${manifestFile}: domain`, `unknown domain "${manifest.domain}"`);
  const domain = manifest.domain as DomainName;
  const fp32 = manifest.variants.fp32;
  if (!fp32) throw new ModelLoadError('MODEL_LOAD', `${manifestFile}: variants.fp32`, 'needs an fp32 variant to quantise from');
  const fp32Path = path.join(dir, fp32.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(fp32Path));
  } catch (err) {
    throw new ModelLoadError('MODEL_LOAD', fp32Path, 'cannot read the fp32 model', { cause: err });
  }
  const recipe = RECIPES[domain];
  const def = DOMAINS[domain];
  // Refused before minutes of simulation: a file that does not fit the domain, named with both shapes.
  await checkFits(def, fp32Path, bytes, readModelIo(bytes, fp32Path));
  const pipeline = isPipelineExport(bytes, recipe);
  const runs = o.seeds.flatMap((seed) => SCENARIO_NAMES.map((scenario) => ({ scenario, seed, durationS: o.durationS })));
  const ds = cachedDatasets([def], runs, { stride: { chassis: 5, powertrain: 2 }, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}) }).get(domain) as DomainDataset;
  const n = Math.min(o.calibrationRows, ds.rows);
  const rows = Array.from({ length: n }, (_, i) => recipe.networkInput(ds, Math.floor((i * ds.rows) / n)));
  let int8: Uint8Array;
  if (pipeline) {
    const mlp = readFp32Mlp(bytes, fp32Path);
    const graph = { ...recipe.graph, docString: `${recipe.description}. Re-quantised by ecu-ai models quantize.` };
    // The same calibration range and float layers as a full build of this recipe.
    const keep = recipe.int8?.calibrationKeep ?? DEFAULT_BUILD.calibrationKeep;
    int8 = exportInt8(graph, mlp, calibrate(graph, mlp, rows, keep), recipe.int8 ?? {});
  } else {
    int8 = (await quantizeGraph(bytes, fp32Path, rows, def.featureSize)).bytes;
  }
  const s = await openVectorSession(int8, def.featureSize);
  let cost;
  try {
    cost = await profileSession(s, rows.slice(0, 64), o.profileRuns, Math.min(200, o.profileRuns));
  } finally {
    await s.release();
  }
  const file = manifest.variants.int8?.file ?? 'int8.onnx';
  const sha256 = createHash('sha256').update(int8).digest('hex');
  const costMs = { p50: Math.round(cost.p50 * 1e4) / 1e4, p99: Math.round(Math.max(cost.p99, cost.p50) * 1e4) / 1e4 };
  const updated = { ...manifest, variants: { ...manifest.variants, int8: { file, sha256, cost_ms: costMs, min_runtime: fp32.min_runtime ?? '1.14.0' } } };
  const text = `${JSON.stringify(updated, null, 2)}\n`;
  parseManifest(text, manifestFile);
  writeFileSync(path.join(dir, `${file}.tmp`), int8);
  renameSync(path.join(dir, `${file}.tmp`), path.join(dir, file));
  writeFileSync(`${manifestFile}.tmp`, text);
  renameSync(`${manifestFile}.tmp`, manifestFile);
  return { file: path.join(dir, file), sha256, bytes: int8.length, calibrationRows: n, costMs, method: pipeline ? 'pipeline' : 'graph' };
}
