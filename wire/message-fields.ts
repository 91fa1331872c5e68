/**
 * Field readers for decoded protobuf messages. A decoded message of random bytes can hold anything
 * the wire types allow, so every field is read through a check that names the message and field.
 */
import { CloudError } from './errors.js';

/** A decoded protobuf message seen as an untyped record (absent fields read their defaults). */
export type Decoded = Readonly<Record<string, unknown>>;

const ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

export function payloadError(where: string, detail: string, cause?: unknown): CloudError {
  return new CloudError('CLOUD_PAYLOAD', where, detail, cause === undefined ? undefined : { cause });
}

export function str(m: Decoded, field: string, where: string, opts: { required?: boolean; max?: number } = {}): string {
  const v = m[field];
  const s = typeof v === 'string' ? v : '';
  if (opts.required && s.length === 0) throw payloadError(where, `field ${field} is missing`);
  if (s.length > (opts.max ?? 1024)) throw payloadError(where, `field ${field} is ${s.length} characters, more than ${opts.max ?? 1024}`);
  return s;
}

/** An identifier usable in a topic level or a file name: no '/', '+', '#', no path tricks. */
export function ident(m: Decoded, field: string, where: string): string {
  const s = str(m, field, where, { required: true, max: 128 });
  if (!ID_RE.test(s) || s === '.' || s === '..') throw payloadError(where, `field ${field} "${s}" is not an identifier ([A-Za-z0-9_.:-], 1 to 128)`);
  return s;
}

export function num(m: Decoded, field: string, where: string): number {
  const v = m[field];
  const n = typeof v === 'number' ? v : 0;
  if (!Number.isFinite(n)) throw payloadError(where, `field ${field} is ${n}, not a finite number`);
  return n;
}

export function bytes(m: Decoded, field: string, where: string, opts: { min?: number; max?: number } = {}): Uint8Array {
  const v = m[field];
  const b = v instanceof Uint8Array ? v : new Uint8Array(0);
  if (b.length < (opts.min ?? 0)) throw payloadError(where, `field ${field} has ${b.length} bytes, fewer than ${opts.min ?? 0}`);
  if (b.length > (opts.max ?? 1 << 20)) throw payloadError(where, `field ${field} has ${b.length} bytes, more than ${opts.max ?? 1 << 20}`);
  // Copy out of the receive buffer so a kept value does not pin the whole packet.
  return Uint8Array.from(b);
}

export function list(m: Decoded, field: string, where: string, max: number): readonly Decoded[] {
  const v = m[field];
  const a = Array.isArray(v) ? (v as unknown[]) : [];
  if (a.length > max) throw payloadError(where, `field ${field} has ${a.length} entries, more than ${max}`);
  return a.map((x, i) => {
    if (typeof x !== 'object' || x === null) throw payloadError(where, `field ${field}[${i}] is not a message`);
    return x as Decoded;
  });
}

/** A repeated identifier field (see {@link ident}), at most `max` entries. */
export function idents(m: Decoded, field: string, where: string, max: number): readonly string[] {
  const v = m[field];
  const a = Array.isArray(v) ? (v as unknown[]) : [];
  if (a.length > max) throw payloadError(where, `field ${field} has ${a.length} entries, more than ${max}`);
  return a.map((x, i) => ident({ [field]: x }, field, `${where} ${field}[${i}]`));
}

export function numbers(m: Decoded, field: string, where: string, max: number): readonly number[] {
  const v = m[field];
  const a = Array.isArray(v) ? (v as unknown[]) : [];
  if (a.length > max) throw payloadError(where, `field ${field} has ${a.length} entries, more than ${max}`);
  return a.map((x, i) => {
    if (typeof x !== 'number') throw payloadError(where, `field ${field}[${i}] is not a number`);
    return x;
  });
}

/** Rejects every schema version but the one this build speaks; 0 means the field was absent. */
export function checkVersion(m: Decoded, where: string, expected: number): void {
  const v = m['schemaVersion'];
  if (v !== expected) throw payloadError(where, `schema_version ${String(v ?? 0)} is not supported (this build reads ${expected})`);
}
