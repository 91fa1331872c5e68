/**
 * Reads a DBC file from disk. DBC files in the wild are UTF-8 or Windows-1252 (the Vector tools'
 * default); the bytes are decoded as UTF-8 when they are valid UTF-8 and as Windows-1252 otherwise.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UnsupportedDbcFormatError } from '../errors.js';
import { parseDbc, type ParseResult } from './parse.js';

/**
 * Windows-1252's printable characters at 0x80..0x9F (where Latin-1 has control codes); the five
 * unassigned codes keep their Latin-1 meaning. Spelled out because Node's TextDecoder maps
 * "windows-1252" to plain Latin-1 in builds without full ICU.
 */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Decodes file bytes: UTF-8 when valid, else Windows-1252. */
export function decodeDbcBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);
  }
}

/**
 * The database format of a file that is not DBC, or undefined for one that may be: KCD and ARXML
 * are XML, which no DBC starts with, so a `.dbc` that is really one of them is caught too.
 */
function otherFormatOf(file: string, text: string): string | undefined {
  const ext = path.extname(file).toLowerCase();
  const head = text.slice(0, 4096);
  const xml = /^\uFEFF?\s*</.test(head);
  if (ext === '.kcd' || (xml && head.includes('<NetworkDefinition'))) return 'KCD (Kayak XML)';
  if (ext === '.arxml' || (xml && head.includes('AUTOSAR'))) return 'ARXML (AUTOSAR XML)';
  return xml ? 'XML' : undefined;
}

/**
 * Loads and parses a DBC file.
 * @param path - file to read; named in every error and warning location
 * @throws {UnsupportedDbcFormatError} for a KCD or ARXML file (by extension or XML content)
 * @throws {DbcParseError} on a syntax error (file:line:column)
 * @throws {DbcInvalidError} in strict mode, on the first inconsistency
 * @throws {Error} from the file system (ENOENT, EACCES, ...) when the file cannot be read
 */
export async function loadDbcFile(path: string, options: { strict?: boolean } = {}): Promise<ParseResult> {
  const text = decodeDbcBytes(await readFile(path));
  const other = otherFormatOf(path, text);
  if (other !== undefined) throw new UnsupportedDbcFormatError(path, other);
  return parseDbc(text, { file: path, strict: options.strict ?? false });
}
