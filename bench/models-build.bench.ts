/**
 * A cold `ecu-ai models build` of all five domains (empty dataset cache, a fresh output folder) as
 * a whole process, timed, then each rebuilt model compared with the shipped one: are the ONNX
 * files byte-identical, and what held-out figures does each give (from both eval.json files).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMAIN_LIST } from '../domains/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');

interface EvalJson {
  readonly eval: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
}

function figures(file: string): string {
  if (!existsSync(file)) return 'missing';
  const e = (JSON.parse(readFileSync(file, 'utf8')) as EvalJson).eval;
  const fp32 = e['fp32'] ?? {};
  return Object.entries(fp32)
    .map(([k, v]) => `${k} ${v === null ? 'n/a' : Number(v.toFixed(4))}`)
    .join(', ');
}

function same(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && Buffer.compare(readFileSync(a), readFileSync(b)) === 0;
}

function main(): void {
  const out = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-models-build-'));
  const load0 = os.loadavg();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'models', 'build', '--out', out, '--cache', path.join(out, 'cache')], { encoding: 'utf8', cwd: out, maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const load1 = os.loadavg();
  if (r.status !== 0) throw new Error(`models build exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const rows = DOMAIN_LIST.map((d) => {
    const shipped = path.join(repoRoot, 'models', d.model);
    const rebuilt = path.join(out, d.model);
    const fp32 = same(path.join(shipped, 'fp32.onnx'), path.join(rebuilt, 'fp32.onnx'));
    const int8 = same(path.join(shipped, 'int8.onnx'), path.join(rebuilt, 'int8.onnx'));
    return `| ${d.domain} | ${d.model} | ${fp32 ? 'yes' : 'no'} | ${int8 ? 'yes' : 'no'} | ${figures(path.join(shipped, 'eval.json'))} | ${figures(path.join(rebuilt, 'eval.json'))} |`;
  });
  rmSync(out, { recursive: true, force: true });
  console.log('--- results');
  console.log(
    [
      '## Cold model build (`bench/models-build.bench.ts`)',
      '',
      `\`ecu-ai models build\` of all five domains as one process, with an empty dataset cache: **${seconds.toFixed(1)} s** wall`,
      `(simulating the training, validation and held-out drives, training, int8 quantisation, profiling and evaluation). Load average (1 min)`,
      `${load0[0]?.toFixed(1)} at the start, ${load1[0]?.toFixed(1)} at the end, on ${os.cpus().length} cores.`,
      '',
      '| domain | model | fp32.onnx byte-identical to the shipped | int8.onnx byte-identical | shipped held-out fp32 | rebuilt held-out fp32 |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main();
