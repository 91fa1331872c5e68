/**
 * The draft profile `vehicle init` writes: for each catalog signal its best guess from the DBC as a
 * YAML comment (`# Vehicle.Speed: {message: X, signal: Y}  # guess score 0.83: name+unit`) and the
 * runners-up, so nothing is mapped until a person confirms a line by removing its `# `; then the
 * DBC signals no guess uses. The draft parses as a profile with no mappings.
 */
import type { DbcDatabase } from '../bus/dbc/index.js';
import { VEHICLE_CATALOG, type CatalogSignal } from '../runtime/vehicle/index.js';
import { CandidateRanker, type Candidate } from './vehicle-guess.js';

export interface DraftOptions {
  /** The `vehicle:` name. */
  readonly vehicle: string;
  /** The `dbc:` line: the DBC relative to the draft's folder. */
  readonly dbc: string;
  /** How the DBC is named in the header. */
  readonly dbcName: string;
}

/** A YAML plain scalar when it is one, else a quoted string. */
function yamlText(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : JSON.stringify(s);
}

function mappingOf(c: Candidate): string {
  const parts = [`message: ${c.message}`, `signal: ${c.signal}`];
  if (c.mux !== undefined) parts.push(`mux: ${c.mux}`);
  if (c.unit !== undefined) parts.push(`unit: ${yamlText(c.unit)}`);
  if (c.inverted) parts.push('values: {0: 1, 1: 0}');
  return `{${parts.join(', ')}}`;
}

function describeSignal(s: CatalogSignal): string {
  return `${s.unit === '' ? s.type : `${s.type}, ${s.unit}`}${s.origin === 'extension' ? ', ecu-ai extension' : ''}`;
}

function guessLines(s: CatalogSignal, ranked: readonly Candidate[]): string[] {
  const [best, ...others] = ranked;
  if (!best) return [];
  const lines = [`  # ${s.name}: ${mappingOf(best)}  # guess score ${best.score.toFixed(2)}: ${best.reasons.join('+') || 'name'} (${describeSignal(s)})`];
  if (others.length > 0) lines.push(`  #   also possible: ${others.map((c) => `${c.message}.${c.signal} ${c.score.toFixed(2)}`).join(', ')}`);
  return lines;
}

/**
 * The draft's text.
 * @param db - the vehicle's DBC.
 */
export function draftProfile(db: DbcDatabase, options: DraftOptions): string {
  const ranker = new CandidateRanker(db);
  const used = new Set<string>();
  const guessed: string[] = [];
  const unguessed: CatalogSignal[] = [];
  for (const s of VEHICLE_CATALOG) {
    const ranked = ranker.rank(s);
    const best = ranked[0];
    if (!best) {
      unguessed.push(s);
      continue;
    }
    used.add(`${best.message}.${best.signal}`);
    guessed.push(...guessLines(s, ranked));
  }
  const unused = ranker.signalNames().filter((n) => !used.has(n));
  return [
    `# Draft vehicle profile for ${options.dbcName}, written by \`ecu-ai vehicle init\`.`,
    '# Nothing is mapped yet: each line under `signals:` is a guess, written as a comment. Check a guess',
    '# against the DBC and the vehicle, correct it if needed, then remove its leading "# " to map it.',
    '# `ecu-ai vehicle check --profile THIS_FILE` then says which domains have all their inputs.',
    `vehicle: ${yamlText(options.vehicle)}`,
    `dbc: ${yamlText(options.dbc)}`,
    'signals:',
    `  # ${guessed.filter((l) => !l.startsWith('  #   ')).length} catalog signals with a guess, in catalog order ("also possible" lists the runners-up):`,
    ...guessed,
    '',
    `  # ${unguessed.length} catalog signals without a candidate in the DBC:`,
    ...unguessed.map((s) => `  #   ${s.name} (${describeSignal(s)})`),
    '',
    `# ${unused.length} DBC signals no guess uses:`,
    ...unused.map((n) => `#   ${n}`),
    '',
  ].join('\n');
}
