/**
 * `parseDbc`: DBC text in, immutable database and the warnings it recovered from out.
 * Pure: no file system, no clock. `load.ts` reads files and picks the text encoding.
 */
import { DbcInvalidError, type SourceLocation } from '../errors.js';
import { buildDatabase } from './build.js';
import type { DbcDatabase, DbcWarning } from './model.js';
import { readStatements } from './statements.js';

export interface ParseOptions {
  /** Named in error and warning locations. */
  file?: string;
  /** Turn every warning into a DbcInvalidError (default false). */
  strict?: boolean;
}

export interface ParseResult {
  database: DbcDatabase;
  warnings: DbcWarning[];
}

/**
 * Parses DBC text into a database.
 * @param text - the whole file as text
 * @param options - `file` for locations, `strict` to refuse anything a warning would report
 * @throws {DbcParseError} on a syntax error, naming file:line:column and what was expected
 * @throws {DbcInvalidError} in strict mode, on the first inconsistency (id too wide, signal outside
 *   its message, overlapping signals, dangling reference, non-standard statement)
 */
export function parseDbc(text: string, options: ParseOptions = {}): ParseResult {
  const warnings: DbcWarning[] = [];
  const warn = (location: SourceLocation, message: string): void => {
    if (options.strict) throw new DbcInvalidError(location, message);
    warnings.push({ location, message });
  };
  const statements = readStatements(text, options.file, warn);
  return { database: buildDatabase(statements, warn), warnings };
}
