/**
 * A replay never reports a clean run that was not: undecoded traces, empty traces, domains whose
 * inputs never become valid, interrupted runs; and it never overwrites its own inputs.
 */
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplaySummary } from '../../runtime/engine/summary.js';
import { cli } from '../helpers/cli.js';
import { hasSharedData, sharedPath } from '../helpers/shared-data.js';
import { PassThrough } from 'node:stream';
import { runCli } from '../../cli/main.js';

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-replay-truth-'));
  const r = await cli(dir, 'sim', '--scenario', 'highway-cruise', '--duration', '20', '--seed', '7', '--out', 'drive.log', '--labels', 'labels.jsonl');
  expect(r.code).toBe(0);
}, 120_000);

const summaryOf = (file: string): ReplaySummary => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ReplaySummary;

describe('replay of a trace the DBC does not describe', () => {
  it('exits 1 when no frame decodes, lists the unknown ids, and exits 0 with --allow-undecoded', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(`(${(1700000000 + i * 0.01).toFixed(6)}) can0 ${(0x700 + (i % 12)).toString(16).toUpperCase()}#0011223344556677`);
    writeFileSync(path.join(dir, 'foreign.log'), lines.join('\n') + '\n');
    const r = await cli(dir, 'replay', 'foreign.log', '--local-only', '--json', 'foreign.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no frame of foreign\.log is described by the DBC \(300 frames read; ids seen: 700, 701, /);
    expect(r.out).toMatch(/frames read 300, decoded by the DBC 0; ids not in the DBC: 700 \(25\), 701 \(25\), .*, \.\.\./);
    const s = summaryOf('foreign.json');
    expect(s.trace.decoded).toBe(0);
    expect(s.trace.not_in_dbc).toBe(300);
    expect(s.trace.unknown_ids.length).toBe(10);
    const allowed = await cli(dir, 'replay', 'foreign.log', '--local-only', '--quiet', '--allow-undecoded');
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain('no frame of foreign.log');
  }, 60_000);

  it.runIf(hasSharedData)('fails a real trace of another vehicle replayed with the default DBC', async () => {
    copyFileSync(sharedPath('traces', 'CANBUSlogs', 'yaris09_noeculog.log'), path.join(dir, 'yaris.log'));
    const r = await cli(dir, 'replay', 'yaris.log', '--local-only', '--json', 'yaris.json');
    expect(r.code).toBe(1);
    const s = summaryOf('yaris.json');
    expect(s.trace.not_in_dbc).toBeGreaterThan(0);
    expect(r.out).toMatch(/ids not in the DBC: [0-9A-F]{3} \(\d+\)/);
    expect(r.err).toMatch(/its inputs never became valid/);
  }, 60_000);

  it('exits 2 for an empty trace', async () => {
    writeFileSync(path.join(dir, 'empty.log'), '');
    const r = await cli(dir, 'replay', 'empty.log', '--local-only', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/empty\.log: the trace holds no frames/);
  });

  it('names a domain whose inputs never became valid and fails the run', async () => {
    // The drive without the ESP frames: chassis (wheel speeds) and ADAS (ego speed) never get their inputs.
    const lines = readFileSync(path.join(dir, 'drive.log'), 'latin1').split('\n');
    const ids = new Set(lines.map((l) => l.split(' ')[2]?.split('#')[0]).filter((x): x is string => x !== undefined));
    expect(ids.size).toBeGreaterThan(3);
    writeFileSync(path.join(dir, 'no-wheels.log'), lines.filter((l) => !/ 0A0#| 0B0#/.test(l)).join('\n'));
    const r = await cli(dir, 'replay', 'no-wheels.log', '--local-only', '--json', 'nw.json');
    const s = summaryOf('nw.json');
    expect(s.domains['chassis']!.first_valid_input_t).toBeNull();
    expect(s.domains['chassis']!.invalid_inputs).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.err).toContain('chassis: its inputs never became valid');
    expect(r.out).toMatch(/^chassis .*INPUTS NEVER VALID/m);
    // Powertrain reads the battery, which is all there: its row and stderr say nothing.
    expect(s.domains['powertrain']!.first_valid_input_t).not.toBeNull();
    expect(r.err).not.toContain('powertrain');
  }, 60_000);
});

describe('replay metrics without support', () => {
  it('shows null in the JSON and n/a in the table for a drive with nothing to detect', async () => {
    const r = await cli(dir, 'replay', 'drive.log', '--labels', 'labels.jsonl', '--local-only', '--json', 'hw.json');
    expect(r.code).toBe(0);
    const s = summaryOf('hw.json');
    // A highway cruise has no battery fault: recall has no positives to be measured on.
    expect(s.domains['powertrain']!.metrics!['recall']).toBeNull();
    expect(s.domains['powertrain']!.metrics!['median_detection_delay_s']).toBeNull();
    expect(r.out).toMatch(/^powertrain .*recall=n\/a/m);
  }, 60_000);
});

describe('replay never overwrites its inputs', () => {
  it('refuses --json, --report or --out naming the trace, the labels or each other, and leaves them intact', async () => {
    const before = readFileSync(path.join(dir, 'drive.log'));
    for (const args of [
      ['--out', 'drive.log'],
      ['--out', './drive.log'],
      ['--json', 'labels.jsonl', '--labels', 'labels.jsonl'],
      ['--json', 'x.json', '--report', 'x.json'],
    ]) {
      const r = await cli(dir, 'replay', 'drive.log', '--local-only', '--quiet', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/is the same file as/);
    }
    expect(readFileSync(path.join(dir, 'drive.log')).equals(before)).toBe(true);
    expect(statSync(path.join(dir, 'labels.jsonl')).size).toBeGreaterThan(0);
  }, 60_000);

  it('sim refuses --out and --labels naming one file', async () => {
    const r = await cli(dir, 'sim', '--scenario', 'highway-cruise', '--duration', '1', '--seed', '1', '--out', 'same.log', '--labels', './same.log');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--labels ./same.log is the same file as --out same.log');
  });
});

describe('an interrupted replay', () => {
  it('writes the partial summary marked complete: false and exits 130', async () => {
    const ac = new AbortController();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    stdout.resume();
    // Real time: the 20 s drive cannot finish before the interrupt at 1.5 s.
    setTimeout(() => ac.abort(), 1500);
    const code = await runCli(['replay', 'drive.log', '--local-only', '--speed', '1', '--json', 'partial.json', '--report', 'partial.html'], { stdout, stderr, cwd: dir, signal: ac.signal });
    expect(code).toBe(130);
    expect(err).toMatch(/replay interrupted/);
    const s = summaryOf('partial.json');
    expect(s.complete).toBe(false);
    expect(s.duration_s).toBeGreaterThan(0);
    expect(s.duration_s).toBeLessThan(15);
    expect(readFileSync(path.join(dir, 'partial.html'), 'utf8').length).toBeGreaterThan(100);
  }, 60_000);
});
