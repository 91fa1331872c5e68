/**
 * Resolving a profile against one vehicle's DBC: each mapping's catalog name, message (by name or
 * J1939 PGN, any source address), signals, multiplexer value, units and value table are checked,
 * and each good mapping becomes a `ResolvedSignal` with its transform. Every problem is collected,
 * each naming the profile line and the fix; a mapping with a problem is left out, so no domain ever
 * reads a signal taken from the wrong place.
 */
import { j1939Messages, type DbcDatabase, type DbcMessage, type DbcSignal } from '../../bus/dbc/index.js';
import { pgnOfId } from '../../bus/j1939/index.js';
import { nearestKey } from '../config-keys.js';
import { catalogSignal, nearestCatalogName } from './catalog.js';
import { IncompatibleUnitsError } from './errors.js';
import { expressionSignals } from './expression.js';
import type { ProfileMapping, VehicleProfile } from './profile.js';
import { buildInverse, buildTransform, type TransformSpec, type ValueTable } from './transform.js';
import type { CatalogSignal, ProfileProblem, ResolvedProfile, ResolvedSignal } from './types.js';
import { UNITS, findUnit, unitConversion, type UnitConversion } from './units.js';

export interface ResolveOptions {
  /** Names the DBC in problems (its path). */
  readonly dbcName?: string;
}

export interface ProfileResolution {
  readonly profile: ResolvedProfile;
  /** Every problem, in profile order; empty when every mapping resolved. */
  readonly problems: readonly ProfileProblem[];
}

/** The pseudo-message a SOME/IP event feeds, as `runtime/someip/signal-source.ts` names it. */
export function someipMessageName(service: number, event: number): string {
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
  return `SOMEIP_${hex(service)}_${hex(event)}`;
}

class MappingProblems {
  readonly list: ProfileProblem[] = [];
  constructor(
    readonly file: string,
    readonly dbcName: string,
  ) {}

  add(m: ProfileMapping, line: number | undefined, message: string, fix: string): void {
    this.list.push({ file: this.file, line: line ?? m.line, signal: m.name, message, fix });
  }
}

const listSome = (names: readonly string[], n = 8): string => (names.length > n ? `${names.slice(0, n).join(', ')}, ...` : names.join(', '));

function parameterGroup(db: DbcDatabase, pgn: number): DbcMessage | undefined {
  // The DBC's own J1939 declaration first; a J1939 DBC without the attributes has only extended ids.
  const declared = j1939Messages(db).find((m) => pgnOfId(m.id) === pgn);
  return declared ?? j1939Messages(db, { allExtended: true }).find((m) => pgnOfId(m.id) === pgn);
}

function findMessage(db: DbcDatabase, m: ProfileMapping, out: MappingProblems): DbcMessage | undefined {
  if (m.pgn !== undefined) {
    const found = parameterGroup(db, m.pgn);
    if (!found) out.add(m, m.lines.pgn, `no J1939 parameter group with PGN ${m.pgn} (0x${m.pgn.toString(16).toUpperCase()}) in ${out.dbcName}`, `check the PGN with \`ecu-ai dbc show ${out.dbcName}\``);
    return found;
  }
  const name = m.message as string;
  const found = db.messageByName(name);
  if (found) return found;
  const near = nearestKey(name, db.messages.map((x) => x.name));
  out.add(m, m.lines.message, `no message "${name}" in ${out.dbcName}`, near !== undefined ? `did you mean \`message: ${near}\`?` : `use a message of the DBC (\`ecu-ai dbc show ${out.dbcName}\` lists them)`);
  return undefined;
}

function findSignals(message: DbcMessage, names: readonly string[], m: ProfileMapping, out: MappingProblems): DbcSignal[] | undefined {
  const found: DbcSignal[] = [];
  const line = m.lines.signal ?? m.lines.expression;
  for (const name of names) {
    const s = message.signals.find((x) => x.name === name);
    if (s) {
      found.push(s);
      continue;
    }
    const all = message.signals.map((x) => x.name);
    const near = nearestKey(name, all);
    const other = m.expression ? ' (an expression reads signals of its own message only)' : '';
    out.add(m, line, `message ${message.name} has no signal "${name}"${other}`, near !== undefined ? `did you mean ${near}?` : `its signals are ${listSome(all)}`);
  }
  return found.length === names.length ? found : undefined;
}

