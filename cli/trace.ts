/**
 * `ecu-ai trace`: cat (JSON lines), convert (format by extension) and stats (per-id rates) for traces.
 */
import path from 'node:path';
import { assertDistinctPaths } from '../bus/files/index.js';
// Only the reading side loads up front: `convert` imports the writers (and its progress line) when it runs.
import { frameToJsonLine } from '../bus/trace/jsonl.js';
import { openTraceReader } from '../bus/trace/readers.js';
import { DEFAULT_MAX_LINE_BYTES, type TraceReader, type TraceReadOptions } from '../bus/trace/types.js';
import { intFlag, parseCliArgs } from './args.js';
import { makeCatDecoder } from './trace-j1939.js';
import { subcommandHelps } from './subcommand-help.js';
import { EXIT_OK, UsageError, writeOut, type CliCommand, type CliIo } from './command.js';

const HELP = `Usage:
  ecu-ai trace cat FILE [--dbc DBC [--j1939]] [--j1939-tp] [--limit N] [--lenient] [--max-line-bytes N]
  ecu-ai trace convert IN OUT [--lenient] [--quiet] [--max-line-bytes N]
  ecu-ai trace stats FILE [--json] [--lenient] [--max-line-bytes N]

Formats by extension: .log (candump -L), .asc (Vector), .blf (Vector), .trc (PEAK; written as 2.1),
.mf4 (ASAM MDF 4 bus logging, unfinalized files too), .jsonl.

cat      one JSON object per frame per line:
         {"t":1.234567,"ch":"can0","id":291,"ext":false,"fd":false,"brs":false,"rtr":false,"err":false,"dlc":8,"data":"deadbeef"}
         --dbc adds "msg" and "sig" (physical values) for frames the DBC describes. A J1939 DBC
         (VFrameFormat J1939PG or ProtocolType J1939) matches 29-bit frames by PGN from any
         source address, and every 29-bit frame gets "j1939":{"pri","pgn","sa","da"} (da 255
         for PDU2). --j1939 reads every extended message of the DBC as a J1939 parameter group.
         --j1939-tp reassembles J1939 transport sessions (BAM, RTS/CTS) and prints, after the
         frame completing one, a line {"t","ch","tp":"bam"|"rts-cts","t0","j1939","len","data"}
         with "msg"/"sig" when the DBC has the PGN; these lines have no "id". Counts and drops
         (timeouts, bad sequence numbers, ...) go to stderr at the end.
convert  reads IN and writes OUT, formats by extension. OUT is written to a hidden temporary file
         beside it and replaces OUT only when every frame is written: a malformed IN, an error or
         an interrupt (Ctrl-C exits 130) leaves an existing OUT as it was. OUT naming IN exits 2.
         Formats by extension as above. Progress on stderr on a terminal (not with --quiet).
stats    per-id frame count, mean period and jitter (standard deviation of the period), and totals.

--lenient skips malformed lines or records (their count goes to stderr) instead of failing.
--max-line-bytes N: the longest line a text trace may have (default 65536); a longer one is an
error naming its line (skipped with --lenient), read without ever holding more than N bytes of it.
A last ASC line cut short (no newline, a frame line that does not parse) is skipped with a warning,
with or without --lenient.
A malformed trace exits 2 with the file and line (or byte offset) on stderr.`;

/** The reader options the trace commands share: --lenient and --max-line-bytes. */
function readOptions(values: { lenient?: boolean | undefined; 'max-line-bytes'?: string | undefined }): TraceReadOptions {
  const max = intFlag('max-line-bytes', values['max-line-bytes'], DEFAULT_MAX_LINE_BYTES);
  if (max < 1) throw new UsageError('--max-line-bytes takes a whole number of at least 1');
  return { lenient: values.lenient ?? false, maxLineBytes: max };
}

const READ_FLAGS = { lenient: { type: 'boolean' }, 'max-line-bytes': { type: 'string' } } as const;

