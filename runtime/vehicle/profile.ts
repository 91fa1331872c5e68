/**
 * Reading a vehicle profile (YAML, the format of `vehicles/reference.yaml`): its shape is checked
 * here, key by key, and each problem names `file:line` and the fix; what the names mean (catalog
 * names, DBC messages and signals, units against the catalog's) is checked by `resolve.ts`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isMap, parseDocument, type YAMLMap } from 'yaml';
import { catalogSignal } from './catalog.js';
import { ExpressionSyntaxError, ProfileInvalidError } from './errors.js';
import { parseExpression, type Expression } from './expression.js';
import type { ProfileProblem } from './types.js';
import { UNITS, findUnit } from './units.js';
import {
  checkKeys, lineOf, mapField, numberField, pairsOf, problem, rawKeyOf, stringField, type FieldContext, type LocatedPair,
} from './yaml-fields.js';

/** The keys of one mapping under `signals:`. */
export const MAPPING_KEYS = [
  'message', 'pgn', 'signal', 'expression', 'someip', 'channel', 'unit', 'scale', 'offset', 'values', 'mux', 'timeout_ms', 'period_ms',
] as const;
export type MappingKey = (typeof MAPPING_KEYS)[number];
const ROOT_KEYS = ['vehicle', 'description', 'dbc', 'signals'] as const;
const SOMEIP_KEYS = ['service', 'event', 'field'] as const;

const DBC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_PERIOD_MS = 3_600_000;
const MAX_PGN = 0x3ffff;

/** One `values:` entry: a DBC raw value or VAL_ label, and the catalog value it stands for. */
export interface ProfileValue {
  readonly from: number | string;
  readonly to: number;
  readonly line: number;
}

/** One entry under `signals:` as written, each key with its line. */
export interface ProfileMapping {
  /** The catalog name (the entry's key). */
  readonly name: string;
  /** Line of the entry's key. */
  readonly line: number;
  /** Line of each key the entry has. */
  readonly lines: Readonly<Partial<Record<MappingKey, number>>>;
  readonly message?: string;
  readonly pgn?: number;
  readonly signal?: string;
  readonly expression?: { readonly text: string; readonly tree: Expression };
  readonly someip?: { readonly service: number; readonly event: number; readonly field: string };
  readonly channel?: string;
  /** The source unit as written (a spelling the unit table knows). */
  readonly unit?: string;
  readonly scale?: number;
  readonly offset?: number;
  readonly values?: readonly ProfileValue[];
  readonly mux?: number;
  readonly timeoutMs?: number;
  readonly periodMs?: number;
}

/** A profile whose shape is valid: not yet resolved against a DBC. */
export interface VehicleProfile {
  readonly file: string;
  readonly vehicle: string;
  readonly description?: string;
  /** `dbc:` as written, and resolved against the profile's folder. */
  readonly dbc?: string;
  readonly dbcPath?: string;
  readonly dbcLine?: number;
  readonly signals: readonly ProfileMapping[];
}

export interface ProfileParse {
  /** Undefined when the file is not a profile at all (YAML syntax, not a mapping, no `vehicle:`). */
  readonly profile: VehicleProfile | undefined;
  /** Every problem found, in line order. */
  readonly problems: readonly ProfileProblem[];
}

function unitFix(catalogName: string): string {
  const unit = catalogSignal(catalogName)?.unit;
  const dimension = unit !== undefined ? findUnit(unit)?.dimension : undefined;
  const same = dimension !== undefined && dimension !== 'none' ? UNITS.filter((u) => u.dimension === dimension).map((u) => u.symbol) : [];
  return same.length > 0 ? `use one of ${same.join(', ')}` : 'use a unit of the table, e.g. km/h, m/s^2, degC, bar, deg/s, V, A, percent';
}

