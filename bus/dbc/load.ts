/**
 * Reads a DBC file from disk. DBC files in the wild are UTF-8 or Windows-1252 (the Vector tools'
 * default); the bytes are decoded as UTF-8 when they are valid UTF-8 and as Windows-1252 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { parseDbc, type ParseResult } from './parse.js';

/** Decodes file bytes: UTF-8 when valid, else Windows-1252 (a superset of Latin-1's printable range). */
export function decodeDbcBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Loads and parses a DBC file.
 * @param path - file to read; named in every error and warning location
 * @throws {DbcParseError} on a syntax error (file:line:column)
 * @throws {DbcInvalidError} in strict mode, on the first inconsistency
 * @throws {Error} from the file system (ENOENT, EACCES, ...) when the file cannot be read
 */
export async function loadDbcFile(path: string, options: { strict?: boolean } = {}): Promise<ParseResult> {
  const text = decodeDbcBytes(await readFile(path));
  return parseDbc(text, { file: path, strict: options.strict ?? false });
}