function reportSkipped(io: CliIo, file: string, reader: TraceReader): void {
  for (const warning of reader.warnings) io.stderr.write(`warning: ${warning}\n`);
  if (reader.skipped > 0) io.stderr.write(`${file}: skipped ${reader.skipped} malformed or cut line(s) or record(s)\n`);
}

async function cat(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    dbc: { type: 'string' }, limit: { type: 'string' }, j1939: { type: 'boolean' }, 'j1939-tp': { type: 'boolean' }, ...READ_FLAGS,
  });
  if (positionals.length !== 1) throw new UsageError('trace cat takes one FILE');
  const file = path.resolve(io.cwd, positionals[0] as string);
  const limit = intFlag('limit', values.limit, Number.POSITIVE_INFINITY);
  if (values.j1939 === true && values.dbc === undefined) throw new UsageError('--j1939 says how to read the --dbc file: give --dbc too');
  const transport = values['j1939-tp'] === true;
  const decoder =
    values.dbc === undefined && !transport
      ? undefined
      : await makeCatDecoder({ dbc: values.dbc === undefined ? undefined : path.resolve(io.cwd, values.dbc), j1939: values.j1939 === true, transport });
  const reader = openTraceReader(file, readOptions(values));
  let count = 0;
  let out = '';
  let last = 0;
  try {
    if (limit > 0) {
      reading: for await (const batch of reader.batches()) {
        for (const frame of batch) {
          out += frameToJsonLine(frame, decoder?.annotate(frame)) + '\n';
          const message = decoder?.reassemble(frame);
          if (message !== undefined) out += message + '\n';
          last = frame.timestamp;
          if (++count >= limit) break reading;
        }
        if (out.length >= 65536) {
          await writeOut(io.stdout, out);
          out = '';
        }
      }
    }
  } finally {
    // Frames read before a malformed line still go out before the error is reported.
    if (out.length > 0) await writeOut(io.stdout, out);
  }
  reportSkipped(io, file, reader);
  for (const line of decoder?.finish(last) ?? []) io.stderr.write(line + '\n');
  return EXIT_OK;
}

async function convert(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { quiet: { type: 'boolean' }, ...READ_FLAGS });
  if (positionals.length !== 2) throw new UsageError('trace convert takes IN and OUT');
  const input = path.resolve(io.cwd, positionals[0] as string);
  const output = path.resolve(io.cwd, positionals[1] as string);
  // A same-file refusal (SamePathError) is bad input, exit 2, with the user's own spelling of both paths.
  assertDistinctPaths([{ role: 'IN', file: positionals[0] as string }], [{ role: 'OUT', file: positionals[1] as string }], io.cwd);
  const reader = openTraceReader(input, readOptions(values));
  const [{ openTraceWriter }, { createProgress }] = await Promise.all([import('../bus/trace/writers.js'), import('./progress.js')]);
  const writer = await openTraceWriter(output);
  const progress = createProgress(io.stderr, { label: 'convert', unit: 'frames', quiet: values.quiet === true });
  let count = 0;
  try {
    for await (const batch of reader.batches()) {
      for (const frame of batch) await writer.write(frame);
      count += batch.length;
      progress.update(count);
    }
  } catch (err) {
    progress.end();
    await writer.abort();
    throw err;
  }
  progress.end();
  await writer.close();
  reportSkipped(io, input, reader);
  io.stderr.write(`${count} frames written to ${positionals[1]}\n`);
  return EXIT_OK;
}


interface IdStats {
  id: number;
  extended: boolean;
  count: number;
  first: number;
  last: number;
  // Welford's running mean and variance of the period, so memory stays per id, not per frame.
  n: number;
  mean: number;
  m2: number;
}

/** Added to a 29-bit id for its key in `stats`; the sum stays a small integer (below 2^30). */
const EXTENDED_KEY = 0x20000000;

