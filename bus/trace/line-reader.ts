/**
 * Reading line-based trace formats in constant memory: the file is read in fixed 1 MiB chunks,
 * cut at the last newline of each chunk, and every line goes to the format's parser. A parser is
 * created per iteration, so stateful formats (ASC headers, TRC columns) start fresh each time.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { CanFrame } from '../frame.js';
import { TraceParseError } from '../errors.js';
import { BatchIterator, type FrameBatchSource } from './batch-iterator.js';
import { LineSyntaxError, type TraceReader, type TraceReadOptions } from './types.js';

/** Turns one line (without its newline) into a frame, or null for lines that carry none. */
export interface LineParser {
  parse(line: string): CanFrame | null;
}

const CHUNK = 1 << 20;

/** A `TraceReader` over a line-based file. */
export class LineTraceReader implements TraceReader {
  readonly format: string;
  readonly #path: string;
  readonly #lenient: boolean;
  readonly #makeParser: () => LineParser;
  readonly #encoding: BufferEncoding;
  #skipped = 0;

  /**
   * @param encoding - `latin1` for the vendor formats (any byte is a character, so no file can fail
   *   to decode), `utf8` for JSON lines.
   */
  constructor(format: string, path: string, options: TraceReadOptions, makeParser: () => LineParser, encoding: BufferEncoding = 'latin1') {
    this.format = format;
    this.#path = path;
    this.#lenient = options.lenient ?? false;
    this.#makeParser = makeParser;
    this.#encoding = encoding;
  }

  get skipped(): number {
    return this.#skipped;
  }

  [Symbol.asyncIterator](): AsyncIterator<CanFrame> {
    return new BatchIterator(this.#source());
  }

  #source(): FrameBatchSource {
    const parser = this.#makeParser();
    const buffer = Buffer.allocUnsafe(CHUNK);
    let handle: FileHandle | undefined;
    let carry: Buffer = Buffer.alloc(0);
    let lineNo = 0;
    let eof = false;
    // A malformed line fails the read only after the frames before it were handed out.
    let pendingError: TraceParseError | undefined;
    const parseText = (text: string, out: CanFrame[]): void => {
      let pos = 0;
      const len = text.length;
      while (pos < len) {
        let nl = text.indexOf('\n', pos);
        if (nl < 0) nl = len;
        let end = nl;
        if (end > pos && text.charCodeAt(end - 1) === 13) end--;
        lineNo++;
        const line = text.slice(pos, end);
        pos = nl + 1;
        try {
          const frame = parser.parse(line);
          if (frame !== null) out.push(frame);
        } catch (err) {
          if (!(err instanceof LineSyntaxError)) throw err;
          if (this.#lenient) {
            this.#skipped++;
            continue;
          }
          pendingError = new TraceParseError({ file: this.#path, line: lineNo, ...(err.column === undefined ? {} : { column: err.column }) }, err.detail, { cause: err });
          return;
        }
      }
    };
    return {
      next: async () => {
        if (pendingError) throw pendingError;
        if (eof) return null;
        handle ??= await open(this.#path, 'r');
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        const out: CanFrame[] = [];
        if (bytesRead === 0) {
          eof = true;
          if (carry.length > 0) parseText(carry.toString(this.#encoding), out);
          carry = Buffer.alloc(0);
          return out;
        }
        const lastNl = buffer.lastIndexOf(10, bytesRead - 1);
        if (lastNl < 0) {
          // No newline yet: a line longer than a chunk; keep gathering.
          carry = Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
          return out;
        }
        const head = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, lastNl)]) : buffer.subarray(0, lastNl);
        // Copy the tail out: the chunk buffer is reused by the next read.
        carry = Buffer.from(buffer.subarray(lastNl + 1, bytesRead));
        parseText(head.toString(this.#encoding), out);
        return out;
      },
      close: async () => {
        eof = true;
        await handle?.close();
        handle = undefined;
      },
    };
  }
}
