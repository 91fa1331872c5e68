import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMlp } from '../../../models/build/onnx/index.js';
import { ModelLoadError } from '../../../runtime/errors.js';
import { ModelRegistry, parseModelRef } from '../../../runtime/inference/registry.js';
import { writeModel } from './fixtures.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-reg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function loadError(p: Promise<unknown>): Promise<ModelLoadError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ModelLoadError)) throw new Error(`expected ModelLoadError, got ${String(e)}`);
  return e;
}

describe('ModelRegistry', () => {
  it('finds model folders under a root and resolves the newest version unless pinned', async () => {
    const dir = path.join(root, 'versions');
    writeModel(dir, { name: 'chassis-slip', domain: 'chassis', version: '1.9.0' });
    writeModel(dir, { name: 'chassis-slip', domain: 'chassis', version: '1.10.0' });
    const reg = await ModelRegistry.create({ roots: [dir] });
    expect(reg.resolve({ name: 'chassis-slip' }).manifest.version).toBe('1.10.0');
    expect(reg.resolve({ name: 'chassis-slip', version: '1.9.0' }).manifest.version).toBe('1.9.0');
    expect((await loadError(Promise.resolve().then(() => reg.resolve({ name: 'nope' })))).message).toMatch(/nope@latest: not registered \(known: chassis-slip@1\.9\.0, chassis-slip@1\.10\.0\)/);
  });

  it('loads a variant whose sha256 and boundary match its manifest', async () => {
    const m = writeModel(path.join(root, 'ok'), { name: 'pt-knock', domain: 'powertrain', sizes: [5, 3] });
    const reg = await ModelRegistry.create({ roots: [m.dir] });
    const v = await reg.loadVariant({ name: 'pt-knock' });
    expect(v.variant).toBe('fp32');
    expect(v.io.inputs[0]?.name).toBe('x');
  });

  it('refuses a file whose sha256 differs from the manifest, naming the field', async () => {
    const m = writeModel(path.join(root, 'sha'), { name: 'pt-knock', domain: 'powertrain', sizes: [5, 3] });
    writeFileSync(path.join(m.dir, 'model.onnx'), buildMlp({ sizes: [5, 3], seed: 99 }).bytes);
    const reg = await ModelRegistry.create({ roots: [m.dir] });
    const e = await loadError(reg.loadVariant({ name: 'pt-knock' }));
    expect(e.code).toBe('MODEL_LOAD');
    expect(e.message).toMatch(/^pt-knock@1\.0\.0#fp32: variants\.fp32\.sha256: .*model\.onnx hashes to [0-9a-f]{64}, the manifest says/);
  });

  it('refuses a model whose input name, dtype or shape differs from the manifest with MODEL_MISMATCH', async () => {
    const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      ['name', (m) => ((m['inputs'] as { name: string }[])[0]!.name = 'features'), /inputs\[0\]\.name: "features" is not among the model's inputs \(x\)/],
      ['dtype', (m) => ((m['inputs'] as { dtype: string }[])[0]!.dtype = 'int8'), /inputs\[0\]\.dtype: "x" is float32 in the model, int8 in the manifest/],
      ['shape', (m) => ((m['outputs'] as { shape: unknown[] }[])[0]!.shape = [-1, 7]), /outputs\[0\]\.shape: "y" is \[y_dim0,3\] in the model, \[-1,7\] in the manifest/],
      ['fixed vs dynamic', (m) => ((m['inputs'] as { shape: unknown[] }[])[0]!.shape = [1, 5]), /inputs\[0\]\.shape: "x" is \[x_dim0,5\] in the model, \[1,5\] in the manifest/],
    ];
    for (const [what, tamper, message] of cases) {
      const m = writeModel(path.join(root, `mismatch-${what}`), { name: 'pt-knock', domain: 'powertrain', sizes: [5, 3], tamper });
      const reg = await ModelRegistry.create({ roots: [m.dir] });
      const e = await loadError(reg.loadVariant({ name: 'pt-knock' }));
      expect(e.code, what).toBe('MODEL_MISMATCH');
      expect(e.message, what).toMatch(message);
    }
  });

  it('refuses a variant that needs a newer onnxruntime, and a variant the manifest lacks', async () => {
    const m = writeModel(path.join(root, 'minrt'), {
      name: 'body-seat',
      domain: 'body',
      tamper: (mf) => ((mf['variants'] as { fp32: { min_runtime?: string } }).fp32.min_runtime = '9.0.0'),
    });
    const reg = await ModelRegistry.create({ roots: [m.dir], runtimeVersion: '1.30.0' });
    expect((await loadError(reg.loadVariant({ name: 'body-seat' }))).message).toMatch(/variants\.fp32\.min_runtime: needs onnxruntime 9\.0\.0, this is 1\.30\.0/);
    expect((await loadError(reg.loadVariant({ name: 'body-seat' }, 'int8'))).message).toMatch(/variants\.int8: the manifest has no such variant/);
  });

  it('refuses the same name@version from two folders', async () => {
    const a = writeModel(path.join(root, 'dup-a'), { name: 'dup', domain: 'body' });
    writeModel(path.join(root, 'dup-b'), { name: 'dup', domain: 'body' });
    const reg = await ModelRegistry.create({ roots: [a.dir] });
    const e = await loadError(reg.addFolder(path.join(root, 'dup-b', 'dup-1.0.0')));
    expect(e.message).toMatch(/dup@1\.0\.0 is already registered from/);
  });

  it('hashes what it verifies: the digest of the fixture equals an independent computation', async () => {
    const m = writeModel(path.join(root, 'digest'), { name: 'dig', domain: 'body' });
    const reg = await ModelRegistry.create({ roots: [m.dir] });
    const v = await reg.loadVariant({ name: 'dig' });
    expect(createHash('sha256').update(v.bytes).digest('hex')).toBe(v.spec.sha256);
  });
});

describe('parseModelRef', () => {
  it('reads name, version and variant', () => {
    expect(parseModelRef('adas-ttc')).toEqual({ name: 'adas-ttc' });
    expect(parseModelRef('adas-ttc@1.2.0#int8')).toEqual({ name: 'adas-ttc', version: '1.2.0', variant: 'int8' });
    expect(() => parseModelRef('adas#fp16')).toThrow(/expected NAME\[@VERSION\]\[#fp32\|#int8\]/);
  });
});
