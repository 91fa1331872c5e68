/**
 * Runs a simulation to files: the frames to a trace (format by extension, through the trace
 * writers) and, optionally, the labels to a JSON-lines file. Both are written as the run goes,
 * so memory stays flat for long drives.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { openTraceWriter } from '../bus/trace/index.js';
import { startSimulation, type SimOptions, type SimRun, type SimSummary } from './simulate.js';

export interface WriteSimOptions extends SimOptions {
  /** Trace file; `.log`, `.asc`, `.blf` or `.jsonl`. */
  out: string;
  /** Labels file (JSON lines), if wanted. */
  labels?: string;
}

export interface WriteSimResult extends SimSummary {
  readonly run: Omit<SimRun, 'events' | 'world'>;
  readonly wallS: number;
}

/**
 * Simulates and writes the trace (and labels).
 * @throws {SimUsageError} for a bad scenario, duration or seed
 * @throws {UnsupportedTraceFormatError} for an output extension without a writer
 */
export async function writeSimulation(options: WriteSimOptions): Promise<WriteSimResult> {
  const started = performance.now();
  const run = startSimulation(options);
  const trace = await openTraceWriter(options.out);
  const labels = options.labels === undefined ? undefined : await openLines(options.labels);
  let summary: SimSummary;
  try {
    let chunk = '';
    let next = run.events.next();
    while (!next.done) {
      const e = next.value;
      if (e.kind === 'frame') await trace.write(e.frame);
      else if (labels) {
        chunk += JSON.stringify(e.label) + '\n';
        if (chunk.length > 1 << 16) {
          await writeChunk(labels, chunk);
          chunk = '';
        }
      }
      next = run.events.next();
    }
    summary = next.value;
    if (labels && chunk) await writeChunk(labels, chunk);
  } catch (err) {
    await trace.abort();
    throw err;
  } finally {
    await trace.close();
    if (labels) await new Promise<void>((resolve, reject) => labels.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  const { scenario, seed, durationS, params } = run;
  return { ...summary, run: { scenario, seed, durationS, params }, wallS: (performance.now() - started) / 1000 };
}

async function openLines(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { encoding: 'utf8' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}

async function writeChunk(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}
