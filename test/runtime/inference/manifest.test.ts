import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../../runtime/errors.js';
import { compareSemver, parseManifest } from '../../../runtime/inference/manifest.js';

const good = {
  name: 'adas-ttc',
  version: '1.2.0',
  domain: 'adas',
  inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 32] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 4] }],
  variants: {
    fp32: { file: 'model.onnx', sha256: 'a'.repeat(64), cost_ms: { p50: 0.1, p99: 0.3 }, min_runtime: '1.17.0' },
    cloud: { cost_ms: { p50: 20, p99: 80 } },
  },
};

function errorOf(f: () => unknown): ModelLoadError {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelLoadError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('parseManifest', () => {
  it('accepts a complete manifest', () => {
    const m = parseManifest(JSON.stringify(good), 'm.json');
    expect(m.variants.fp32?.cost_ms.p99).toBe(0.3);
    expect(m.inputs[0]?.shape).toEqual([-1, 32]);
  });

  it('names every invalid field by its path', () => {
    const bad = structuredClone(good) as Record<string, unknown> & typeof good;
    bad.version = '1.2';
    bad.variants.fp32.sha256 = 'xyz';
    (bad.inputs[0] as { dtype: string }).dtype = 'float8';
    const e = errorOf(() => parseManifest(JSON.stringify(bad), 'models/adas/manifest.json'));
    expect(e.code).toBe('MODEL_MANIFEST');
    expect(e.message).toContain('models/adas/manifest.json: invalid manifest');
    expect(e.message).toMatch(/version: must be a semver version/);
    expect(e.message).toMatch(/variants\.fp32\.sha256: must be 64 lowercase hex digits/);
    expect(e.message).toMatch(/inputs\.0\.dtype:/);
  });

  it('refuses a manifest with only a cloud variant, a p99 below p50 and a file outside the folder', () => {
    const onlyCloud = { ...good, variants: { cloud: good.variants.cloud } };
    expect(errorOf(() => parseManifest(JSON.stringify(onlyCloud), 'm.json')).message).toMatch(/variants: needs a local variant/);
    const badCost = structuredClone(good);
    badCost.variants.fp32.cost_ms = { p50: 2, p99: 1 };
    expect(errorOf(() => parseManifest(JSON.stringify(badCost), 'm.json')).message).toMatch(/variants\.fp32\.cost_ms: p99 must not be below p50/);
    const escape = structuredClone(good);
    escape.variants.fp32.file = '../other/model.onnx';
    expect(errorOf(() => parseManifest(JSON.stringify(escape), 'm.json')).message).toMatch(/variants\.fp32\.file: must be a path inside/);
  });

  it('refuses unknown fields rather than ignoring a typo', () => {
    expect(errorOf(() => parseManifest(JSON.stringify({ ...good, domian: 'adas' }), 'm.json')).message).toMatch(/domian/);
  });

  it('names line and column of a JSON syntax error', () => {
    const text = '{\n  "name": "a",\n  "version": }\n';
    expect(errorOf(() => parseManifest(text, 'm.json')).message).toMatch(/^m\.json:3:14: invalid JSON/);
  });

  it('never throws anything but ModelLoadError for arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          parseManifest(text, 'm.json');
        } catch (e) {
          expect(e).toBeInstanceOf(ModelLoadError);
        }
      }),
    );
  });
});

describe('compareSemver', () => {
  it('orders numerically, with a pre-release before its release', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-rc.1', '0.9.9', '2.0.0'].sort(compareSemver);
    expect(sorted).toEqual(['0.9.9', '1.2.0-rc.1', '1.2.0', '1.10.0', '2.0.0']);
  });
});