/** The multiplexer value the mapping's signals are sent under, checked against the DBC. */
function checkMux(signals: readonly DbcSignal[], m: ProfileMapping, out: MappingProblems): boolean {
  const multiplexed = signals.filter((s) => s.multiplexerIds !== undefined);
  if (multiplexed.length === 0) {
    if (m.mux === undefined) return true;
    out.add(m, m.lines.mux, `\`mux: ${m.mux}\` given, but ${signals.map((s) => s.name).join(', ')} is not multiplexed`, 'remove `mux`');
    return false;
  }
  let ok = true;
  for (const s of multiplexed) {
    const ids = s.multiplexerIds as readonly number[];
    const switchName = s.multiplexerSignal ?? 'its multiplexer';
    if (m.mux === undefined) {
      out.add(m, m.lines.signal ?? m.lines.expression, `${s.name} is multiplexed (sent only when ${switchName} is ${listSome(ids.map(String))}); the mapping does not say which value carries it`, `add \`mux: ${ids[0]}\``);
      ok = false;
    } else if (!ids.includes(m.mux)) {
      out.add(m, m.lines.mux, `${s.name} is not sent when ${switchName} is ${m.mux} (it is sent when ${switchName} is ${listSome(ids.map(String))})`, `write \`mux: ${ids[0]}\``);
      ok = false;
    }
  }
  return ok;
}

/** The units of a dimension, as a list in words: `K, degC or degF`. */
function unitsOf(dimension: string): string {
  const all = UNITS.filter((u) => u.dimension === dimension).map((u) => u.symbol);
  return all.length > 1 ? `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}` : all.join('');
}

/** The source unit of the mapping: `unit:`, else the DBC's (one unit shared by an expression's operands). */
function sourceUnit(signals: readonly DbcSignal[], m: ProfileMapping, target: CatalogSignal, out: MappingProblems): string | null | undefined {
  if (m.unit !== undefined) return m.unit;
  // `-`, `none` and the like say the same as no unit.
  const written = [...new Set(signals.map((s) => s.unit.trim()).filter((u) => u !== '' && findUnit(u)?.dimension !== 'none'))];
  if (written.length === 0) return null;
  const unknown = written.find((u) => findUnit(u) === undefined);
  if (unknown !== undefined) {
    out.add(m, m.lines.signal ?? m.lines.expression, `the DBC's unit "${unknown}" is not in the unit table`, `add \`unit: ${target.unit}\` if the values are in ${target.unit}, or the unit they are in`);
    return undefined;
  }
  const symbols = [...new Set(written.map((u) => findUnit(u)?.symbol))];
  if (symbols.length > 1) {
    out.add(m, m.lines.expression, `the expression's signals have different units (${written.join(', ')})`, 'convert them in the expression and give `unit:` for its result');
    return undefined;
  }
  return written[0] as string;
}

/** The conversion into the catalog unit; undefined after a problem, null when none applies. */
function conversionFor(signals: readonly DbcSignal[], m: ProfileMapping, target: CatalogSignal, out: MappingProblems): UnitConversion | null | undefined {
  // A dimensionless catalog signal (a flag, an enum, an id) takes the value as it is, whatever the DBC calls its unit.
  if (target.unit === '') {
    if (m.unit === undefined || findUnit(m.unit)?.dimension === 'none') return null;
    out.add(m, m.lines.unit, `${m.name} has no unit, but \`unit: ${m.unit}\` is given`, 'remove `unit`');
    return undefined;
  }
  const from = sourceUnit(signals, m, target, out);
  // A DBC that gives no unit: the values are taken to be in the catalog's unit.
  if (from === undefined || from === null) return from;
  try {
    return unitConversion(from, target.unit);
  } catch (err) {
    if (!(err instanceof IncompatibleUnitsError)) throw err;
    const dimension = findUnit(target.unit)?.dimension ?? '';
    const fix = m.unit !== undefined ? `write the unit the values are really in (${unitsOf(dimension)} convert to ${target.unit})` : `map a signal in ${unitsOf(dimension)}, or give \`unit:\` when the DBC's unit is wrong`;
    out.add(m, m.lines.unit ?? m.lines.signal ?? m.lines.expression, `${err.message}: ${m.name} is in ${target.unit}`, fix);
    return undefined;
  }
}

function valueTable(signal: DbcSignal, m: ProfileMapping, out: MappingProblems): ValueTable | undefined {
  const byRaw = new Map<number, number>();
  const byLabel = new Map<string, number>();
  const labels = new Map([...signal.choices].map(([raw, label]) => [label, raw]));
  let ok = true;
  for (const v of m.values ?? []) {
    const raw = typeof v.from === 'number' ? v.from : labels.get(v.from);
    if (raw === undefined) {
      const known = [...labels.keys()];
      out.add(m, v.line, `${signal.name} has no value named "${v.from}"`, known.length > 0 ? `its values are ${listSome(known)}` : 'write the raw value (the DBC names none)');
      ok = false;
      continue;
    }
    byRaw.set(raw, v.to);
    const label = signal.choices.get(raw);
    if (label !== undefined) byLabel.set(label, v.to);
  }
  return ok ? { byRaw, byLabel, dbcScale: signal.scale, dbcOffset: signal.offset } : undefined;
}

