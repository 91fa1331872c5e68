import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestFields } from '../../cli/model-contract-view.js';
import { DOMAIN_LIST, DOMAINS } from '../../domains/index.js';
import { cli } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ecu-cli-describe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface View {
  domain: string;
  model: string;
  shipped: { name: string; input_name: string } | null;
  window: { signals: string[]; rate_hz: number; length: number; seconds: number };
  input: { dtype: string; shape: number[]; features: { index: number; name: string; unit: string }[] };
  output: { shape: number[]; values: { index: number; name: string }[]; interpretation: string };
  manifest: { field: string; required: boolean; rule: string }[];
}

describe('ecu-ai models describe', () => {
  it.each(DOMAIN_LIST.map((d) => d.domain))('gives the %s contract as JSON, from its definition', async (domain) => {
    const r = await cli(tmp, 'models', 'describe', domain, '--json');
    expect(r.code, r.err).toBe(0);
    const v = JSON.parse(r.out) as View;
    const def = DOMAINS[domain];
    expect(v.input.shape).toEqual([1, def.featureSize]);
    expect(v.input.features.map((f) => f.index)).toEqual(Array.from({ length: def.featureSize }, (_, i) => i));
    expect(v.input.features.map((f) => f.name)).toEqual(def.modelContract?.features.map((f) => f.name));
    expect(v.output.shape).toEqual([1, def.modelContract?.outputs.length]);
    expect(v.window).toEqual({ signals: [...def.window.signals], rate_hz: def.window.rateHz, length: def.window.length, seconds: def.window.length / def.window.rateHz });
    expect(v.model).toBe(def.model);
    expect(v.shipped?.name).toBe(def.model);
    const required = v.manifest.filter((m) => m.required).map((m) => m.field);
    expect(required).toEqual(expect.arrayContaining(['name', 'version', 'domain', 'inputs', 'outputs', 'variants', 'variants.fp32.file', 'variants.fp32.sha256', 'variants.fp32.cost_ms']));
    expect(v.manifest.find((m) => m.field === 'domain')?.rule).toBe(`"${domain}"`);
  });

  it('prints a table per tensor for people, every feature on its row', async () => {
    const r = await cli(tmp, 'models', 'describe', 'chassis');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Input: one float32 tensor [1, 16]');
    expect(r.out).toMatch(/^ {2}0\s+slip_rear\s+%\s+-10\.\.10\s+mean slip/m);
    expect(r.out).toMatch(/^ {2}3\s+p_ice\s+1\s+probability it is ice$/m);
    expect(r.out).toMatch(/^ {2}variants\.int8\.sha256\s+required\s+the file's sha256/m);
  });

  it('explains every field of the manifest schema', () => {
    for (const def of DOMAIN_LIST) for (const f of manifestFields(def, 1)) expect(f.rule, f.field).not.toContain('see runtime/inference/manifest.ts');
  });

  it('refuses an unknown or missing domain with exit code 2, naming the known ones', async () => {
    const r = await cli(tmp, 'models', 'describe', 'thermal');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown domain "thermal" (known: adas, chassis, powertrain, cockpit, body)');
    expect((await cli(tmp, 'models', 'describe')).code).toBe(2);
  });
});
