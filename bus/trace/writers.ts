/**
 * Opening a trace for writing, its format chosen by extension (see `readers.ts` for reading).
 */
import path from 'node:path';
import { UnsupportedTraceFormatError } from '../errors.js';
import { ascFormatter } from './asc-write.js';
import { openBlfWriter } from './blf-write.js';
import { candumpFormatter } from './candump.js';
import { jsonlFormatter } from './jsonl.js';
import { openMf4Writer } from './mf4-write.js';
import { openLineWriter } from './text-writer.js';
import { trcFormatter } from './trc-write.js';
import type { TraceWriter, TraceWriterFactory } from './types.js';

export const TRACE_WRITERS = {
  '.log': (file) => openLineWriter(file, candumpFormatter()),
  '.asc': (file) => openLineWriter(file, ascFormatter()),
  '.blf': (file) => openBlfWriter(file),
  '.trc': (file) => openLineWriter(file, trcFormatter()),
  '.jsonl': (file) => openLineWriter(file, jsonlFormatter(), 'utf8'),
  '.mf4': (file) => openMf4Writer(file),
} as const satisfies Record<string, TraceWriterFactory>;

/**
 * A writer for `file`, its format chosen by extension. It writes a hidden temporary file beside
 * `file`, which replaces `file` on `close()`; `abort()` discards it, leaving `file` as it was.
 * @throws {UnsupportedTraceFormatError} for an extension without a writer, listing the known ones.
 * @throws {Error} the file system error when the temporary file cannot be created.
 */
export async function openTraceWriter(file: string): Promise<TraceWriter> {
  const factory = (TRACE_WRITERS as Record<string, TraceWriterFactory>)[path.extname(file).toLowerCase()];
  if (!factory) throw new UnsupportedTraceFormatError(file, Object.keys(TRACE_WRITERS), 'write');
  return factory(file);
}
