/**
 * `ecu-ai models build|quantize|eval|describe`: the model pipeline and the domains' model contracts
 * from the command line.
 */
import path from 'node:path';
import { DOMAIN_LIST, DOMAIN_NAMES as ALL_DOMAINS, type DomainName } from '../domains/index.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, writeOut, type CliCommand, type CliIo } from './command.js';
import { intFlag, parseCliArgs } from './args.js';
import { createProgress } from './progress.js';
import { subcommandHelps } from './subcommand-help.js';
import { describeModel } from './models-describe.js';
import { comparisonLines } from './models-eval-report.js';
import { modelSources } from './model-sources.js';
import { bundledModels } from './paths.js';

const HELP = `Usage:
  ecu-ai models build [--domain D] [--out DIR] [--seed N] [--cache DIR]
      Simulate training and held-out runs, train, export fp32 and int8 (QDQ), profile both with
      onnxruntime-node, evaluate against the fallback, and write DIR/<model>/ (default DIR: ./models).
  ecu-ai models quantize MODEL_DIR [--seeds 1,2] [--duration S]
      Re-calibrate MODEL_DIR's int8 variant from its fp32 file and update its manifest.
  ecu-ai models eval [--domain D] [--models DIR] [--seeds 1001,1002] [--duration S] [--resamples N] [--json]
      (default seeds: each model's held-out seeds, as its EVAL.md names them)
      Score the models (each local variant) and the fallbacks on held-out simulator runs: by
      default the shipped ones; with --models, those DIR holds (--domain adds shipped ones).
      Each model is set beside the rule on the same drives, overall and per scenario, with 95%
      bootstrap intervals over drives (N resamples, default 1000) and the winner.
      Exit 1 when a model misses its bar.
  ecu-ai models describe DOMAIN [--json]
      The domain's model contract: its window, each input feature (index, name, unit, range),
      each output value and how it is read, and the manifest fields a model folder needs.
Domains: ${ALL_DOMAINS.join(', ')}`;

function domainsOf(value: string | undefined): DomainName[] {
  if (value === undefined) return [...ALL_DOMAINS];
  const out = value.split(',').map((d) => d.trim());
  const bad = out.find((d) => !(ALL_DOMAINS as readonly string[]).includes(d));
  if (bad !== undefined) throw new UsageError(`--domain: unknown domain "${bad}" (known: ${ALL_DOMAINS.join(', ')})`);
  return out as DomainName[];
}

function seedsOf(value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const seeds = value.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new UsageError(`--seeds takes comma-separated whole numbers, not "${value}"`);
  return seeds;
}

async function build(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { domain: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, cache: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`models build takes no positional arguments (got "${positionals[0]}")`);
  const { buildModels, DEFAULT_BUILD } = await import('../models/build/pipeline.js');
  const config = {
    ...DEFAULT_BUILD,
    domains: domainsOf(values.domain),
    seed: intFlag('seed', values.seed, DEFAULT_BUILD.seed),
    cacheDir: path.resolve(io.cwd, values.cache ?? '.tmp/model-data'),
  };
  const out = path.resolve(io.cwd, values.out ?? 'models');
  const built = await buildModels(config, out, (line) => io.stderr.write(`${line}\n`));
  for (const b of built) await writeOut(io.stdout, `${path.join(out, b.recipe.model)}\n`);
  return EXIT_OK;
}

async function quantize(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { seeds: { type: 'string' }, duration: { type: 'string' } });
  const dir = positionals[0];
  if (dir === undefined || positionals.length > 1) throw new UsageError('models quantize takes one MODEL_DIR');
  const { requantizeFolder } = await import('../models/build/requantize.js');
  const r = await requantizeFolder(path.resolve(io.cwd, dir), {
    seeds: seedsOf(values.seeds, [1, 2]),
    durationS: intFlag('duration', values.duration, 120),
    calibrationRows: 1000,
    profileRuns: 2000,
    cacheDir: path.resolve(io.cwd, '.tmp/model-data'),
  });
  await writeOut(io.stdout, `${JSON.stringify(r)}\n`);
  return EXIT_OK;
}

/** The domains whose model the folder holds. @throws {ModelLoadError} when it holds none */
async function ownDomains(modelsDir: string): Promise<DomainName[]> {
  const own = (await modelSources(modelsDir, DOMAIN_LIST)).filter((s) => s.source === 'user').map((s) => s.domain as DomainName);
  // None of its own: DIR is the shipped folder itself.
  return own.length > 0 ? own : [...ALL_DOMAINS];
}

async function evaluate(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { domain: { type: 'string' }, models: { type: 'string' }, seeds: { type: 'string' }, duration: { type: 'string' }, resamples: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`models eval takes no positional arguments (got "${positionals[0]}")`);
  const modelsDir = values.models === undefined ? bundledModels : path.resolve(io.cwd, values.models);
  // A folder of one's own is scored for the models it holds, unless --domain asks for others too.
  const domains = values.domain !== undefined || values.models === undefined ? domainsOf(values.domain) : await ownDomains(modelsDir);
  const { evaluateShipped } = await import('../models/build/eval-models.js');
  const progress = createProgress(io.stderr, { label: 'models eval', unit: 'steps', quiet: values.quiet === true });
  const results = await evaluateShipped({
    modelsDir,
    domains,
    ...(values.seeds === undefined ? {} : { seeds: seedsOf(values.seeds, []) }),
    durationS: intFlag('duration', values.duration, 240),
    resamples: intFlag('resamples', values.resamples, 1000),
    cacheDir: path.resolve(io.cwd, '.tmp/model-data'),
    onProgress: (done, total) => progress.update(done, undefined, total),
  }).finally(() => progress.end());
  if (values.json) {
    await writeOut(io.stdout, `${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      await writeOut(io.stdout, `${r.domain} (${r.model}${r.source === 'user' ? ` from ${r.dir}` : ''}, ${r.result.rows} rows, seeds ${r.seeds.join(',')}): bars ${r.barsMet ? 'met' : 'NOT met'}\n`);
      for (const v of ['fp32', 'int8', 'fallback'] as const) await writeOut(io.stdout, `  ${v.padEnd(8)} ${JSON.stringify(r.result[v] ?? {})}\n`);
      await writeOut(io.stdout, `${comparisonLines(r.comparison).join('\n')}\n`);
    }
  }
  return results.every((r) => r.barsMet) ? EXIT_OK : EXIT_FAILURE;
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'train, quantize, evaluate and describe the domain models',
  help: HELP,
  subcommandHelp: subcommandHelps('models', HELP, ['build', 'quantize', 'eval', 'describe']),
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'build') return build(rest, io);
    if (sub === 'quantize') return quantize(rest, io);
    if (sub === 'eval') return evaluate(rest, io);
    if (sub === 'describe') return describeModel(rest, io);
    throw new UsageError(sub === undefined ? 'missing subcommand (build, quantize, eval or describe)' : `unknown subcommand "${sub}"`);
  },
};
