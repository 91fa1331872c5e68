import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST } from '../../domains/index.js';
import { Prng } from '../../models/build/prng.js';
import { parseManifest } from '../../runtime/inference/manifest.js';

const repo = path.resolve(import.meta.dirname, '..', '..');

describe.each(DOMAIN_LIST.map((d) => [d.domain, d] as const))('the %s model contract', (_name, def) => {
  const contract = def.modelContract;

  it('names one feature per entry of the input vector, each once', () => {
    expect(contract).toBeDefined();
    expect(contract?.features).toHaveLength(def.featureSize);
    const names = contract?.features.map((f) => f.name) ?? [];
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('declares as many outputs as the shipped model gives', () => {
    const file = path.join(repo, 'models', def.model, 'manifest.json');
    const manifest = parseManifest(readFileSync(file, 'utf8'), file);
    const shape = manifest.outputs[0]?.shape ?? [];
    expect(contract?.outputs.length).toBe(shape[shape.length - 1]);
  });

  it('keeps every feature with a declared range within it, on arbitrary windows', () => {
    const prng = new Prng(7);
    const width = def.window.signals.length * def.window.length;
    const out = new Float32Array(def.featureSize);
    for (let k = 0; k < 12; k++) {
      // Wild values and plain zeros both: the clamps must hold on whatever the bus sends.
      const window = Float32Array.from({ length: width }, () => (k % 3 === 0 ? 0 : (prng.next() - 0.3) * 400));
      def.features(window, out);
      contract?.features.forEach((f, i) => {
        if (f.range === undefined) return;
        const v = out[i] as number;
        expect(v, `${f.name} (${i}) = ${v} outside [${f.range.join(', ')}]`).toBeGreaterThanOrEqual(f.range[0]);
        expect(v, `${f.name} (${i}) = ${v} outside [${f.range.join(', ')}]`).toBeLessThanOrEqual(f.range[1]);
      });
    }
  });
});