function finish(m: ProfileMapping, message: string, signals: readonly string[], spec: TransformSpec, file: string, muxValue?: number): ResolvedSignal {
  const inverse = buildInverse(spec);
  return Object.freeze({
    name: m.name,
    message,
    signals: Object.freeze([...signals]),
    ...(m.channel !== undefined ? { channel: m.channel } : {}),
    ...(m.periodMs !== undefined ? { periodMs: m.periodMs } : {}),
    ...(m.timeoutMs !== undefined ? { timeoutMs: m.timeoutMs } : {}),
    ...(muxValue !== undefined ? { muxValue } : {}),
    transform: buildTransform(spec),
    ...(inverse ? { inverse } : {}),
    file,
    line: m.line,
  });
}

function resolveSomeip(m: ProfileMapping, target: CatalogSignal, out: MappingProblems, file: string): ResolvedSignal | undefined {
  const { service, event, field } = m.someip as NonNullable<ProfileMapping['someip']>;
  let conversion: UnitConversion | undefined;
  if (m.unit !== undefined && target.unit !== '') {
    try {
      conversion = unitConversion(m.unit, target.unit);
    } catch (err) {
      if (!(err instanceof IncompatibleUnitsError)) throw err;
      out.add(m, m.lines.unit, `${err.message}: ${m.name} is in ${target.unit}`, `write the unit the field is really in (${unitsOf(findUnit(target.unit)?.dimension ?? '')} convert to ${target.unit})`);
      return undefined;
    }
  }
  const values = m.values ? { byRaw: new Map(m.values.filter((v) => typeof v.from === 'number').map((v) => [v.from as number, v.to])), byLabel: new Map(m.values.filter((v) => typeof v.from === 'string').map((v) => [v.from as string, v.to])), dbcScale: 1, dbcOffset: 0 } : undefined;
  const spec: TransformSpec = { signal: field, scale: m.scale ?? 1, offset: m.offset ?? 0, ...(conversion ? { conversion } : {}), ...(values ? { values } : {}) };
  return finish(m, someipMessageName(service, event), [field], spec, file);
}

function resolveMapping(db: DbcDatabase, m: ProfileMapping, out: MappingProblems, file: string): ResolvedSignal | undefined {
  const target = catalogSignal(m.name);
  if (!target) {
    const near = nearestCatalogName(m.name);
    out.add(m, m.line, `"${m.name}" is not a signal of the vehicle catalog`, near !== undefined ? `did you mean ${near}?` : 'use a catalog name (runtime/vehicle/catalog.ts; `ecu-ai vehicle init` lists them all)');
    return undefined;
  }
  if (m.someip) return resolveSomeip(m, target, out, file);
  const message = findMessage(db, m, out);
  if (!message) return undefined;
  const names = m.expression ? expressionSignals(m.expression.tree) : [m.signal as string];
  if (names.length === 0) {
    out.add(m, m.lines.expression, `expression "${m.expression?.text}" reads no signal`, 'name at least one signal of the message in it');
    return undefined;
  }
  const signals = findSignals(message, names, m, out);
  if (!signals) return undefined;
  const muxOk = checkMux(signals, m, out);
  const conversion = conversionFor(signals, m, target, out);
  const values = m.values ? valueTable(signals[0] as DbcSignal, m, out) : undefined;
  if (!muxOk || conversion === undefined || (m.values && !values)) return undefined;
  const spec: TransformSpec = {
    ...(m.expression ? { expression: m.expression.tree } : { signal: names[0] as string }),
    scale: m.scale ?? 1,
    offset: m.offset ?? 0,
    ...(conversion ? { conversion } : {}),
    ...(values ? { values } : {}),
  };
  return finish(m, message.name, names, spec, file, signals.some((s) => s.multiplexerIds !== undefined) ? m.mux : undefined);
}

/**
 * Resolves every mapping of a profile against a DBC.
 * @returns the mappings that resolved, and one problem per thing wrong (never throws for bad input).
 */
export function resolveProfile(profile: VehicleProfile, db: DbcDatabase, options: ResolveOptions = {}): ProfileResolution {
  const out = new MappingProblems(profile.file, options.dbcName ?? profile.dbc ?? 'the DBC');
  const signals = new Map<string, ResolvedSignal>();
  for (const m of profile.signals) {
    const resolved = resolveMapping(db, m, out, profile.file);
    if (resolved) signals.set(m.name, resolved);
  }
  const resolved: ResolvedProfile = Object.freeze({
    vehicle: profile.vehicle,
    file: profile.file,
    ...(profile.dbcPath !== undefined ? { dbcPath: profile.dbcPath } : {}),
    signals,
  });
  return { profile: resolved, problems: out.list };
}