function readExpression(ctx: FieldContext, p: LocatedPair, name: string): ProfileMapping['expression'] {
  const text = stringField(ctx, p, '"(WHL_SpeedFL + WHL_SpeedFR) / 2"', name);
  if (text === undefined) return undefined;
  try {
    return { text, tree: parseExpression(text) };
  } catch (err) {
    if (!(err instanceof ExpressionSyntaxError)) throw err;
    problem(ctx, p.line, `expression "${text}" does not parse: column ${err.column}: ${err.detail}`, 'write numbers, signal names of the message, + - * /, parentheses, min(a, b), max(a, b), abs(a)', name);
    return undefined;
  }
}

function readValues(ctx: FieldContext, p: LocatedPair, name: string): ProfileValue[] | undefined {
  const map = mapField(ctx, p, 'DBC value or VAL_ label: catalog value', 'write e.g. `values: {0: 0, 1: 1, FAULT: 0}`', name);
  if (!map) return undefined;
  const out: ProfileValue[] = [];
  for (const pair of map.items) {
    const from = rawKeyOf(pair);
    const located: LocatedPair = { key: `values.${String(from)}`, value: pair.value, line: lineOf(ctx, pair.key) ?? p.line };
    if (typeof from !== 'number' && typeof from !== 'string') {
      problem(ctx, located.line, `a key of \`values\` must be a DBC raw value or a VAL_ label`, 'write e.g. `values: {0: 0, ON: 1}`', name);
      continue;
    }
    const to = numberField(ctx, located, {}, '1', name);
    if (to !== undefined) out.push({ from, to, line: located.line });
  }
  return out;
}

