/**
 * A models folder of one's own holds only the models it replaces: each domain runs the model of
 * that name from the folder when the folder has it, and the shipped one (`models/` of the
 * installation) otherwise. A folder that holds none of the models asked for is a mistake (a wrong
 * path, a model named after nothing it replaces) and is refused, naming what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { installRoot } from '../install-root.js';
import { ModelLoadError } from '../errors.js';
import { parseManifest } from './manifest.js';
import { modelFolders, modelLabel, type ModelRegistry } from './registry.js';

/** A domain and the model name it runs. */
export interface WantedModel {
  readonly domain: string;
  readonly model: string;
}

/** Where a domain's model comes from. */
export interface ModelSource extends WantedModel {
  /** `user`: the folder given; `shipped`: the installation's `models/`. */
  readonly source: 'user' | 'shipped';
  /** The model folder, once registered (absent: the model is nowhere, opening it will say so). */
  readonly dir?: string;
  /** `name@version` served. */
  readonly label?: string;
}

/** The installation's shipped `models/` folder. */
export function shippedModelsDir(): string {
  return path.join(installRoot(), 'models');
}

const same = (a: string, b: string): boolean => path.resolve(a) === path.resolve(b);

function sources(registry: ModelRegistry, wanted: readonly WantedModel[], user: ReadonlySet<string>): ModelSource[] {
  return wanted.map((w) => {
    const found = registry.has(w.model) ? registry.resolve({ name: w.model }) : undefined;
    return { ...w, source: user.has(w.model) ? 'user' : 'shipped', ...(found ? { dir: found.dir, label: modelLabel(found.manifest) } : {}) };
  });
}

/**
 * Registers, from the shipped folder, every wanted model the registry's own roots lack (a registry
 * made from the shipped folder itself is left as it is) and says where each domain's model is from.
 * @throws {ModelLoadError} `MODEL_LOAD` when the registry's roots hold none of the wanted models
 * @throws {ModelLoadError} `MODEL_MANIFEST` for an invalid shipped manifest
 */
export async function overlayShippedModels(registry: ModelRegistry, wanted: readonly WantedModel[], shippedDir: string = shippedModelsDir()): Promise<ModelSource[]> {
  const ownRoots = registry.roots.filter((r) => !same(r, shippedDir));
  if (ownRoots.length === 0 || wanted.length === 0) return sources(registry, wanted, new Set());
  const user = new Set(wanted.filter((w) => registry.has(w.model)).map((w) => w.model));
  if (user.size === 0) {
    const found = registry.list().map((m) => `${modelLabel(m.manifest)} (domain ${m.manifest.domain}) in ${m.dir}`);
    const expected = wanted.map((w) => `"${w.model}" (${w.domain})`).join(', ');
    throw new ModelLoadError(
      'MODEL_LOAD',
      ownRoots.join(', '),
      `holds none of the models the domains run: expected a model folder whose manifest.json is named ${expected}; found ${found.length > 0 ? found.join(', ') : 'no manifest.json'}. ` +
        'Name the manifest after the model it replaces (or set domains.NAME.model to its name); the models it does not hold come from the shipped ones',
    );
  }
  const missing = new Set(wanted.map((w) => w.model).filter((m) => !user.has(m)));
  for (const dir of await modelFolders(shippedDir)) {
    const file = path.join(dir, 'manifest.json');
    if (missing.has(parseManifest(await readFile(file, 'utf8'), file).name)) await registry.addFolder(dir);
  }
  return sources(registry, wanted, user);
}
