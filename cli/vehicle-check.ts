/**
 * What `vehicle check` reports: per domain, whether it runs on this vehicle, which of its inputs the
 * profile maps, which required ones are missing (each disables it) and which optional ones take their
 * default, and, given a trace, which mapped signals never arrive in it (decoded with the vehicle's DBC).
 */
import type { CanFrame } from '../bus/frame.js';
import { compileDatabase, type DbcDatabase, type MessageCodec } from '../bus/dbc/index.js';
import { openTraceReader } from '../bus/trace/readers.js';
import { planDomainInputs } from '../runtime/engine/domain-inputs.js';
import type { DomainDefinition } from '../runtime/service/domain.js';
import type { ProfileProblem, ResolvedProfile, ResolvedSignal } from '../runtime/vehicle/index.js';
import { formatProblem } from '../runtime/vehicle/index.js';

export interface DomainCoverage {
  readonly domain: string;
  /** Whether the domain runs on this vehicle: every required input mapped (as run and replay decide). */
  readonly runs: boolean;
  readonly inputs: number;
  readonly mapped: readonly string[];
  /** Required inputs the profile does not map: each one disables the domain. */
  readonly missingRequired: readonly string[];
  /** Optional inputs the profile does not map, with the default the features take instead. */
  readonly defaulted: Readonly<Record<string, number>>;
  /** Mapped inputs no frame of the trace carried (only with a trace). */
  readonly notInTrace?: readonly string[];
}

export interface TraceAppearance {
  readonly file: string;
  /** Frames read: the whole trace, or up to the frame where the last mapped signal first appeared. */
  readonly framesRead: number;
  /** True when the whole trace was read (false: every mapped signal was seen before its end). */
  readonly complete: boolean;
  /** Catalog names of the mapped signals seen at least once. */
  readonly seen: ReadonlySet<string>;
}

export interface CheckReport {
  readonly profile: string;
  readonly vehicle: string | undefined;
  readonly dbc: string | undefined;
  readonly mapped: number;
  readonly domains: readonly DomainCoverage[];
  readonly trace: TraceAppearance | undefined;
  readonly problems: readonly ProfileProblem[];
}

/** Which inputs of each domain the profile maps, and so which domains run (a missing profile maps nothing). */
export function domainCoverage(domains: readonly DomainDefinition[], profile: ResolvedProfile | undefined, trace?: TraceAppearance): DomainCoverage[] {
  const signals = profile?.signals ?? new Map<string, ResolvedSignal>();
  const plan = planDomainInputs(domains, signals);
  return domains.map((d) => {
    const inputs = Object.entries(d.inputs);
    const mapped = inputs.filter(([name]) => signals.has(name)).map(([name]) => name);
    const defaulted = Object.fromEntries(inputs.filter(([name, input]) => !input.required && !signals.has(name)).map(([name, input]) => [name, input.default ?? 0]));
    return {
      domain: d.domain,
      runs: plan.running.includes(d.domain),
      inputs: inputs.length,
      mapped,
      missingRequired: plan.disabled.find((x) => x.domain === d.domain)?.missing ?? [],
      defaulted,
      ...(trace ? { notInTrace: mapped.filter((name) => !trace.seen.has(name)) } : {}),
    };
  });
}

function carries(signal: ResolvedSignal, frame: CanFrame, decoded: Readonly<Record<string, number | string>>): boolean {
  if (signal.channel !== undefined && signal.channel !== frame.channel) return false;
  return signal.signals.every((s) => decoded[s] !== undefined);
}

/**
 * Reads a trace until every mapped signal has been seen (or the trace ends), decoding only frames
 * of messages that still carry an unseen signal.
 * @throws {TraceParseError} for a malformed trace, naming file and line or offset.
 */
