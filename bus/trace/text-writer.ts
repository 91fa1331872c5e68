/**
 * Buffered text output for the line formats: lines gather in memory and go to the file in
 * 256 KiB writes, so writing a frame costs a string append, not a system call. The lines go to a
 * temporary file that replaces the destination on close (see `bus/files`).
 */
import type { CanFrame } from '../frame.js';
import { openAtomic, type AtomicFile } from '../files/index.js';
import { commitAfter } from './atomic-end.js';
import type { TraceWriter } from './types.js';

const FLUSH_AT = 256 * 1024;

/** Formats frames into lines; `header`/`footer` may depend on the frames seen (e.g. the first timestamp). */
export interface LineFormatter {
  /** The text for one frame, newline included (may include a header before the first frame). */
  format(frame: CanFrame): string;
  /** Text to end the file with (may include a header when no frame came). */
  finish(): string;
}

/**
 * Opens a temporary file for `path` and returns a writer using `formatter`; `path` itself is only
 * replaced when the writer closes.
 * @throws {Error} the file system error when the folder is not writable.
 */
export async function openLineWriter(path: string, formatter: LineFormatter, encoding: BufferEncoding = 'latin1'): Promise<TraceWriter> {
  return new LineWriter(await openAtomic(path), formatter, encoding);
}

class LineWriter implements TraceWriter {
  #file: AtomicFile | undefined;
  #formatter: LineFormatter;
  #encoding: BufferEncoding;
  #pending = '';

  constructor(file: AtomicFile, formatter: LineFormatter, encoding: BufferEncoding) {
    this.#file = file;
    this.#formatter = formatter;
    this.#encoding = encoding;
  }

  write(frame: CanFrame): Promise<void> {
    if (this.#file === undefined) return Promise.reject(new Error('trace writer is closed'));
    this.#pending += this.#formatter.format(frame);
    if (this.#pending.length >= FLUSH_AT) return this.#flush();
    return Promise.resolve();
  }

  async #flush(): Promise<void> {
    const text = this.#pending;
    this.#pending = '';
    if (text.length > 0 && this.#file) await this.#file.handle.write(Buffer.from(text, this.#encoding));
  }

  async close(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    this.#pending += this.#formatter.finish();
    await commitAfter(file, () => this.#flush());
    this.#file = undefined;
  }

  async abort(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    this.#pending = '';
    await file?.abort();
  }
}
