import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

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
