/**
 * Opening a trace for reading, its format chosen by extension. Apart from the writers, so that
 * commands which only read (`trace stats`, `trace cat`) load no writing code.
 */
import path from 'node:path';
import { UnsupportedTraceFormatError } from '../errors.js';
import { AscParser } from './asc.js';
import { BlfTraceReader } from './blf-read.js';
import { candumpLineParser } from './candump.js';
import { textOf, type Chars } from './chars.js';
import { parseJsonLine } from './jsonl.js';
import { LineTraceReader, type LineParser } from './line-reader.js';
import { Mf4TraceReader } from './mf4-read.js';
import { TrcParser } from './trc.js';
import type { TraceReader, TraceReaderFactory, TraceReadOptions } from './types.js';

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

/**
 * A streaming reader for `file`, its format chosen by extension. The file opens on first iteration.
 * @throws {UnsupportedTraceFormatError} for an extension without a reader, listing the known ones.
 */
export function openTraceReader(file: string, options: TraceReadOptions = {}): TraceReader {
  const factory = (TRACE_READERS as Record<string, TraceReaderFactory>)[path.extname(file).toLowerCase()];
  if (!factory) throw new UnsupportedTraceFormatError(file, Object.keys(TRACE_READERS), 'read');
  return factory(file, options);
}
