import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../../runtime/errors.js';
import { ModelRegistry, overlayShippedModels, shippedModelsDir } from '../../../runtime/inference/index.js';
import { writeModel } from './fixtures.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-overlay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const shipped = path.resolve(import.meta.dirname, '..', '..', '..', 'models');
const WANTED = [
  { domain: 'adas', model: 'adas-fcw' },
  { domain: 'body', model: 'body-comfort' },
];

describe('a models folder over the shipped models', () => {
  it('finds the shipped folder of this installation', () => {
    expect(shippedModelsDir()).toBe(shipped);
  });

  it('takes a model the folder holds from it, whatever its version, and every other from the shipped set', async () => {
    const dir = path.join(root, 'one');
    // Older than the shipped 1.1.0: still the one served, as it is the one asked for.
    const own = writeModel(dir, { name: 'body-comfort', domain: 'body', version: '0.1.0', sizes: [12, 4, 2] });
    const registry = await ModelRegistry.create({ roots: [dir] });
    const sources = await overlayShippedModels(registry, WANTED, shipped);
    expect(sources).toEqual([
      { domain: 'adas', model: 'adas-fcw', source: 'shipped', dir: path.join(shipped, 'adas-fcw'), label: expect.stringMatching(/^adas-fcw@/) },
      { domain: 'body', model: 'body-comfort', source: 'user', dir: own.dir, label: 'body-comfort@0.1.0' },
    ]);
    expect(registry.list().filter((m) => m.manifest.name === 'body-comfort').map((m) => m.manifest.version)).toEqual(['0.1.0']);
  });

  it('leaves a registry of the shipped folder as it is: every domain is shipped', async () => {
    const registry = await ModelRegistry.create({ roots: [shipped] });
    const sources = await overlayShippedModels(registry, WANTED, shipped);
    expect(sources.map((s) => s.source)).toEqual(['shipped', 'shipped']);
  });

  it('refuses a folder holding none of the models, naming it, what it expected and what it found', async () => {
    const dir = path.join(root, 'wrong-name');
    writeModel(dir, { name: 'my-fcw', domain: 'adas', sizes: [23, 4, 3] });
    const err = await overlayShippedModels(await ModelRegistry.create({ roots: [dir] }), WANTED, shipped).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${dir}: holds none of the models the domains run`);
    expect(msg).toContain('"adas-fcw" (adas), "body-comfort" (body)');
    expect(msg).toContain('found my-fcw@1.0.0 (domain adas)');
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    await expect(overlayShippedModels(await ModelRegistry.create({ roots: [empty] }), WANTED, shipped)).rejects.toThrow(/found no manifest\.json/);
  });
});
