/**
 * The models the vehicle has: manifests found in model folders, looked up by name and version.
 * Loading a variant verifies its sha256 and checks its real boundary against the manifest before any
 * session exists. An instance owned by the daemon; no module state.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ModelLoadError } from '../errors.js';
import { matchIo } from './io-match.js';
import { compareSemver, parseManifest, type LocalVariant, type LocalVariantSpec, type ModelManifest } from './manifest.js';
import { readModelIo, type ModelIo } from './model-io.js';

/** Which model to run: a name, optionally pinned to a version (newest otherwise), and a variant. */
export interface ModelRef {
  readonly name: string;
  readonly version?: string;
  readonly variant?: LocalVariant;
}

/** A registered manifest and the folder it came from. */
export interface RegisteredModel {
  readonly manifest: ModelManifest;
  readonly dir: string;
}

/** A variant ready to hand to a session: verified bytes plus what they declare. */
export interface LoadedVariant {
  readonly manifest: ModelManifest;
  readonly variant: LocalVariant;
  readonly spec: LocalVariantSpec;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly io: ModelIo;
}

export interface RegistryOptions {
  /** Folders holding model folders (each with a manifest.json), or model folders themselves. */
  readonly roots?: readonly string[];
  /** Version of the onnxruntime the workers run, for `min_runtime`; read from onnxruntime-node by default. */
  readonly runtimeVersion?: string;
}

/**
 * Parses `name`, `name@1.2.0`, `name#int8` or `name@1.2.0#int8`.
 * @throws ModelLoadError `MODEL_MANIFEST` on an empty name or an unknown variant
 */
export function parseModelRef(text: string): ModelRef {
  const m = /^([^@#]+)(?:@([^#]+))?(?:#(.+))?$/.exec(text);
  const variant = m?.[3];
  if (m?.[1] === undefined || (variant !== undefined && variant !== 'fp32' && variant !== 'int8')) {
    throw new ModelLoadError('MODEL_MANIFEST', text, 'expected NAME[@VERSION][#fp32|#int8]');
  }
  return { name: m[1], ...(m[2] === undefined ? {} : { version: m[2] }), ...(variant === undefined ? {} : { variant }) };
}

/** `name@version`, how models are named in errors and logs. */
export function modelLabel(m: { name: string; version: string }): string {
  return `${m.name}@${m.version}`;
}

/**
 * The model folders of a root: the root itself when it holds a manifest.json, and each sub-folder
 * that holds one.
 */
export async function modelFolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const out = entries.some((e) => e.isFile() && e.name === 'manifest.json') ? [root] : [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.join(root, e.name);
    if ((await readdir(dir)).includes('manifest.json')) out.push(dir);
  }
  return out;
}

export class ModelRegistry {
  readonly #models = new Map<string, RegisteredModel>();
  readonly #runtimeVersion: string;
  /** The folders scanned at creation, as given. */
  readonly roots: readonly string[];

  private constructor(runtimeVersion: string, roots: readonly string[]) {
    this.#runtimeVersion = runtimeVersion;
    this.roots = roots;
  }

  /**
   * Scans the roots and registers every manifest found.
   * @throws ModelLoadError `MODEL_MANIFEST` for an invalid manifest or a name@version registered twice
   */
  static async create(opts: RegistryOptions = {}): Promise<ModelRegistry> {
    const version = opts.runtimeVersion ?? (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
    const reg = new ModelRegistry(version, Object.freeze([...(opts.roots ?? [])]));
    for (const root of reg.roots) for (const dir of await modelFolders(root)) await reg.addFolder(dir);
    return reg;
  }

  /**
   * Registers one model folder (after an OTA install, for example).
   * @throws ModelLoadError `MODEL_MANIFEST` for an invalid manifest or a name@version already registered from another folder
   */
  async addFolder(dir: string): Promise<ModelManifest> {
    const file = path.join(dir, 'manifest.json');
    const manifest = parseManifest(await readFile(file, 'utf8'), file);
    const key = modelLabel(manifest);
    const known = this.#models.get(key);
    if (known !== undefined && path.resolve(known.dir) !== path.resolve(dir)) {
      throw new ModelLoadError('MODEL_MANIFEST', file, `${key} is already registered from ${known.dir}`);
    }
    this.#models.set(key, { manifest, dir });
    return manifest;
  }

  /** Whether any version of a model is registered. */
  has(name: string): boolean {
    for (const m of this.#models.values()) if (m.manifest.name === name) return true;
    return false;
  }

  /** Every registered model, sorted by name then version. */
  list(): RegisteredModel[] {
    return [...this.#models.values()].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name) || compareSemver(a.manifest.version, b.manifest.version));
  }

  /**
   * The pinned version, or the newest registered one.
   * @throws ModelLoadError `MODEL_LOAD` when no such model is registered
   */
  resolve(ref: ModelRef): RegisteredModel {
    const candidates = this.list().filter((m) => m.manifest.name === ref.name && (ref.version === undefined || m.manifest.version === ref.version));
    const found = candidates[candidates.length - 1];
    if (found === undefined) {
      const known = this.list().map((m) => modelLabel(m.manifest));
      throw new ModelLoadError('MODEL_LOAD', `${ref.name}@${ref.version ?? 'latest'}`, `not registered (known: ${known.join(', ') || 'none'})`);
    }
    return found;
  }

  /**
   * Reads a variant's file, verifies its sha256, min_runtime and boundary against the manifest.
   * @throws ModelLoadError `MODEL_LOAD` (missing variant or file, sha256 or min_runtime failure) or `MODEL_MISMATCH` (boundary)
   */
  async loadVariant(ref: ModelRef, variant: LocalVariant = ref.variant ?? 'fp32'): Promise<LoadedVariant> {
    const { manifest, dir } = this.resolve(ref);
    const label = `${modelLabel(manifest)}#${variant}`;
    const spec = manifest.variants[variant];
    if (spec === undefined) throw new ModelLoadError('MODEL_LOAD', label, `variants.${variant}: the manifest has no such variant`);
    if (spec.min_runtime !== undefined && compareSemver(this.#runtimeVersion, spec.min_runtime) < 0) {
      throw new ModelLoadError('MODEL_LOAD', label, `variants.${variant}.min_runtime: needs onnxruntime ${spec.min_runtime}, this is ${this.#runtimeVersion}`);
    }
    const file = path.join(dir, spec.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (err) {
      throw new ModelLoadError('MODEL_LOAD', label, `variants.${variant}.file: cannot read ${file}`, { cause: err });
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== spec.sha256) {
      throw new ModelLoadError('MODEL_LOAD', label, `variants.${variant}.sha256: ${file} hashes to ${digest}, the manifest says ${spec.sha256}`);
    }
    const io = readModelIo(bytes, file);
    matchIo(label, 'inputs', manifest.inputs, io.inputs);
    matchIo(label, 'outputs', manifest.outputs, io.outputs);
    return { manifest, variant, spec, path: file, bytes, io };
  }
}
