/**
 * Runs a simulation to files: the frames to a trace (format by extension, through the trace
 * writers) and, optionally, the labels to a JSON-lines file. Both are written as the run goes,
 * so memory stays flat for long drives, to temporary files that replace the destinations only
 * when the run succeeds: a failed or interrupted run leaves the old files as they were.
 */
import { openAtomic, type AtomicFile } from '../bus/files/index.js';
import { openTraceWriter } from '../bus/trace/index.js';
import { startSimulation, type SimOptions, type SimRun, type SimSummary } from './simulate.js';

export interface WriteSimOptions extends SimOptions {
  /** Trace file; `.log`, `.asc`, `.blf` or `.jsonl`. */
  out: string;
  /** Labels file (JSON lines), if wanted. */
  labels?: string;
  /** Called now and then with the simulated seconds so far (for a progress line). */
  onProgress?: (simulatedS: number) => void;
}

export interface WriteSimResult extends SimSummary {
  readonly run: Omit<SimRun, 'events' | 'world'>;
  readonly wallS: number;
}

/**
 * Simulates and writes the trace (and labels).
 * @throws {SimUsageError} for a bad scenario, duration or seed
 * @throws {VehicleEncodingError} when a mapping of `vehicle` does not fit its DBC
 * @throws {UnsupportedTraceFormatError} for an output extension without a writer
 */
export async function writeSimulation(options: WriteSimOptions): Promise<WriteSimResult> {
  const started = performance.now();
  const run = startSimulation(options);
  const trace = await openTraceWriter(options.out);
  let labels: AtomicFile | undefined;
  let summary: SimSummary;
  let ok = false;
  try {
    labels = options.labels === undefined ? undefined : await openAtomic(options.labels);
    let chunk = '';
    let next = run.events.next();
    let reported = 0;
    while (!next.done) {
      const e = next.value;
      if (e.kind === 'frame') {
        await trace.write(e.frame);
        if (options.onProgress && e.frame.timestamp - reported >= 1) {
          reported = e.frame.timestamp;
          options.onProgress(reported);
        }
      } else if (labels) {
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
    ok = true;
  } finally {
    if (ok) {
      await trace.close();
      await labels?.commit();
    } else {
      await trace.abort();
      await labels?.abort();
    }
  }
  const { scenario, seed, durationS, params, encoding } = run;
  return { ...summary, run: { scenario, seed, durationS, params, ...(encoding ? { encoding } : {}) }, wallS: (performance.now() - started) / 1000 };
}

async function writeChunk(file: AtomicFile, text: string): Promise<void> {
  await file.handle.write(text, null, 'utf8');
}
