import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { SCENARIO_NAMES } from '../../sim/scenarios/index.js';

const repo = path.resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ecu-cli-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ecu-ai models', () => {
  it('rejects an unknown subcommand or domain with exit code 2', async () => {
    expect((await cli(tmp, 'models')).code).toBe(2);
    const r = await cli(tmp, 'models', 'build', '--domain', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown domain "nope"');
    expect((await cli(tmp, 'models', 'eval', '--seeds', 'x')).code).toBe(2);
  });

  it('exits 2 naming the manifest when quantize is pointed at a folder without one', async () => {
    const r = await cli(tmp, 'models', 'quantize', path.join(tmp, 'missing'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('manifest.json');
  });

  it('evaluates a shipped model on held-out runs as JSON', async () => {
    const r = await cli(tmp, 'models', 'eval', '--models', path.join(repo, 'models'), '--domain', 'chassis', '--seeds', '4001', '--duration', '20', '--json');
    const out = JSON.parse(r.out) as { domain: string; model: string; result: { rows: number; fp32: { accuracy: number }; fallback: { accuracy: number } } }[];
    expect(out).toHaveLength(1);
    expect(out[0]?.model).toBe('chassis-friction');
    expect(out[0]?.result.rows).toBeGreaterThan(0);
    expect(out[0]?.result.fp32.accuracy).toBeGreaterThanOrEqual(0);
    expect(out[0]?.result.fp32.accuracy).toBeLessThanOrEqual(1);
    expect([0, 1]).toContain(r.code);
  }, 60_000);

  it('sets each variant beside the rule on all drives and per scenario, the same on a second run', async () => {
    const args = ['models', 'eval', '--domain', 'chassis', '--seeds', '4001', '--duration', '20', '--resamples', '200', '--quiet'] as const;
    const first = await cli(tmp, ...args, '--json');
    type Figure = { value: number | null; ci_low: number | null; ci_high: number | null };
    type Scope = { scenario: string | null; drives: number; metrics: { metric: string; drives_used: number; rule: Figure; fp32: Figure & { winner: string } }[] };
    const [chassis] = JSON.parse(first.out) as { result: { fp32: { accuracy: number } }; comparison: { resamples: number; overall: Scope; scenarios: Scope[] } }[];
    const c = chassis?.comparison;
    expect(c?.resamples).toBe(200);
    expect(c?.scenarios.map((s) => s.scenario)).toEqual(SCENARIO_NAMES);
    const overall = c?.overall.metrics[0];
    expect(overall?.metric).toBe('accuracy');
    expect(overall?.drives_used).toBe(SCENARIO_NAMES.length);
    // The point figure on all drives is the one the scorer gives without resampling.
    expect(overall?.fp32.value).toBe(chassis?.result.fp32.accuracy);
    expect(['model', 'rule', 'tie']).toContain(overall?.fp32.winner);
    expect((await cli(tmp, ...args, '--json')).out).toBe(first.out);
    const text = await cli(tmp, ...args);
    expect(text.out).toContain('model vs rule on the same drives');
    for (const s of SCENARIO_NAMES) expect(text.out).toContain(`scenario ${s} (1 drive)`);
  }, 120_000);

  it('evaluates only the models a folder of its own holds, from another working folder', async () => {
    const own = path.join(tmp, 'own-models');
    cpSync(path.join(repo, 'models', 'chassis-friction'), path.join(own, 'chassis-friction'), { recursive: true });
    const cwd = mkdtempSync(path.join(tmp, 'cwd-'));
    const r = await cli(cwd, 'models', 'eval', '--models', own, '--seeds', '4001', '--duration', '20', '--json', '--quiet');
    expect([0, 1], r.err).toContain(r.code);
    const out = JSON.parse(r.out) as { domain: string; source: string; dir: string; result: { fp32?: unknown; int8?: unknown } }[];
    expect(out.map((e) => [e.domain, e.source, e.dir])).toEqual([['chassis', 'user', path.join(own, 'chassis-friction')]]);
    expect(out[0]?.result.fp32).toBeDefined();
    expect(out[0]?.result.int8).toBeDefined();
    // --domain adds a domain the folder lacks: scored with the shipped model.
    const both = await cli(cwd, 'models', 'eval', '--models', own, '--domain', 'chassis,body', '--seeds', '4001', '--duration', '20', '--json', '--quiet');
    const rows = JSON.parse(both.out) as { domain: string; source: string; dir: string }[];
    expect(rows.map((e) => [e.domain, e.source])).toEqual([['chassis', 'user'], ['body', 'shipped']]);
    expect(rows[1]?.dir).toBe(path.join(repo, 'models', 'body-comfort'));
  }, 120_000);

  it('refuses a folder holding none of the domain models, naming what it expected', async () => {
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    const r = await cli(tmp, 'models', 'eval', '--models', empty);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${empty}: holds none of the models the domains run: expected a model folder whose manifest.json is named "adas-fcw" (adas)`);
  });

  it('re-quantises a copy of a model folder and records the new int8 hash in its manifest', async () => {
    const dir = path.join(tmp, 'body-comfort');
    cpSync(path.join(repo, 'models', 'body-comfort'), dir, { recursive: true });
    const r = await cli(mkdtempSync(path.join(tmp, 'cwd-')), 'models', 'quantize', dir, '--seeds', '1', '--duration', '20');
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out) as { sha256: string; calibrationRows: number; method: string };
    expect(res.method).toBe('pipeline');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { variants: { int8: { sha256: string; cost_ms: { p50: number } } } };
    expect(manifest.variants.int8.sha256).toBe(res.sha256);
    expect(manifest.variants.int8.cost_ms.p50).toBeGreaterThan(0);
    expect(res.calibrationRows).toBeGreaterThan(0);
  }, 60_000);
});