function readSomeip(ctx: FieldContext, p: LocatedPair, name: string): ProfileMapping['someip'] {
  const map = mapField(ctx, p, 'service, event, field', 'write e.g. `someip: {service: 0x4001, event: 0x8001, field: temperature}`', name);
  if (!map) return undefined;
  const pairs = pairsOf(ctx, map);
  checkKeys(ctx, pairs, SOMEIP_KEYS, '`someip`', name);
  const get = (key: string): LocatedPair | undefined => pairs.find((q) => q.key === key);
  const id = (key: 'service' | 'event'): number | undefined => {
    const q = get(key);
    if (q) return numberField(ctx, q, { integer: true, min: 0, max: 0xffff }, '0x4001', name);
    problem(ctx, p.line, `\`someip\` needs \`${key}\` (the ${key} id)`, `add \`${key}: 0x...\` under \`someip\``, name);
    return undefined;
  };
  const service = id('service');
  const event = id('event');
  const fieldPair = get('field');
  const field = fieldPair ? stringField(ctx, fieldPair, 'temperature', name, DBC_NAME) : undefined;
  if (!fieldPair) problem(ctx, p.line, '`someip` needs `field` (the payload field, struct members joined by _)', 'add `field: NAME` under `someip`', name);
  return service !== undefined && event !== undefined && field !== undefined ? { service, event, field } : undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads one value of a mapping into `m` (left unset when the value is bad, which is reported). */
function readField(ctx: FieldContext, p: LocatedPair, name: string, m: Mutable<ProfileMapping>): void {
  switch (p.key as MappingKey) {
    case 'message':
      m.message = stringField(ctx, p, 'ESP_Brake', name, DBC_NAME);
      break;
    case 'signal':
      m.signal = stringField(ctx, p, 'BRK_VehicleSpeed', name, DBC_NAME);
      break;
    case 'pgn':
      m.pgn = numberField(ctx, p, { integer: true, min: 0, max: MAX_PGN }, '65265', name);
      break;
    case 'expression':
      m.expression = readExpression(ctx, p, name);
      break;
    case 'someip':
      m.someip = readSomeip(ctx, p, name);
      break;
    case 'channel':
      m.channel = stringField(ctx, p, 'can0', name);
      break;
    case 'unit': {
      const unit = stringField(ctx, p, 'km/h', name);
      if (unit !== undefined && findUnit(unit) === undefined) problem(ctx, p.line, `unknown unit "${unit}"`, unitFix(name), name);
      else m.unit = unit;
      break;
    }
    case 'scale':
      m.scale = numberField(ctx, p, { nonZero: true }, '0.1', name);
      break;
    case 'offset':
      m.offset = numberField(ctx, p, {}, '-40', name);
      break;
    case 'values':
      m.values = readValues(ctx, p, name);
      break;
    case 'mux':
      m.mux = numberField(ctx, p, { integer: true, min: 0 }, '3', name);
      break;
    case 'timeout_ms':
      m.timeoutMs = numberField(ctx, p, { min: 1, max: MAX_PERIOD_MS }, '500', name);
      break;
    case 'period_ms':
      m.periodMs = numberField(ctx, p, { min: 1, max: MAX_PERIOD_MS }, '100', name);
      break;
  }
}

/** Which source a mapping names must be exactly one: a DBC signal, an expression or a SOME/IP field. */
function checkSource(ctx: FieldContext, m: ProfileMapping, has: (k: MappingKey) => boolean): void {
  const n = m.name;
  const sources = (['signal', 'expression', 'someip'] as const).filter(has);
  if (sources.length === 0) {
    problem(ctx, m.line, 'no source: the mapping names no `signal`, `expression` or `someip`', 'add `message:` and `signal:` (the DBC message and signal carrying it)', n);
  } else if (sources.length > 1) {
    problem(ctx, m.lines[sources[1] as MappingKey], `\`${sources.join('` and `')}\` given together; a mapping has one source`, `keep one of ${sources.map((s) => `\`${s}\``).join(', ')}`, n);
  }
  if (has('someip')) {
    for (const k of ['message', 'pgn', 'mux'] as const) if (has(k)) problem(ctx, m.lines[k], `\`${k}\` does not apply to a SOME/IP source`, `remove \`${k}\``, n);
    return;
  }
  if (has('message') && has('pgn')) problem(ctx, m.lines.pgn, '`message` and `pgn` given together', 'keep one: `message` names the DBC message, `pgn` finds it by J1939 PGN', n);
  if (sources.length > 0 && !has('message') && !has('pgn')) problem(ctx, m.line, 'no message: a DBC source needs `message` (or `pgn` for J1939)', 'add `message: NAME` with the DBC message that carries the signal', n);
  if (has('values') && (has('scale') || has('offset') || has('unit') || has('expression'))) {
    problem(ctx, m.lines.values, '`values` maps DBC values to catalog values directly; it cannot be combined with `scale`, `offset`, `unit` or `expression`', 'keep `values` alone, or drop it', n);
  }
}

function readMapping(ctx: FieldContext, p: LocatedPair): ProfileMapping | undefined {
  const map = mapField(ctx, p, 'message, signal, ...', 'write `message:` and `signal:` under it', p.key);
  if (!map) return undefined;
  const pairs = pairsOf(ctx, map);
  checkKeys(ctx, pairs, MAPPING_KEYS, `the mapping of ${p.key}`, p.key);
  const lines: Partial<Record<MappingKey, number>> = {};
  const m: Mutable<ProfileMapping> = { name: p.key, line: p.line, lines };
  const before = ctx.problems.length;
  for (const q of pairs) {
    if (!(MAPPING_KEYS as readonly string[]).includes(q.key)) continue;
    lines[q.key as MappingKey] = q.line;
    readField(ctx, q, p.key, m);
  }
  checkSource(ctx, m, (k) => lines[k] !== undefined);
  // A mapping with any problem is left out: resolving half of it would report its gaps twice.
  return ctx.problems.length === before ? m : undefined;
}

