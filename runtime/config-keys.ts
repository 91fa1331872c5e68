/**
 * Help for a misspelt config key: the keys a schema accepts at a path, and the nearest of them to
 * what was written (edit distance), so "deadline_msx" is answered with "did you mean deadline_ms".
 */
import type { ZodType } from 'zod';

interface ZodDefLike {
  readonly type: string;
  readonly shape?: Readonly<Record<string, ZodType>>;
  readonly innerType?: ZodType;
  readonly valueType?: ZodType;
  readonly in?: ZodType;
  readonly options?: readonly ZodType[];
  readonly element?: ZodType;
}

function defOf(schema: ZodType): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

/** The object schemas a value at `path` may be checked against (a union gives several). */
function objectsAt(schema: ZodType, path: readonly PropertyKey[]): ZodDefLike[] {
  const def = defOf(schema);
  if (def.innerType && (def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly' || def.type === 'catch')) {
    return objectsAt(def.innerType, path);
  }
  if (def.type === 'pipe' && def.in) return objectsAt(def.in, path);
  if (def.type === 'union' && def.options) return def.options.flatMap((o) => objectsAt(o, path));
  if (path.length === 0) return def.type === 'object' ? [def] : [];
  const [head, ...rest] = path;
  if (def.type === 'object' && def.shape && typeof head === 'string') {
    const next = def.shape[head];
    return next ? objectsAt(next, rest) : [];
  }
  if (def.type === 'record' && def.valueType) return objectsAt(def.valueType, rest);
  if (def.type === 'array' && def.element) return objectsAt(def.element, rest);
  return [];
}

/** The keys the schema accepts for an object at `path` (empty when unknown). */
export function knownKeysAt(schema: ZodType, path: readonly PropertyKey[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((d) => Object.keys(d.shape ?? {})))].sort();
}

/** Levenshtein distance, for short keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number;
      row[j] = Math.min(up + 1, (row[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] as number;
}

/** The known key nearest to `key`, when it is near enough to be a slip (at most a third of its letters). */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
