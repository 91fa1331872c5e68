/**
 * The typed errors of the vehicle library. Each is bad input (config code `CONFIG_INVALID`, exit 2
 * in the CLI) and its message names what, where and the fix.
 */
import { RuntimeError } from '../errors.js';
import type { ProfileProblem } from './types.js';

/** A unit spelling the unit table does not know. */
export class UnknownUnitError extends RuntimeError {
  readonly unit: string;
  constructor(unit: string) {
    super('CONFIG_INVALID', `unknown unit "${unit}" (fix: use a unit of the table, e.g. km/h, m/s^2, degC, bar, deg/s, V, A, percent)`);
    this.unit = unit;
  }
}

/** A conversion between units of different dimensions (km/h to degC). */
export class IncompatibleUnitsError extends RuntimeError {
  readonly from: string;
  readonly to: string;
  constructor(from: string, fromDimension: string, to: string, toDimension: string) {
    super('CONFIG_INVALID', `cannot convert ${from} (${fromDimension}) to ${to} (${toDimension})`);
    this.from = from;
    this.to = to;
  }
}

/** An arithmetic expression that does not parse; `column` is 1-based in `source`. */
export class ExpressionSyntaxError extends RuntimeError {
  readonly source: string;
  readonly column: number;
  readonly detail: string;
  constructor(source: string, column: number, detail: string) {
    super('CONFIG_INVALID', `expression "${source}", column ${column}: ${detail}`);
    this.source = source;
    this.column = column;
    this.detail = detail;
  }
}

/** One problem as the operator reads it: `file:line: message (fix: ...)`. */
export function formatProblem(p: ProfileProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  const what = p.signal !== undefined ? `${p.signal}: ${p.message}` : p.message;
  return `${where}: ${what}${p.fix !== undefined ? ` (fix: ${p.fix})` : ''}`;
}

/** A profile that cannot be used as it is: every problem found, one line each. */
export class ProfileInvalidError extends RuntimeError {
  readonly file: string;
  readonly problems: readonly ProfileProblem[];
  constructor(file: string, problems: readonly ProfileProblem[]) {
    super('CONFIG_INVALID', `${file}: invalid vehicle profile (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.file = file;
    this.problems = problems;
  }
}

/**
 * The shipped reference profile given a DBC of another vehicle: nearly every mapping names a
 * message that DBC lacks, so instead of listing them all the operator is told to write a profile.
 */
export class ProfileDoesNotFitError extends RuntimeError {
  readonly file: string;
  readonly problems: readonly ProfileProblem[];
  constructor(file: string, dbc: string, problems: readonly ProfileProblem[]) {
    const first = problems.slice(0, 3).map((p) => `  ${formatProblem(p)}`);
    const more = problems.length > first.length ? [`  ... and ${problems.length - first.length} more`] : [];
    super(
      'CONFIG_INVALID',
      [
        `the reference vehicle's profile (${file}) does not fit ${dbc}: ${problems.length} of its mappings do not resolve, e.g.`,
        ...first,
        ...more,
        `fix: write a profile for this vehicle (\`ecu-ai vehicle init --dbc ${dbc} --out car.yaml\`, then \`ecu-ai vehicle check --profile car.yaml --dbc ${dbc}\`) and give it with --vehicle car.yaml or the config's vehicle:`,
      ].join('\n'),
    );
    this.file = file;
    this.problems = problems;
  }
}
