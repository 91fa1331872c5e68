/**
 * The drives whose replay summaries are kept as golden fixtures: the bundled demo drive and three
 * simulated drives of different scenarios and seeds. A structural change must leave every one of
 * them byte-identical (outside the `wall` section, which measures the machine, not the replay).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { cli } from '../helpers/cli.js';

export interface GoldenDrive {
  readonly name: string;
  /** Absent for the bundled demo drive. */
  readonly sim?: { readonly scenario: string; readonly durationS: number; readonly seed: number };
  readonly localOnly: boolean;
}

export const GOLDEN_DRIVES: readonly GoldenDrive[] = [
  { name: 'demo', localOnly: false },
  { name: 'cut-in-emergency-brake-seed7', sim: { scenario: 'cut-in-emergency-brake', durationS: 60, seed: 7 }, localOnly: false },
  { name: 'icy-road-seed3', sim: { scenario: 'icy-road', durationS: 90, seed: 3 }, localOnly: true },
  { name: 'battery-cell-fault-seed11', sim: { scenario: 'battery-cell-fault', durationS: 120, seed: 11 }, localOnly: false },
];

/**
 * Replays one golden drive in `dir` and returns its canonical text: the summary without `wall`,
 * and the SHA-256 of the output frames the domains wrote, so an output frame that changes while
 * the summary stays the same still shows.
 */
export async function replayGolden(drive: GoldenDrive, dir: string): Promise<string> {
  const args: string[] = [];
  if (drive.sim) {
    const trace = `${drive.name}.log`;
    const labels = `${drive.name}.labels.jsonl`;
    const s = drive.sim;
    const made = await cli(dir, 'sim', '--scenario', s.scenario, '--duration', String(s.durationS), '--seed', String(s.seed), '--out', trace, '--labels', labels, '--quiet');
    expect(made.code, made.err).toBe(0);
    args.push(trace, '--labels', labels);
  }
  if (drive.localOnly) args.push('--local-only');
  const summaryFile = `${drive.name}.summary.json`;
  const outFile = `${drive.name}.out.log`;
  const r = await cli(dir, 'replay', ...args, '--quiet', '--json', summaryFile, '--out', outFile);
  expect(r.code, r.err).toBe(0);
  const summary = JSON.parse(readFileSync(path.join(dir, summaryFile), 'utf8')) as Record<string, unknown>;
  delete summary.wall;
  const outputFramesSha256 = createHash('sha256').update(readFileSync(path.join(dir, outFile))).digest('hex');
  return JSON.stringify({ summary, output_frames_sha256: outputFramesSha256 }, null, 2) + '\n';
}
