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
export type { TraceReader, TraceReaderFactory, TraceReadOptions, TraceWriter, TraceWriterFactory } from './types.js';
export { frameToJsonLine, frameFromJsonLine, j1939Json, type DecodedFields, type J1939Fields, type JsonLineOptions } from './jsonl.js';
export { parseCandumpLine, formatCandumpLine } from './candump.js';
export { AscParser, parseAscText } from './asc.js';
export { formatAscLine } from './asc-write.js';
export { TrcParser, oleDateToEpoch } from './trc.js';
export { epochToOleDate, formatTrcLine } from './trc-write.js';
export { channelFromNumber, channelToNumber } from './channel.js';
export { DEFAULT_MAX_LINE_BYTES } from './types.js';
export { openMf4Writer, type Mf4WriteOptions } from './mf4-write.js';

export { TRACE_READERS, openTraceReader } from './readers.js';
export { TRACE_WRITERS, openTraceWriter } from './writers.js';