function readRoot(ctx: FieldContext, root: YAMLMap): VehicleProfile | undefined {
  const pairs = pairsOf(ctx, root);
  checkKeys(ctx, pairs, ROOT_KEYS, 'the profile');
  const get = (key: string): LocatedPair | undefined => pairs.find((q) => q.key === key);
  const vehiclePair = get('vehicle');
  const vehicle = vehiclePair ? stringField(ctx, vehiclePair, 'my-car') : undefined;
  if (!vehiclePair) problem(ctx, 1, 'no `vehicle:` (the vehicle\'s name)', 'add `vehicle: my-car` at the top');
  const descriptionPair = get('description');
  const description = descriptionPair ? stringField(ctx, descriptionPair, '"2021 test car, powertrain bus"') : undefined;
  const dbcPair = get('dbc');
  const dbc = dbcPair ? stringField(ctx, dbcPair, 'car.dbc') : undefined;
  const signalsPair = get('signals');
  const signals: ProfileMapping[] = [];
  if (!signalsPair) problem(ctx, 1, 'no `signals:` (catalog name: source)', 'add `signals:` with one entry per catalog signal this vehicle has');
  // `signals:` with nothing under it is an empty profile, as a fresh draft is.
  const signalsNode = signalsPair?.value;
  const empty = signalsNode === null || (signalsNode as { value?: unknown } | undefined)?.value === null;
  if (signalsPair && !empty) {
    const map = mapField(ctx, signalsPair, 'catalog name: source', 'write one `Vehicle.Name: {message: ..., signal: ...}` per line under `signals:`');
    for (const q of map ? pairsOf(ctx, map) : []) {
      const m = readMapping(ctx, q);
      if (m) signals.push(m);
    }
  }
  if (vehicle === undefined) return undefined;
  const dbcPath = dbc !== undefined ? path.resolve(path.dirname(ctx.file), dbc) : undefined;
  return {
    file: ctx.file,
    vehicle,
    ...(description !== undefined ? { description } : {}),
    ...(dbc !== undefined && dbcPath !== undefined && dbcPair ? { dbc, dbcPath, dbcLine: dbcPair.line } : {}),
    signals,
  };
}

/** The first line of a YAML error without the position the problem line already gives. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? 'syntax error').replace(/ at line \d+, column \d+:?$/, '');
}

const byLine = (a: ProfileProblem, b: ProfileProblem): number => (a.line ?? 0) - (b.line ?? 0);

/**
 * Reads a profile's text. Never throws for bad input: every problem is in `problems`.
 * @param file - names the profile in problems, and is the folder `dbc:` is relative to.
 */
export function parseProfile(text: string, file: string): ProfileParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const ctx: FieldContext = { file, lines, problems: [] };
  for (const e of doc.errors) {
    const at = e.linePos?.[0];
    problem(ctx, at?.line, `YAML: ${yamlMessage(e.message)}${at ? ` (column ${at.col})` : ''}`, 'fix the YAML syntax (indentation, a missing ":" or quote)');
  }
  if (doc.errors.length > 0) return { profile: undefined, problems: ctx.problems };
  if (!isMap(doc.contents)) {
    problem(ctx, lineOf(ctx, doc.contents) ?? 1, 'the profile is not a mapping of `vehicle:`, `dbc:` and `signals:`', 'start from `ecu-ai vehicle init --dbc YOUR.dbc`');
    return { profile: undefined, problems: ctx.problems };
  }
  const profile = readRoot(ctx, doc.contents);
  return { profile, problems: [...ctx.problems].sort(byLine) };
}

/**
 * Reads and checks a profile file's shape.
 * @throws {ProfileInvalidError} listing every problem, each `file:line: message (fix: ...)`.
 * @throws {Error} from the file system (ENOENT, ...) when the file cannot be read.
 */
export async function readProfile(file: string): Promise<VehicleProfile> {
  const { profile, problems } = parseProfile(await readFile(file, 'utf8'), file);
  if (!profile || problems.length > 0) throw new ProfileInvalidError(file, problems);
  return profile;
}
