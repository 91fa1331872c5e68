/**
 * Buffered text output for the line formats: lines gather in memory and go to the file in
 * 256 KiB writes, so writing a frame costs a string append, not a system call.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { CanFrame } from '../frame.js';
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
 * Opens `path` for writing and returns a writer using `formatter`.
 * @throws {Error} the file system error when the file cannot be created.
 */
export async function openLineWriter(path: string, formatter: LineFormatter, encoding: BufferEncoding = 'latin1'): Promise<TraceWriter> {
  const handle = await open(path, 'w');
  return new LineWriter(handle, formatter, encoding);
}

class LineWriter implements TraceWriter {
  #handle: FileHandle | undefined;
  #formatter: LineFormatter;
  #encoding: BufferEncoding;
  #pending = '';

  constructor(handle: FileHandle, formatter: LineFormatter, encoding: BufferEncoding) {
    this.#handle = handle;
    this.#formatter = formatter;
    this.#encoding = encoding;
  }

  write(frame: CanFrame): Promise<void> {
    if (this.#handle === undefined) return Promise.reject(new Error('trace writer is closed'));
    this.#pending += this.#formatter.format(frame);
    if (this.#pending.length >= FLUSH_AT) return this.#flush();
    return Promise.resolve();
  }

  async #flush(): Promise<void> {
    const text = this.#pending;
    this.#pending = '';
    if (text.length > 0 && this.#handle) await this.#handle.write(Buffer.from(text, this.#encoding));
  }

  async close(): Promise<void> {
    if (this.#handle === undefined) return;
    this.#pending += this.#formatter.finish();
    await this.#flush();
    const handle = this.#handle;
    this.#handle = undefined;
    await handle.close();
  }
}
