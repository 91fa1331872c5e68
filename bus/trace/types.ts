/**
 * The shapes every trace format shares: a reader is an async iterable of frames (and of batches of
 * frames, for bulk reading) that counts what it skipped in lenient mode; a writer takes frames one at
 * a time into a temporary file beside the destination, which replaces the destination only on close,
 * so a failed or interrupted write never destroys what was there.
 */
import type { CanFrame } from '../frame.js';

/** Longest line the text readers take, without its line ending: far above any real trace line. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export interface TraceReadOptions {
  /** Skip malformed lines or records (counted in `skipped`) instead of throwing `TraceParseError`. */
  lenient?: boolean;
  /**
   * Text formats: the longest line read, in bytes without the line ending (default
   * `DEFAULT_MAX_LINE_BYTES`, 64 KiB). A longer line is a `TraceParseError` naming file, line and byte
   * offset (skipped and counted when lenient), found before more than this much of it is held.
   */
  maxLineBytes?: number;
  /**
   * `false` lets the reader leave every frame's `data` empty (its `dlc` still gives the length), for
   * consumers that never look at payloads, such as counts and timing (`trace stats`): it saves an
   * object per frame. Payloads are still read and checked, so a malformed one fails (or is skipped)
   * exactly as with the default, `true`.
   */
  payloads?: boolean;
}

export interface TraceReader extends AsyncIterable<CanFrame> {
  /**
   * Lines or records skipped so far: malformed ones in lenient mode (otherwise they throw), and in
   * either mode a last line cut short (see `warnings`).
   */
  readonly skipped: number;
  /** What was skipped without failing the read, one message per case naming file and line (a cut last line). */
  readonly warnings: readonly string[];
  /** The format's extension, e.g. `.asc`. */
  readonly format: string;
  /**
   * The same frames in file order as arrays of up to about a thousand (never empty), for bulk reading:
   * one promise per batch instead of one per frame, several times less overhead per frame than
   * `for await (const frame of reader)`. Each call reads the file afresh; each array is new and the
   * caller's to keep. Breaking out of the loop closes the file.
   * @throws {TraceParseError} from the iteration, after the batches before the malformed line or record.
   */
  batches(): AsyncIterableIterator<CanFrame[]>;
}

export interface TraceWriter {
  write(frame: CanFrame): Promise<void>;
  /**
   * Flushes, finalises headers where the format has them, and renames the finished file over the
   * destination. When that fails, the temporary file is removed and the destination is left as it was.
   */
  close(): Promise<void>;
  /** Discards everything written: removes the temporary file, leaves the destination untouched. Safe after close. */
  abort(): Promise<void>;
}

export type TraceReaderFactory = (path: string, options: TraceReadOptions) => TraceReader;
export type TraceWriterFactory = (path: string) => Promise<TraceWriter>;

/**
 * What a line parser throws: the reader adds file and line and turns it into a `TraceParseError`.
 * Internal to the trace layer; callers of the public pure functions see `TraceParseError`.
 */
export class LineSyntaxError extends Error {
  readonly detail: string;
  readonly column: number | undefined;
  constructor(detail: string, column?: number) {
    super(detail);
    this.detail = detail;
    this.column = column;
  }
}
