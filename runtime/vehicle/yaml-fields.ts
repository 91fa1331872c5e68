/**
 * Reading typed fields out of a YAML mapping node while keeping the line of every key, so each
 * problem in a profile can name `file:line`. The helpers report problems into a shared list and
 * return undefined for a bad value, so one pass finds every problem instead of stopping at the first.
 */
import { isMap, isScalar, type LineCounter, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { nearestKey } from '../config-keys.js';
import type { ProfileProblem } from './types.js';

/** Where problems go while one file is read. */
export interface FieldContext {
  readonly file: string;
  readonly lines: LineCounter;
  readonly problems: ProfileProblem[];
}

/** One key of a mapping with its value node and the 1-based line of the key. */
export interface LocatedPair {
  readonly key: string;
  readonly value: unknown;
  readonly line: number;
}

/** The 1-based line a node starts on, or undefined for a node without a range. */
export function lineOf(ctx: FieldContext, node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? ctx.lines.linePos(range[0]).line : undefined;
}

/** The pairs of a mapping node, keys as strings (YAML lets `0:` be a number key). */
export function pairsOf(ctx: FieldContext, map: YAMLMap): LocatedPair[] {
  return map.items.map((p: Pair) => {
    const keyNode = p.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    return { key, value: p.value, line: lineOf(ctx, keyNode) ?? lineOf(ctx, map) ?? 1 };
  });
}

export function problem(ctx: FieldContext, line: number | undefined, message: string, fix?: string, signal?: string): void {
  ctx.problems.push({ file: ctx.file, ...(line !== undefined ? { line } : {}), ...(signal !== undefined ? { signal } : {}), message, ...(fix !== undefined ? { fix } : {}) });
}

/** Reports keys a mapping may not hold, with the nearest allowed key as the fix. */
export function checkKeys(ctx: FieldContext, pairs: readonly LocatedPair[], allowed: readonly string[], where: string, signal?: string): void {
  for (const p of pairs) {
    if (allowed.includes(p.key)) continue;
    const near = nearestKey(p.key, allowed);
    problem(ctx, p.line, `unknown key "${p.key}" in ${where}`, near !== undefined ? `did you mean "${near}"?` : `the keys here are ${allowed.join(', ')}`, signal);
  }
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

const show = (node: unknown): string => {
  const v = scalarValue(node);
  if (isMap(v)) return 'a mapping';
  if (v === null || v === undefined) return 'nothing';
  return typeof v === 'object' ? 'a list' : JSON.stringify(v);
};

/** A string value; reports and returns undefined for anything else (a number, nothing, a list). */
export function stringField(ctx: FieldContext, p: LocatedPair, example: string, signal?: string, pattern?: RegExp): string | undefined {
  const v = scalarValue(p.value);
  if (typeof v === 'string' && v.trim() !== '' && (pattern === undefined || pattern.test(v))) return v;
  problem(ctx, p.line, `\`${p.key}\` must be ${pattern ? 'a name of letters, digits and _' : 'a text'}, not ${show(p.value)}`, `write e.g. \`${p.key}: ${example}\``, signal);
  return undefined;
}

export interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** The value may not be 0 (a scale of 0 would erase the signal). */
  readonly nonZero?: boolean;
}

/** A finite number within the rule's range; reports and returns undefined otherwise. */
export function numberField(ctx: FieldContext, p: LocatedPair, rule: NumberRule, example: string, signal?: string): number | undefined {
  const v = scalarValue(p.value);
  const n = typeof v === 'number' ? v : undefined;
  const kind = rule.integer ? 'a whole number' : 'a number';
  const range = rule.min !== undefined && rule.max !== undefined ? ` from ${rule.min} to ${rule.max}` : rule.min !== undefined ? ` of at least ${rule.min}` : '';
  const ok =
    n !== undefined && Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max) && (!rule.nonZero || n !== 0);
  if (ok) return n;
  problem(ctx, p.line, `\`${p.key}\` must be ${kind}${range}${rule.nonZero ? ', not 0' : ''}; found ${show(p.value)}`, `write e.g. \`${p.key}: ${example}\``, signal);
  return undefined;
}

/** The mapping node of a value, or undefined after reporting that it is not one. */
export function mapField(ctx: FieldContext, p: LocatedPair, what: string, fix: string, signal?: string): YAMLMap | undefined {
  if (isMap(p.value)) return p.value;
  problem(ctx, p.line, `\`${p.key}\` must be a mapping (${what}), not ${show(p.value)}`, fix, signal);
  return undefined;
}

/** The raw key of a pair in a mapping whose keys may be numbers (`values: {0: 1, OFF: 0}`). */
export function rawKeyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}
