/**
 * `npm start` (`ecu-ai demo`): the main job on embedded defaults. The bundled ten-minute demo drive
 * goes through all five domains with the shipped models in virtual time; the per-domain table is
 * printed and the summary JSON and HTML report are written.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCliArgs } from './args.js';
import { EXIT_BAD_INPUT, type CliCommand, type CliIo } from './command.js';
import { bundledDbc, bundledDemoConfig, bundledDemoLabels, bundledDemoTrace, bundledModels } from './paths.js';
import { replayAndReport } from './replay.js';

const HELP = `Usage: ecu-ai demo [--out DIR]

Replays the bundled demo drive (about ten minutes of mixed scenarios, with labels) through all
five domains with the shipped models, prints the per-domain table and writes summary.json and
report.html to DIR (default: ./ecu-ai-demo).
`;

/** `--out` names something that is not (and cannot become) a folder: bad input, exit 2. */
export class DemoOutputError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  readonly path: string;
  constructor(outDir: string, detail: string) {
    super(`--out ${outDir}: ${detail}`);
    this.name = 'DemoOutputError';
    this.path = outDir;
  }
}

/** Makes the output folder, or says in one line why `--out` cannot be one. */
async function ensureOutDir(outDir: string, shown: string): Promise<void> {
  const existing = await stat(outDir).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new DemoOutputError(shown, 'exists and is not a folder (summary.json and report.html go into a folder)');
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new DemoOutputError(shown, 'a part of the path is a file, not a folder');
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new DemoOutputError(shown, `cannot create the folder (${code})`);
    throw err;
  }
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'replay the bundled demo drive through all five domains (what `npm start` runs)',
  help: HELP,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCliArgs(args, { out: { type: 'string' } });
    const outDir = path.resolve(io.cwd, values.out ?? 'ecu-ai-demo');
    await ensureOutDir(outDir, values.out ?? 'ecu-ai-demo');
    const json = path.join(outDir, 'summary.json');
    const report = path.join(outDir, 'report.html');
    io.stdout.write(`Replaying the bundled demo drive ${path.relative(io.cwd, bundledDemoTrace)} through all five domains...\n\n`);
    await replayAndReport(
      { trace: bundledDemoTrace, labels: bundledDemoLabels, config: bundledDemoConfig, dbc: bundledDbc, models: bundledModels, pace: undefined },
      io,
      { json, report },
    );
    io.stdout.write(`summary: ${path.relative(io.cwd, json)}\nreport:  ${path.relative(io.cwd, report)}\n`);
    return 0;
  },
};
