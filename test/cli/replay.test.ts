import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withoutWall, type ReplaySummary } from '../../runtime/engine/summary.js';
import { cli } from '../helpers/cli.js';
import { parseCandumpLine } from '../../bus/trace/index.js';
import { e2eCounter, verifyE2e } from '../../bus/e2e.js';

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-replay-cli-'));
  const r = await cli(dir, 'sim', '--scenario', 'cut-in-emergency-brake', '--duration', '30', '--seed', '4242', '--out', 'drive.blf', '--labels', 'labels.jsonl');
  expect(r.code).toBe(0);
}, 120_000);

const summaryOf = (file: string): ReplaySummary => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ReplaySummary;

describe('ecu-ai replay', () => {
  it('runs all five domains with the shipped models, prints the table and writes summary, report and outputs', async () => {
    const r = await cli(dir, 'replay', 'drive.blf', '--labels', 'labels.jsonl', '--json', 'a.json', '--report', 'a.html', '--out', 'out.log');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^adas\s+600\s/m);
    const s = summaryOf('a.json');
    expect(Object.keys(s.domains).sort()).toEqual(['adas', 'body', 'chassis', 'cockpit', 'powertrain']);
    // 30 s at each domain's rate (releases at 0 .. < 30 s).
    expect(s.domains['chassis']!.inferences + s.domains['chassis']!.dropped).toBe(1500);
    expect(s.domains['adas']!.metrics).toHaveProperty('recall');
    expect(s.domains['chassis']!.metrics).toHaveProperty('accuracy');
    expect(s.outputs['ADAS_FCW']).toBe(s.domains['adas']!.inferences);
    const html = readFileSync(path.join(dir, 'a.html'), 'utf8');
    expect(html).toContain('<h2>Domains</h2>');
    expect(html).toContain(`Vehicle reference, DBC vehicle.dbc, models models; ${s.trace.decoded} of ${s.trace.frames} frames decoded by the DBC.`);
    expect(html).not.toContain('Disabled on this vehicle');
    const outLines = readFileSync(path.join(dir, 'out.log'), 'utf8').trim().split('\n');
    expect(outLines.length).toBe(Object.values(s.outputs).reduce((a, b) => a + b, 0));
    // The safety outputs carry a valid end-to-end CRC, as a receiving ECU would check.
    const fcw = outLines.map((l) => parseCandumpLine(l)).filter((f) => f !== null && f.id === 0x2a0);
    expect(fcw.length).toBe(s.domains['adas']!.inferences);
    expect(fcw.every((f) => verifyE2e(f!.id, f!.data))).toBe(true);
    // ... and a rolling counter that steps by one per transmission, from 0.
    expect(fcw.slice(0, 18).map((f) => e2eCounter(f!.data))).toEqual([...Array.from({ length: 16 }, (_, i) => i), 0, 1]);
    // They are the vehicle's own transmissions, not frames it received.
    expect(outLines.map((l) => parseCandumpLine(l)?.tx)).toEqual(outLines.map(() => true));
  }, 120_000);

  it('gives the same summary (outside wall) and the same output frames, byte for byte, on a second run', async () => {
    const r = await cli(dir, 'replay', 'drive.blf', '--labels', 'labels.jsonl', '--json', 'b.json', '--quiet', '--out', 'out2.log', '--snippets', 'snips');
    expect(r.code).toBe(0);
    // A cut-in drive triggers ADAS warnings: each snippet holds the frames around its trigger.
    const snips = readdirSync(path.join(dir, 'snips')).filter((f) => f.endsWith('.json'));
    expect(snips.length).toBeGreaterThan(0);
    const first = JSON.parse(readFileSync(path.join(dir, 'snips', snips[0]!), 'utf8')) as { frames?: unknown[] };
    expect(first.frames?.length ?? 0).toBeGreaterThan(100);
    expect(readFileSync(path.join(dir, 'out2.log'), 'utf8')).toBe(readFileSync(path.join(dir, 'out.log'), 'utf8'));
    expect(JSON.stringify(withoutWall(summaryOf('b.json')))).toBe(JSON.stringify(withoutWall(summaryOf('a.json'))));
  }, 120_000);

  it('exits 2 naming the place for a missing trace, a bad config and bad flags', async () => {
    const missing = await cli(dir, 'replay', 'nope.blf', '--quiet', '--local-only');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.blf');
    writeFileSync(path.join(dir, 'bad.yaml'), 'domains:\n  adas:\n    deadline_ms: -1\n');
    const bad = await cli(dir, 'replay', 'drive.blf', '--config', 'bad.yaml', '--quiet', '--local-only');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('domains.adas.deadline_ms');
    const flag = await cli(dir, 'replay', 'drive.blf', '--speed', 'fast');
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('--speed');
  }, 60_000);
});