export async function traceAppearance(file: string, db: DbcDatabase, profile: ResolvedProfile): Promise<TraceAppearance> {
  const compiled = compileDatabase(db);
  const pending = new Map<string, ResolvedSignal[]>();
  for (const s of profile.signals.values()) pending.set(s.message, [...(pending.get(s.message) ?? []), s]);
  const seen = new Set<string>();
  let left = profile.signals.size;
  let framesRead = 0;
  let complete = true;
  const byCodec = new Map<MessageCodec, ResolvedSignal[]>();
  for (const codec of compiled.codecs) {
    const list = pending.get(codec.message.name);
    if (list) byCodec.set(codec, list);
  }
  reading: for await (const batch of openTraceReader(file).batches()) {
    for (const frame of batch) {
      framesRead++;
      const codec = compiled.forFrame(frame);
      const waiting = codec ? byCodec.get(codec) : undefined;
      if (!codec || !waiting || waiting.length === 0) continue;
      let decoded: Record<string, number | string>;
      try {
        decoded = codec.decode(frame.data);
      } catch {
        continue; // A frame its message cannot decode (short, unknown multiplexer value) carries nothing.
      }
      const still = waiting.filter((s) => !carries(s, frame, decoded));
      for (const s of waiting) if (!still.includes(s)) seen.add(s.name);
      left -= waiting.length - still.length;
      byCodec.set(codec, still);
      if (left === 0) {
        complete = false;
        break reading;
      }
    }
  }
  return { file, framesRead, complete, seen };
}

/**
 * Names listed compactly: a family that differs only in one number (`Cell01` to `Cell96`) as one
 * entry, `Vehicle.EcuAi.TractionBattery.Cell{01..96}.Voltage`, when its numbers run without a gap.
 */
export function compactNames(names: readonly string[]): string[] {
  const families = new Map<string, string[]>();
  for (const n of names) {
    const key = n.replace(/\d+/, '{}');
    if (key !== n) families.set(key, [...(families.get(key) ?? []), n]);
  }
  const label = new Map<string, string>();
  for (const [key, members] of families) {
    const numbers = members.map((m) => (/\d+/.exec(m) as RegExpExecArray)[0]);
    const values = numbers.map(Number);
    if (members.length > 2 && values.every((v, i) => i === 0 || v === (values[i - 1] as number) + 1)) {
      const compact = key.replace('{}', `{${numbers[0]}..${numbers[numbers.length - 1]}}`);
      for (const m of members) label.set(m, compact);
    }
  }
  return [...new Set(names.map((n) => label.get(n) ?? n))];
}

const list = (names: readonly string[]): string => compactNames(names).join(', ');

/** The report as the operator reads it: a header, then one line per domain. */
export function formatReport(r: CheckReport, signalOf: (name: string) => ResolvedSignal | undefined): string {
  const lines = [`${r.profile}${r.vehicle !== undefined ? ` (vehicle ${r.vehicle})` : ''}${r.dbc !== undefined ? ` against ${r.dbc}` : ''}: ${r.mapped} catalog signals mapped`];
  if (r.trace) lines.push(`${r.trace.file}: ${r.trace.framesRead} frames read${r.trace.complete ? '' : ' (every mapped signal seen; stopped there)'}`);
  const width = Math.max(...r.domains.map((d) => d.domain.length));
  for (const d of r.domains) {
    const indent = `\n${' '.repeat(width)}  `;
    let line = `${d.domain.padEnd(width)}  ${d.runs ? 'runs' : 'disabled'}: ${d.mapped.length} of ${d.inputs} inputs mapped`;
    if (d.notInTrace) line += `, ${d.mapped.length - d.notInTrace.length} in the trace`;
    if (d.missingRequired.length > 0) line += `${indent}required, not mapped: ${list(d.missingRequired)}`;
    const defaulted = Object.entries(d.defaulted);
    if (defaulted.length > 0) line += `${indent}optional, not mapped (default used): ${defaulted.map(([n, v]) => `${n} = ${v}`).join(', ')}`;
    if (d.notInTrace && d.notInTrace.length > 0) {
      const where = d.notInTrace.map((n) => {
        const s = signalOf(n);
        return s ? `${n} (${s.message}.${s.signals.join('+')})` : n;
      });
      line += `${indent}never in the trace: ${list(where)}`;
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** The report as JSON (the same facts, problems with their line and fix). */
export function reportJson(r: CheckReport): string {
  return JSON.stringify(
    {
      profile: r.profile,
      vehicle: r.vehicle ?? null,
      dbc: r.dbc ?? null,
      mapped: r.mapped,
      domains: r.domains,
      trace: r.trace ? { file: r.trace.file, framesRead: r.trace.framesRead, complete: r.trace.complete } : null,
      problems: r.problems.map((p) => ({ ...p, text: formatProblem(p) })),
    },
    null,
    2,
  ) + '\n';
}
