/**
 * A model's manifest (`manifest.json` beside its .onnx files): what it is, which domain runs it, its
 * declared boundary, and its variants with their checksums and profiled costs. Validated with zod;
 * every problem is reported with its path (`variants.int8.sha256`).
 */
import { z } from 'zod';
import { ModelLoadError } from '../errors.js';
import { jsonErrorOffset } from './json-locate.js';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export const TENSOR_DTYPES = ['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'int64', 'bool'] as const;

const dimSchema = z.union([z.number().int().min(-1), z.string().min(1)]);

const tensorSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.enum(TENSOR_DTYPES),
  /** -1 or a symbolic name marks a dimension fixed at run time (the batch). */
  shape: z.array(dimSchema),
});

const costSchema = z
  .strictObject({ p50: z.number().nonnegative(), p99: z.number().nonnegative() })
  .refine((c) => c.p99 >= c.p50, { message: 'p99 must not be below p50' });

const localVariantSchema = z.strictObject({
  file: z
    .string()
    .min(1)
    .refine((f) => !f.startsWith('/') && !f.split(/[\\/]/).includes('..'), { message: 'must be a path inside the model folder' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  /** Profiled on the target, as measured: the scheduler's cost model. */
  cost_ms: costSchema,
  /** Oldest onnxruntime version that runs this file. */
  min_runtime: z.string().regex(SEMVER, 'must be a semver version').optional(),
});

const cloudVariantSchema = z.strictObject({
  cost_ms: costSchema,
  /** The model name the cloud workers serve, when it differs. */
  remote_model: z.string().min(1).optional(),
});

export const manifestSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"'),
  version: z.string().regex(SEMVER, 'must be a semver version (1.2.3)'),
  domain: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a domain name such as "adas"'),
  description: z.string().optional(),
  inputs: z.array(tensorSchema).min(1),
  outputs: z.array(tensorSchema).min(1),
  variants: z
    .strictObject({ fp32: localVariantSchema.optional(), int8: localVariantSchema.optional(), cloud: cloudVariantSchema.optional() })
    .refine((v) => v.fp32 !== undefined || v.int8 !== undefined, { message: 'needs a local variant (fp32 or int8)' }),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type TensorSpec = z.infer<typeof tensorSchema>;
export type LocalVariantSpec = z.infer<typeof localVariantSchema>;
export { LOCAL_VARIANTS, type LocalVariant } from './dims.js';

/** 1-based line and column of a character offset. */
function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos).split('\n');
  return `${before.length}:${(before[before.length - 1]?.length ?? 0) + 1}`;
}

/**
 * Parses and validates a manifest's JSON text.
 * @param source names the file in errors
 * @throws ModelLoadError `MODEL_MANIFEST` naming file:line:column for bad JSON, or every invalid field path
 */
export function parseManifest(text: string, source: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const pos = jsonErrorOffset(text);
    const where = pos === undefined ? source : `${source}:${lineCol(text, pos)}`;
    throw new ModelLoadError('MODEL_MANIFEST', where, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ModelLoadError('MODEL_MANIFEST', source, `invalid manifest:\n  ${issues.join('\n  ')}`, { cause: r.error });
  }
  return r.data;
}

/** Orders semver versions (pre-releases before their release); enough for picking the newest. */
export function compareSemver(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa?.[i] ?? 0) - Number(pb?.[i] ?? 0);
    if (d !== 0) return d;
  }
  const preA = a.includes('-') ? (a.split('-')[1] ?? '') : '';
  const preB = b.includes('-') ? (b.split('-')[1] ?? '') : '';
  if (preA === preB) return 0;
  if (preA === '') return 1;
  if (preB === '') return -1;
  return preA < preB ? -1 : 1;
}
