/**
 * `ecu-ai models build`: simulate training and held-out runs, train each domain's network, export
 * fp32, calibrate and export int8 (QDQ), profile both with onnxruntime-node, evaluate both and the
 * fallback on the held-out runs, and write the model folder (onnx files, manifest, eval reports).
 * Deterministic given the seed and the configuration: same inputs, byte-identical ONNX files.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DomainName, ShippedDomain } from '../../domains/index.js';
import { parseManifest, type ModelManifest } from '../../runtime/inference/manifest.js';
import { DOMAINS } from '../../domains/index.js';
import { SCENARIO_NAMES } from '../../sim/scenarios/index.js';
import { cachedDatasets } from './dataset-cache.js';
import type { DomainDataset, RunSpec } from './dataset.js';
import { evaluateDomain } from './evaluate.js';
import { exportFp32, outputSize } from './export.js';
import { trainMlp, type TrainedMlp } from './mlp-trainer.js';
import { openVectorSession, profileSession, type LatencyProfile } from './ort.js';
import { calibrate, exportInt8 } from './quantize.js';
import { chooseThreshold, withThreshold, type ThresholdChoice } from './threshold.js';
import { RECIPES, type Recipe } from './recipes.js';
import { reportJson, reportMarkdown, withHandWritten, type ModelReport } from './report.js';

export interface BuildConfig {
  readonly domains: readonly DomainName[];
  readonly seed: number;
  readonly trainSeeds: readonly number[];
  readonly evalSeeds: readonly number[];
  readonly scenarios: readonly string[];
  readonly trainDurationS: number;
  readonly evalDurationS: number;
  /** Keep one label in N per domain (the fast domains make many near-identical rows). */
  readonly stride: Partial<Record<DomainName, number>>;
  /** Multiplies each recipe's epochs (tests use a fraction). */
  readonly epochScale: number;
  readonly calibrationRows: number;
  /** Activation ranges for int8: the [1 - keep, keep] quantiles of the calibration values (1: min..max). */
  readonly calibrationKeep: number;
  /** More training seeds for some scenarios (the rare positives: battery faults), on top of trainSeeds. */
  readonly extraTrainSeeds: Readonly<Record<string, readonly number[]>>;
  /** Validation runs: the operating point of sigmoid heads is chosen on these, never on held-out ones. */
  readonly validationSeeds: readonly number[];
  readonly extraValidationSeeds: Readonly<Record<string, readonly number[]>>;
  /** Runs kept out of training and validation (the bundled demo drive). */
  readonly excludedRuns: readonly { readonly scenario: string; readonly seed: number }[];
  readonly profileRuns: number;
  readonly cacheDir?: string;
  /** Skip evaluation and profiling (byte-identity tests). */
  readonly exportOnly?: boolean;
}

/** The configuration of the shipped models. */
export const DEFAULT_BUILD: BuildConfig = {
  domains: ['adas', 'chassis', 'powertrain', 'cockpit', 'body'],
  seed: 7,
  trainSeeds: [1, 2, 3],
  evalSeeds: [1001, 1002],
  scenarios: SCENARIO_NAMES,
  trainDurationS: 240,
  evalDurationS: 240,
  stride: { chassis: 5, powertrain: 2 },
  epochScale: 1,
  calibrationRows: 4000,
  calibrationKeep: 0.9999,
  extraTrainSeeds: { 'battery-cell-fault': [4, 5, 6, 7, 8, 9, 10, 11, 12] },
  validationSeeds: [21],
  extraValidationSeeds: { 'battery-cell-fault': [22, 23, 24, 25] },
  excludedRuns: [{ scenario: 'mixed-drive', seed: 2 }],
  profileRuns: 2000,
};

/** Modelled cloud round trip for the comfort domains (not measured: the cloud is simulated). */
export const CLOUD_COST_MS = { p50: 40, p99: 120 } as const;

export interface BuiltModel {
  readonly recipe: Recipe;
  readonly mlp: TrainedMlp;
  readonly fp32: Uint8Array;
  readonly int8: Uint8Array;
  readonly threshold?: ThresholdChoice;
  readonly report?: ModelReport;
}