async function stats(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { json: { type: 'boolean' }, ...READ_FLAGS });
  if (positionals.length !== 1) throw new UsageError('trace stats takes one FILE');
  const file = path.resolve(io.cwd, positionals[0] as string);
  // Stats never look at payloads: frames come without them, one object less per frame.
  const reader = openTraceReader(file, { ...readOptions(values), payloads: false });
  // Keyed by a number, not a string built per frame: 11- and 29-bit ids apart by the bit above 29 bits.
  const byId = new Map<number, IdStats>();
  let total = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  const kinds = { fd: 0, rtr: 0, error: 0, extended: 0, tx: 0 };
  for await (const batch of reader.batches()) for (const f of batch) {
    total++;
    if (Number.isNaN(first)) first = f.timestamp;
    last = f.timestamp;
    if (f.fd) kinds.fd++;
    if (f.rtr) kinds.rtr++;
    if (f.error) kinds.error++;
    if (f.extended) kinds.extended++;
    if (f.tx === true) kinds.tx++;
    if (f.error) continue;
    const key = f.extended ? f.id + EXTENDED_KEY : f.id;
    let s = byId.get(key);
    if (!s) {
      s = { id: f.id, extended: f.extended, count: 0, first: f.timestamp, last: f.timestamp, n: 0, mean: 0, m2: 0 };
      byId.set(key, s);
    } else {
      const period = f.timestamp - s.last;
      s.n++;
      const delta = period - s.mean;
      s.mean += delta / s.n;
      s.m2 += delta * (period - s.mean);
      s.last = f.timestamp;
    }
    s.count++;
  }
  const rows = [...byId.values()]
    .sort((a, b) => a.id - b.id || Number(a.extended) - Number(b.extended))
    .map((s) => ({
      id: s.id,
      ext: s.extended,
      count: s.count,
      mean_period_s: s.n > 0 ? round6(s.mean) : null,
      jitter_s: s.n > 0 ? round6(Math.sqrt(s.m2 / s.n)) : null,
    }));
  const summary = {
    file: positionals[0],
    frames: total,
    ids: rows.length,
    first_t: total > 0 ? round6(first) : null,
    last_t: total > 0 ? round6(last) : null,
    duration_s: total > 0 ? round6(last - first) : 0,
    ...kinds,
    skipped: reader.skipped,
    per_id: rows,
  };
  if (values.json) {
    await writeOut(io.stdout, JSON.stringify(summary) + '\n');
    return EXIT_OK;
  }
  const lines = [
    `${summary.file}: ${total} frames, ${rows.length} ids, ${summary.duration_s} s` +
      ` (fd ${kinds.fd}, remote ${kinds.rtr}, error ${kinds.error}, extended ${kinds.extended}, tx ${kinds.tx})`,
    `${'id'.padStart(10)}  ${'count'.padStart(8)}  ${'mean period ms'.padStart(14)}  ${'jitter ms'.padStart(10)}`,
    ...rows.map(
      (r) =>
        `${(r.ext ? r.id.toString(16).toUpperCase().padStart(8, '0') + 'x' : r.id.toString(16).toUpperCase().padStart(3, '0')).padStart(10)}  ` +
        `${String(r.count).padStart(8)}  ${(r.mean_period_s === null ? '-' : (r.mean_period_s * 1000).toFixed(3)).padStart(14)}  ` +
        `${(r.jitter_s === null ? '-' : (r.jitter_s * 1000).toFixed(3)).padStart(10)}`,
    ),
  ];
  await writeOut(io.stdout, lines.join('\n') + '\n');
  reportSkipped(io, file, reader);
  return EXIT_OK;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export const traceCommand: CliCommand = {
  name: 'trace',
  summary: 'read, convert and summarise CAN traces',
  help: HELP,
  subcommandHelp: subcommandHelps('trace', HELP, ['cat', 'convert', 'stats']),
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'cat') return cat(rest, io);
    if (sub === 'convert') return convert(rest, io);
    if (sub === 'stats') return stats(rest, io);
    throw new UsageError(sub === undefined ? 'trace needs a subcommand: cat, convert or stats' : `unknown trace subcommand "${sub}"`);
  },
};
