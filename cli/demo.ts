/**
 * `npm start` (`ecu-ai demo`): the main job on embedded defaults. The bundled ten-minute demo drive
 * goes through all five domains with the shipped models in virtual time; the per-domain table is
 * printed and the summary JSON and HTML report are written.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseCliArgs } from './args.js';
import type { CliCommand, CliIo } from './command.js';
import { bundledDbc, bundledDemoConfig, bundledDemoLabels, bundledDemoTrace, bundledModels } from './paths.js';
import { replayAndReport } from './replay.js';

const HELP = `Usage: ecu-ai demo [--out DIR]

Replays the bundled demo drive (about ten minutes of mixed scenarios, with labels) through all
five domains with the shipped models, prints the per-domain table and writes summary.json and
report.html to DIR (default: ./ecu-ai-demo).
`;

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'replay the bundled demo drive through all five domains (what `npm start` runs)',
  help: HELP,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCliArgs(args, { out: { type: 'string' } });
    const outDir = path.resolve(io.cwd, values.out ?? 'ecu-ai-demo');
    await mkdir(outDir, { recursive: true });
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
