/**
 * A domain's model contract as `ecu-ai models describe` gives it: what the window holds, every
 * entry of the input vector, what each output value means and how it is read, and the manifest a
 * model folder needs. The manifest's fields are listed from the schema the registry validates with
 * (`manifestSchema`), so a field added there shows up here, and a test asks that each is explained.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { manifestSchema, parseManifest, type ModelManifest } from '../runtime/inference/index.js';
import type { DomainDefinition } from '../runtime/service/domain.js';
import type { ContractFeature, ContractOutput } from '../runtime/service/model-contract.js';
import { bundledModels } from './paths.js';

export interface ManifestField {
  readonly field: string;
  readonly required: boolean;
  readonly rule: string;
}

export interface ContractView {
  readonly domain: string;
  readonly description: string;
  readonly rate_hz: number;
  readonly deadline_ms: number;
  readonly criticality: string;
  /** The model name a folder must carry to replace the shipped one (or `domains.NAME.model`). */
  readonly model: string;
  readonly shipped: { readonly name: string; readonly version: string; readonly input_name: string; readonly output_name: string } | null;
  readonly window: { readonly signals: readonly string[]; readonly rate_hz: number; readonly length: number; readonly seconds: number };
  readonly input: { readonly dtype: 'float32'; readonly shape: readonly [1, number]; readonly features: readonly (ContractFeature & { readonly index: number })[] };
  readonly output: { readonly dtype: 'float32'; readonly shape: readonly [1, number]; readonly values: readonly (ContractOutput & { readonly index: number })[]; readonly interpretation: string };
  readonly manifest: readonly ManifestField[];
  /** What loading checks beyond the manifest's own fields. */
  readonly checks: readonly string[];
}

/** Why each manifest field is there and what it must hold, by its path in the schema. */
function fieldRules(def: DomainDefinition, outputs: number): Readonly<Record<string, string>> {
  return {
    name: `lowercase letters, digits, ".", "_" or "-"; "${def.model}" replaces the shipped model (another name: set domains.${def.domain}.model to it)`,
    version: 'semver (1.0.0); the newest version of the name in the folder runs',
    domain: `"${def.domain}"`,
    description: 'free text',
    inputs: `exactly one: { "name": the graph input's name, "dtype": "float32", "shape": [1, ${def.featureSize}] } (-1 or a name for the batch)`,
    outputs: `the graph's outputs, each { "name", "dtype", "shape" }; the first is read: float32 [1, ${outputs}] or more values`,
    variants: 'fp32 and/or int8 (at least one local variant); cloud optional',
    'variants.fp32': 'the full-precision file',
    'variants.int8': 'a quantised file (ecu-ai models quantize writes it); same boundary as fp32',
    'variants.cloud': 'a comfort domain may be served by the cloud workers at this modelled cost',
    'variants.*.file': 'path inside the model folder (fp32.onnx, int8.onnx)',
    'variants.*.sha256': "the file's sha256, 64 lowercase hex digits (sha256sum)",
    'variants.*.cost_ms': '{ "p50", "p99" } ms per inference as profiled on the target, p99 ≥ p50: the scheduler and admission use it',
    'variants.*.min_runtime': 'oldest onnxruntime version that runs the file (1.14.0)',
    'variants.cloud.cost_ms': '{ "p50", "p99" } ms, the modelled round trip',
    'variants.cloud.remote_model': 'the model name the cloud workers serve, when it differs',
  };
}

type Shape = Record<string, z.ZodType>;
const shapeOf = (t: z.ZodType): Shape => ((t as unknown as { unwrap?: () => z.ZodType }).unwrap?.() as unknown as { shape: Shape } | undefined)?.shape ?? (t as unknown as { shape: Shape }).shape;

/** Every manifest field the schema knows, with whether it is required and its rule for this domain. */
export function manifestFields(def: DomainDefinition, outputs: number): ManifestField[] {
  const rules = fieldRules(def, outputs);
  const rule = (k: string, generic?: string): string => rules[k] ?? (generic ? rules[generic] : undefined) ?? '(see runtime/inference/manifest.ts)';
  const out: ManifestField[] = [];
  for (const [key, t] of Object.entries(manifestSchema.shape as unknown as Shape)) {
    out.push({ field: key, required: !t.isOptional(), rule: rule(key) });
    if (key !== 'variants') continue;
    for (const [variant, vt] of Object.entries(shapeOf(t))) {
      out.push({ field: `variants.${variant}`, required: false, rule: rule(`variants.${variant}`) });
      for (const [field, ft] of Object.entries(shapeOf(vt))) {
        out.push({ field: `variants.${variant}.${field}`, required: !ft.isOptional(), rule: rule(`variants.${variant}.${field}`, `variants.*.${field}`) });
      }
    }
  }
  return out;
}

function shippedManifest(model: string): ModelManifest | undefined {
  const file = path.join(bundledModels, model, 'manifest.json');
  return existsSync(file) ? parseManifest(readFileSync(file, 'utf8'), file) : undefined;
}

/** @throws {Error} when the definition declares no model contract */
export function contractView(def: DomainDefinition): ContractView {
  const c = def.modelContract;
  if (c === undefined) throw new Error(`domain ${def.domain} declares no model contract (modelContract in its definition)`);
  const shipped = shippedManifest(def.model);
  return {
    domain: def.domain,
    description: def.description,
    rate_hz: def.rateHz,
    deadline_ms: def.deadlineMs,
    criticality: def.criticality,
    model: def.model,
    shipped: shipped ? { name: shipped.name, version: shipped.version, input_name: shipped.inputs[0]?.name ?? '', output_name: shipped.outputs[0]?.name ?? '' } : null,
    window: { signals: def.window.signals, rate_hz: def.window.rateHz, length: def.window.length, seconds: def.window.length / def.window.rateHz },
    input: { dtype: 'float32', shape: [1, def.featureSize], features: c.features.map((f, index) => ({ index, ...f })) },
    output: { dtype: 'float32', shape: [1, c.outputs.length], values: c.outputs.map((o, index) => ({ index, ...o })), interpretation: c.interpretation },
    manifest: manifestFields(def, c.outputs.length),
    checks: [
      'each variant file hashes to its sha256',
      "the file's graph inputs and outputs (names, dtypes, shapes) are those the manifest declares",
      `the input fits the domain: one float32 tensor [1, ${def.featureSize}] (a dynamic batch is fed 1)`,
      `the first output gives at least ${c.outputs.length} values for one input row`,
      'min_runtime is not newer than the onnxruntime that runs it',
    ],
  };
}
