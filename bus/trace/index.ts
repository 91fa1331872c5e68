/**
 * Trace files: one reader and writer per format, chosen by extension. Readers stream (constant memory
 * on multi-gigabyte files) and are async iterables of frames, with `batches()` for bulk reading;
 * writers take frames one at a time and replace the destination only when closed.
 *
 * | extension | format                 | read | write |
 * |-----------|------------------------|------|-------|
 * | `.log`    | candump `-L`           | yes  | yes   |
 * | `.asc`    | Vector ASC             | yes  | yes   |
 * | `.blf`    | Vector BLF             | yes  | yes   |
 * | `.trc`    | PEAK trace 1.0 to 2.1  | yes  | 2.1   |
 * | `.jsonl`  | JSON lines (`trace cat`) | yes | yes  |
 * | `.mf4`    | ASAM MDF 4.11 bus logging | yes | yes  |
 */
import path from 'node:path';
import { UnsupportedTraceFormatError } from '../errors.js';
import { AscParser } from './asc.js';
import { ascFormatter } from './asc-write.js';
import { BlfTraceReader } from './blf-read.js';
import { openBlfWriter } from './blf-write.js';
import { candumpFormatter, candumpLineParser } from './candump.js';
import { textOf, type Chars } from './chars.js';
import { jsonlFormatter, parseJsonLine } from './jsonl.js';
import { LineTraceReader, type LineParser } from './line-reader.js';
import { Mf4TraceReader } from './mf4-read.js';
import { openMf4Writer } from './mf4-write.js';
import { openLineWriter } from './text-writer.js';
import { TrcParser } from './trc.js';
import { trcFormatter } from './trc-write.js';
import type { TraceReader, TraceReaderFactory, TraceReadOptions, TraceWriter, TraceWriterFactory } from './types.js';

export type { TraceReader, TraceReaderFactory, TraceReadOptions, TraceWriter, TraceWriterFactory } from './types.js';
export { frameToJsonLine, frameFromJsonLine, type DecodedFields, type JsonLineOptions } from './jsonl.js';
export { parseCandumpLine, formatCandumpLine } from './candump.js';
export { AscParser, parseAscText } from './asc.js';
export { formatAscLine } from './asc-write.js';
export { TrcParser, oleDateToEpoch } from './trc.js';
export { epochToOleDate, formatTrcLine } from './trc-write.js';
export { channelFromNumber, channelToNumber } from './channel.js';
export { DEFAULT_MAX_LINE_BYTES } from './types.js';
export { openMf4Writer, type Mf4WriteOptions } from './mf4-write.js';

/** JSON lines are UTF-8; a newline byte never occurs inside a multi-byte character, so lines split safely as bytes. */
function utf8Line(c: Chars, start: number, end: number): string {
  return Buffer.isBuffer(c) ? c.toString('utf8', start, end) : textOf(c, start, end);
}
const jsonlParser: LineParser = { parseLine: (c, start, end) => parseJsonLine(utf8Line(c, start, end)) };

export const TRACE_READERS = {
  '.log': (file, options) => new LineTraceReader('.log', file, options, candumpLineParser),
  '.asc': (file, options) => new LineTraceReader('.asc', file, options, () => new AscParser()),
  '.blf': (file, options) => new BlfTraceReader(file, options),
  '.trc': (file, options) => new LineTraceReader('.trc', file, options, () => new TrcParser()),
  '.jsonl': (file, options) => new LineTraceReader('.jsonl', file, options, () => jsonlParser),
  '.mf4': (file, options) => new Mf4TraceReader(file, options),
} as const satisfies Record<string, TraceReaderFactory>;

export const TRACE_WRITERS = {
  '.log': (file) => openLineWriter(file, candumpFormatter()),
  '.asc': (file) => openLineWriter(file, ascFormatter()),
  '.blf': (file) => openBlfWriter(file),
  '.trc': (file) => openLineWriter(file, trcFormatter()),
  '.jsonl': (file) => openLineWriter(file, jsonlFormatter(), 'utf8'),
  '.mf4': (file) => openMf4Writer(file),
} as const satisfies Record<string, TraceWriterFactory>;

function extensionOf(file: string): string {
  return path.extname(file).toLowerCase();
}

/**
 * A streaming reader for `file`, its format chosen by extension. The file opens on first iteration.
 * @throws {UnsupportedTraceFormatError} for an extension without a reader, listing the known ones.
 */
export function openTraceReader(file: string, options: TraceReadOptions = {}): TraceReader {
  const factory = (TRACE_READERS as Record<string, TraceReaderFactory>)[extensionOf(file)];
  if (!factory) throw new UnsupportedTraceFormatError(file, Object.keys(TRACE_READERS), 'read');
  return factory(file, options);
}

/**
 * A writer for `file`, its format chosen by extension. It writes a hidden temporary file beside
 * `file`, which replaces `file` on `close()`; `abort()` discards it, leaving `file` as it was.
 * @throws {UnsupportedTraceFormatError} for an extension without a writer, listing the known ones.
 * @throws {Error} the file system error when the temporary file cannot be created.
 */
export async function openTraceWriter(file: string): Promise<TraceWriter> {
  const factory = (TRACE_WRITERS as Record<string, TraceWriterFactory>)[extensionOf(file)];
  if (!factory) throw new UnsupportedTraceFormatError(file, Object.keys(TRACE_WRITERS), 'write');
  return factory(file);
}