export type Progress = (line: string) => void;

function runsOf(config: BuildConfig, seeds: readonly number[], durationS: number, extra: Readonly<Record<string, readonly number[]>> = {}): RunSpec[] {
  const runs = seeds.flatMap((seed) => config.scenarios.map((scenario) => ({ scenario, seed, durationS })));
  for (const scenario of config.scenarios) for (const seed of extra[scenario] ?? []) runs.push({ scenario, seed, durationS });
  return runs.filter((r) => !config.excludedRuns.some((x) => x.scenario === r.scenario && x.seed === r.seed));
}

/** Evenly spaced dataset rows for calibration (deterministic, covers every run). */
function calibrationSet(recipe: Recipe, ds: DomainDataset, count: number): Float32Array[] {
  const n = Math.min(count, ds.rows);
  const step = ds.rows / Math.max(n, 1);
  return Array.from({ length: n }, (_, i) => recipe.networkInput(ds, Math.floor(i * step)));
}

/**
 * Trains and exports one domain's model (no files written).
 * @throws {RangeError} when the dataset is empty
 */
export function trainAndExport(recipe: Recipe, train: DomainDataset, config: BuildConfig, progress?: Progress, validation?: DomainDataset): BuiltModel {
  const data = recipe.toTraining(train, config.seed);
  const sizes = [data.x.length / data.rows, ...recipe.hidden, recipe.outputs];
  const epochs = Math.max(1, Math.round(recipe.epochs * config.epochScale));
  let mlp = trainMlp(data, { sizes, loss: recipe.loss, epochs, batchSize: recipe.batchSize, learningRate: recipe.learningRate, seed: config.seed, ...(recipe.l2 === undefined ? {} : { l2: recipe.l2 }) }, (e, loss) => {
    if (e === epochs - 1 || e % 10 === 0) progress?.(`  ${recipe.model}: epoch ${e + 1}/${epochs} loss ${loss.toFixed(4)}`);
  });
  let threshold: ThresholdChoice | undefined;
  if (recipe.threshold) {
    threshold = chooseThreshold(DOMAINS[recipe.domain], validation ?? train, recipe.graph, mlp, recipe.threshold);
    progress?.(`  ${recipe.model}: operating point ${threshold.threshold} (${validation ? 'validation' : 'training'} ${JSON.stringify(threshold.metrics)})`);
    mlp = withThreshold(mlp, threshold.threshold);
  }
  const doc = `${recipe.description}. Trained by ecu-ai models build, seed ${config.seed}.`;
  const graph = { ...recipe.graph, docString: doc };
  const fp32 = exportFp32(graph, mlp);
  const keep = recipe.int8?.calibrationKeep ?? config.calibrationKeep;
  const int8 = exportInt8(graph, mlp, calibrate(graph, mlp, calibrationSet(recipe, train, config.calibrationRows), keep), recipe.int8 ?? {});
  return { recipe, mlp, fp32, int8, ...(threshold ? { threshold } : {}) };
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

function writeAtomic(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

/** The manifest of a built model with its measured costs. */
export function manifestOf(def: ShippedDomain, built: BuiltModel, cost: { fp32: LatencyProfile; int8: LatencyProfile }): ModelManifest {
  const r = built.recipe;
  const cm = (p: LatencyProfile): { p50: number; p99: number } => ({ p50: round4(p.p50), p99: round4(Math.max(p.p99, p.p50)) });
  return {
    name: r.model,
    version: r.version,
    domain: def.domain,
    description: r.description,
    inputs: [{ name: r.graph.inputName, dtype: 'float32', shape: [1, def.featureSize] }],
    outputs: [{ name: r.graph.outputName, dtype: 'float32', shape: [1, outputSize(r.graph, built.mlp)] }],
    variants: {
      fp32: { file: 'fp32.onnx', sha256: sha256(built.fp32), cost_ms: cm(cost.fp32), min_runtime: '1.14.0' },
      int8: { file: 'int8.onnx', sha256: sha256(built.int8), cost_ms: cm(cost.int8), min_runtime: '1.14.0' },
      ...(def.criticality === 'comfort' ? { cloud: { cost_ms: { ...CLOUD_COST_MS } } } : {}),
    },
  };
}

/** Profiles both variants on held-out feature vectors. */
async function profileBoth(built: BuiltModel, ds: DomainDataset, runs: number): Promise<{ fp32: LatencyProfile; int8: LatencyProfile }> {
  const inputs = calibrationSet(built.recipe, ds, 64);
  const out: Partial<Record<'fp32' | 'int8', LatencyProfile>> = {};
  for (const v of ['fp32', 'int8'] as const) {
    const s = await openVectorSession(built[v], ds.featureSize);
    try {
      out[v] = await profileSession(s, inputs, runs, Math.min(200, runs));
    } finally {
      await s.release();
    }
  }
  return out as { fp32: LatencyProfile; int8: LatencyProfile };
}

/**
 * Builds the configured domains' models into `outDir/<model>/`.
 * @throws what simulation, training, export or onnxruntime throw
 */
export async function buildModels(config: BuildConfig, outDir: string, progress: Progress = () => {}): Promise<BuiltModel[]> {
  const defs = config.domains.map((d) => DOMAINS[d]);
  const t0 = performance.now();
  const cache = { stride: config.stride, ...(config.cacheDir ? { cacheDir: config.cacheDir } : {}) };
  const trainRuns = runsOf(config, config.trainSeeds, config.trainDurationS, config.extraTrainSeeds);
  // Not simulated when every domain built brings its own training runs.
  const shared = defs.some((d) => !RECIPES[d.domain].extraTrainSeeds);
  if (shared) progress(`simulating ${trainRuns.length} training runs (${config.trainSeeds.length} seeds x ${config.scenarios.length} scenarios, extra ${JSON.stringify(config.extraTrainSeeds)}, ${config.trainDurationS} s each)`);
  const train = shared ? cachedDatasets(defs, trainRuns, cache) : undefined;
  const validRuns = runsOf(config, config.validationSeeds, config.trainDurationS, config.extraValidationSeeds);
  progress(`simulating ${validRuns.length} validation runs (operating points)`);
  const valid = validRuns.length > 0 ? cachedDatasets(defs, validRuns, cache) : undefined;
  let held: Map<DomainName, DomainDataset> | undefined;
  // Domains whose recipe names its own held-out seeds are simulated for those alone (below).
  const sharedHeld = defs.filter((d) => RECIPES[d.domain].evalSeeds === undefined);
  if (!config.exportOnly) {
    held = new Map();
    if (sharedHeld.length > 0) {
      const evalRuns = runsOf(config, config.evalSeeds, config.evalDurationS);
      progress(`simulating ${evalRuns.length} held-out runs (seeds ${config.evalSeeds.join(', ')})`);
      held = cachedDatasets(sharedHeld, evalRuns, cache);
    }
  }
  progress(`datasets ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // A recipe's own extra validation runs are simulated for its domain alone, so the operating
  // points of the other domains keep their validation rows.
  const validationOf = (def: ShippedDomain, extra: Readonly<Record<string, readonly number[]>>): { runs: number; data: DomainDataset } => {
    const merged = { ...config.extraValidationSeeds, ...extra };
    const runs = runsOf(config, config.validationSeeds, config.trainDurationS, merged);
    progress(`simulating ${runs.length} validation runs for ${def.domain} (extra ${JSON.stringify(extra)})`);
    return { runs: runs.length, data: cachedDatasets([def], runs, cache).get(def.domain) as DomainDataset };
  };
  // Likewise a recipe's own extra training runs: the other domains keep their training rows.
  const trainingOf = (def: ShippedDomain, extra: Readonly<Record<string, readonly number[]>>): { runs: number; extraSeeds: Readonly<Record<string, readonly number[]>>; data: DomainDataset } => {
    const merged = { ...config.extraTrainSeeds, ...extra };
    const runs = runsOf(config, config.trainSeeds, config.trainDurationS, merged);
    progress(`simulating ${runs.length} training runs for ${def.domain} (extra ${JSON.stringify(extra)})`);
    return { runs: runs.length, extraSeeds: merged, data: cachedDatasets([def], runs, cache).get(def.domain) as DomainDataset };
  };
  const built: BuiltModel[] = [];
  for (const def of defs) {
    const recipe = RECIPES[def.domain];
    const ownTrain = recipe.extraTrainSeeds ? trainingOf(def, recipe.extraTrainSeeds) : undefined;
    const ds = ownTrain ? ownTrain.data : (train?.get(def.domain) as DomainDataset);
    progress(`${recipe.model}: training on ${ds.rows} rows`);
    const own = recipe.extraValidationSeeds ? validationOf(def, recipe.extraValidationSeeds) : undefined;
    const model = trainAndExport(recipe, ds, config, progress, own ? own.data : valid?.get(def.domain));
    const dir = path.join(outDir, recipe.model);
    mkdirSync(dir, { recursive: true });
    writeAtomic(path.join(dir, 'fp32.onnx'), model.fp32);
    writeAtomic(path.join(dir, 'int8.onnx'), model.int8);
    if (!held) {
      built.push(model);
      continue;
    }
    const evalSeeds = recipe.evalSeeds ?? config.evalSeeds;
    if (recipe.evalSeeds) {
      const runs = runsOf(config, recipe.evalSeeds, config.evalDurationS);
      progress(`simulating ${runs.length} held-out runs for ${def.domain} (seeds ${recipe.evalSeeds.join(', ')})`);
      held.set(def.domain, cachedDatasets([def], runs, cache).get(def.domain) as DomainDataset);
    }
    const test = held.get(def.domain) as DomainDataset;
    progress(`${recipe.model}: profiling and evaluating on ${test.rows} held-out rows`);
    const latency = await profileBoth(model, test, config.profileRuns);
    const evalResult = await evaluateDomain(def, test, { fp32: model.fp32, int8: model.int8 });
    const report: ModelReport = {
      model: recipe.model,
      version: recipe.version,
      domain: def.domain,
      seed: config.seed,
      train: {
        runs: ownTrain ? ownTrain.runs : trainRuns.length,
        rows: ds.rows,
        seeds: config.trainSeeds,
        durationS: config.trainDurationS,
        extraSeeds: ownTrain ? ownTrain.extraSeeds : config.extraTrainSeeds,
        validation: own ? own.runs : validRuns.length,
      },
      heldOut: { seeds: evalSeeds, durationS: config.evalDurationS, scenarios: config.scenarios },
      eval: evalResult,
      latencyMs: latency,
      sizeBytes: { fp32: model.fp32.length, int8: model.int8.length },
      ...(recipe.int8 ? { int8Options: recipe.int8 } : {}),
      ...(model.threshold ? { operatingPoint: { threshold: model.threshold.threshold, trainingMetrics: model.threshold.metrics } } : {}),
    };
    const manifest = manifestOf(def, model, latency);
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    parseManifest(manifestText, path.join(dir, 'manifest.json'));
    writeAtomic(path.join(dir, 'manifest.json'), manifestText);
    writeAtomic(path.join(dir, 'eval.json'), `${JSON.stringify(reportJson(report), null, 2)}\n`);
    const evalFile = path.join(dir, 'EVAL.md');
    writeAtomic(evalFile, withHandWritten(reportMarkdown(report), existsSync(evalFile) ? readFileSync(evalFile, 'utf8') : undefined));
    progress(`${recipe.model}: fp32 ${JSON.stringify(evalResult.fp32)} int8 ${JSON.stringify(evalResult.int8)} fallback ${JSON.stringify(evalResult.fallback)}`);
    built.push({ ...model, report });
  }
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return built;
}

/** Reads a model folder's manifest (for `models quantize` and `models eval`). */
export function readManifest(dir: string): ModelManifest {
  const file = path.join(dir, 'manifest.json');
  return parseManifest(readFileSync(file, 'utf8'), file);
}
