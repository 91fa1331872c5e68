import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';


let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-sim-cli-'));
});

describe('ecu-ai sim', () => {
  it('lists every scenario with its description', async () => {
    const r = await cli(dir, 'sim', '--list');
    expect(r.code).toBe(0);
    for (const name of ['highway-cruise', 'cut-in-emergency-brake', 'stop-and-go', 'wet-road', 'icy-road', 'drowsy-night', 'battery-cell-fault', 'hot-day-cabin', 'mixed-drive']) {
      expect(r.out).toContain(`${name}\n  `);
    }
  });

  it('writes a candump trace and JSON-lines labels relative to the working directory', async () => {
    const r = await cli(dir, 'sim', '--scenario', 'stop-and-go', '--duration', '5', '--seed', '9', '--out', 'drive.log', '--labels', 'drive.jsonl');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/5 s simulated/);
    const lines = readFileSync(path.join(dir, 'drive.log'), 'latin1').trim().split('\n');
    expect(lines.length).toBeGreaterThan(2000);
    expect(lines[0]).toMatch(/^\(\d+\.\d{6}\) can0 [0-9A-F]{3}#[0-9A-F]+$/);
    const labels = readFileSync(path.join(dir, 'drive.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; domain: string; label: object });
    expect(new Set(labels.map((l) => l.domain))).toEqual(new Set(['adas', 'chassis', 'powertrain', 'cockpit', 'body']));
    expect(labels[labels.length - 1]!.t).toBeCloseTo(5, 6);
  });

  it('exits 2 naming the problem for bad usage', async () => {
    const cases: [string[], RegExp][] = [
      [['--scenario', 'nowhere', '--duration', '1', '--seed', '1', '--out', 'x.log'], /unknown scenario "nowhere"/],
      [['--scenario', 'wet-road', '--duration', '-3', '--seed', '1', '--out', 'x.log'], /--duration/],
      [['--scenario', 'wet-road', '--duration', '1', '--seed', 'abc', '--out', 'x.log'], /--seed/],
      [['--scenario', 'wet-road', '--duration', '1', '--seed', '1'], /--out is required/],
      [['--scenario', 'wet-road', '--duration', '1', '--seed', '1', '--out', 'x.mp4'], /known extensions/],
      [['--bogus'], /bogus/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(dir, 'sim', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
  });
});
