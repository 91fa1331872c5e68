/**
 * Reading line-based trace formats in constant memory. The file is read in 1 MiB chunks into two
 * buffers taking turns, the next chunk read while this one is parsed (a line longer than 64 KiB gets a
 * buffer of its own, up to the line length limit); lines are found by scanning the bytes for newlines and each
 * goes to the format's parser as a byte range, so no line is decoded into a string. Frames copy their
 * payload into a `ByteSlab` and intern their channel names, so nothing they hold points into the read
 * buffer. A parser is created per iteration, so stateful formats (ASC headers, TRC columns) start
 * fresh each time.
 *
 * A line longer than `maxLineBytes` fails the read as soon as that many bytes pass without a newline,
 * so a file that is one endless line (a binary file, a crafted comment) costs no more memory than the
 * limit and a chunk, and no time decoding it.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { CanFrame } from '../frame.js';
import { TraceParseError } from '../errors.js';
import { BatchIterator, BatchStream, type FrameBatchSource } from './batch-iterator.js';
import { ByteSlab } from './byte-slab.js';
import { quoteChars, type Chars } from './chars.js';
import { DEFAULT_MAX_LINE_BYTES, LineSyntaxError, type TraceReader, type TraceReadOptions } from './types.js';

/** Turns one line into a frame, or null for lines that carry none. */
export interface LineParser {
  /**
   * The line is `c[start..end)`, without its newline (and carriage return). Payload bytes go into
   * `slab`. Columns in errors count from `start`.
   * @throws {LineSyntaxError} for a malformed line.
   */
  parseLine(c: Chars, start: number, end: number, slab: ByteSlab): CanFrame | null;
  /**
   * Whether a last line without a newline, which gave no frame or did not parse, is a frame line cut
   * short (a recording that stopped mid-line) rather than a header or footer line. Such a line is
   * skipped with a warning instead of vanishing or failing the read. Formats without it do neither.
   */
  isCutShort?(c: Chars, start: number, end: number): boolean;
}

const CHUNK = 1 << 20;
/** Room before each chunk for the unfinished line of the previous one. */
const HEAD = 1 << 16;
/**
 * Frames per batch. Small enough that a batch dies young (a whole megabyte of frames held at once
 * would be copied by the young-generation GC), large enough to amortise the promise per batch.
 */
const BATCH = 1024;

/** A `TraceReader` over a line-based file. */
export class LineTraceReader implements TraceReader {
  readonly format: string;
  readonly #path: string;
  readonly #lenient: boolean;
  readonly #maxLine: number;
  readonly #makeParser: () => LineParser;
  readonly #payloads: boolean;
  #skipped = 0;
  readonly #warnings: string[] = [];

  constructor(format: string, path: string, options: TraceReadOptions, makeParser: () => LineParser) {
    this.format = format;
    this.#path = path;
    this.#lenient = options.lenient ?? false;
    this.#maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isSafeInteger(this.#maxLine) || this.#maxLine < 1) throw new RangeError(`maxLineBytes must be a whole number of bytes, at least 1, not ${String(options.maxLineBytes)}`);
    this.#makeParser = makeParser;
    this.#payloads = options.payloads ?? true;
  }

  get skipped(): number {
    return this.#skipped;
  }

  get warnings(): readonly string[] {
    return this.#warnings;
  }

  [Symbol.asyncIterator](): AsyncIterator<CanFrame> {
    return new BatchIterator(this.#source());
  }

  batches(): AsyncIterableIterator<CanFrame[]> {
    return new BatchStream(this.#source());
  }

  /** Counts and reports a cut last line; false when the format says the line is whole. */
  #skipIfCutShort(parser: LineParser, c: Chars, start: number, end: number, line: number): boolean {
    if (parser.isCutShort?.(c, start, end) !== true) return false;
    this.#skipped++;
    this.#warnings.push(`${this.#path}:${line}: the last line is cut short (no newline at the end of the file), skipped: ${quoteChars(c, start, end)}`);
    return true;
  }

  #tooLong(c: Chars, start: number, end: number, line: number, offset: number): TraceParseError {
    return new TraceParseError(
      { file: this.#path, line, offset },
      `line longer than ${this.#maxLine} bytes (the limit; TraceReadOptions.maxLineBytes raises it), starting ${quoteChars(c, start, end)}`,
    );
  }

  #source(): FrameBatchSource {
    const parser = this.#makeParser();
    const slab = new ByteSlab(undefined, this.#payloads);
    let buffer: Buffer = Buffer.alloc(0);
    // The next chunk is read into `spare` (after HEAD bytes of room) while this one is parsed.
    let spare: Buffer | undefined;
    let ahead: Promise<number> | undefined;
    // Unparsed bytes are buffer[pos..end); buffer[pos..scanned) holds no newline.
    let pos = 0;
    let end = 0;
    let scanned = 0;
    let handle: FileHandle | undefined;
    let eof = false;
    let done = false;
    let lineNo = 0;
    // Bytes read from the file so far: buffer[i] is at file offset `readTotal - (end - i)`.
    let readTotal = 0;
    // Passing over the rest of a line too long to read (lenient mode), up to its newline.
    let discarding = false;
    const maxLine = this.#maxLine;
    // A malformed line fails the read only after the frames before it were handed out.
    let pendingError: TraceParseError | undefined;

    const readAhead = (h: FileHandle): void => {
      const into = spare ?? Buffer.allocUnsafe(HEAD + CHUNK);
      spare = into;
      ahead = h.read(into, HEAD, CHUNK, null).then((r) => r.bytesRead);
      // Awaited in `fill` or `close`; marked handled so an early exit leaves no unhandled rejection.
      ahead.catch(() => undefined);
    };

    const fill = async (h: FileHandle): Promise<void> => {
      if (ahead === undefined) readAhead(h);
      const bytesRead = await (ahead as Promise<number>);
      ahead = undefined;
      const fresh = spare as Buffer;
      spare = undefined;
      if (bytesRead === 0) {
        eof = true;
        return;
      }
      readTotal += bytesRead;
      const tail = end - pos;
      const seen = scanned - pos;
      let next: Buffer;
      let start: number;
      if (tail <= HEAD) {
        // The unfinished line moves in front of the fresh bytes.
        buffer.copy(fresh, HEAD - tail, pos, end);
        next = fresh;
        start = HEAD - tail;
      } else {
        // A line longer than HEAD: join it with the fresh bytes (memory follows the longest line only).
        next = Buffer.allocUnsafe(tail + bytesRead);
        buffer.copy(next, 0, pos, end);
        fresh.copy(next, tail, HEAD, HEAD + bytesRead);
        start = 0;
        spare = fresh;
      }
      // The chunk just finished is free again: it takes the next read.
      if (spare === undefined && buffer.length === HEAD + CHUNK) spare = buffer;
      buffer = next;
      pos = start;
      scanned = start + seen;
      end = start + tail + bytesRead;
      readAhead(h);
    };

    return {
      next: async () => {
        if (pendingError) throw pendingError;
        if (done) return null;
        handle ??= await open(this.#path, 'r');
        const out: CanFrame[] = [];
        while (out.length < BATCH) {
          // memchr beats a loop over the bytes; what lies past `end` is stale and does not count.
          let nl = buffer.indexOf(10, scanned);
          if (nl < 0 || nl > end) nl = end;
          if (discarding) {
            // Nothing of a line already reported as too long is kept, its newline is all that is sought.
            pos = scanned = nl === end ? end : nl + 1;
            discarding = nl === end;
            if (nl < end) continue;
            if (eof) {
              done = true;
              break;
            }
            await fill(handle);
            continue;
          }
          if (nl === end) {
            scanned = end;
            if (!eof) {
              // Too long already, whatever follows (a carriage return at the end may still be the line's end).
              if (end - pos - (buffer[end - 1] === 13 ? 1 : 0) > maxLine) {
                lineNo++;
                if (this.#lenient) {
                  this.#skipped++;
                  discarding = true;
                  pos = scanned = end;
                  continue;
                }
                pendingError = this.#tooLong(buffer, pos, end, lineNo, readTotal - (end - pos));
                break;
              }
              await fill(handle);
              continue;
            }
            if (pos === end) {
              done = true;
              break;
            }
          }
          let lineEnd = nl;
          if (lineEnd > pos && buffer[lineEnd - 1] === 13) lineEnd--;
          lineNo++;
          const start = pos;
          const unterminated = nl === end;
          pos = unterminated ? end : nl + 1;
          scanned = pos;
          if (lineEnd - start > maxLine) {
            if (this.#lenient) {
              this.#skipped++;
              continue;
            }
            pendingError = this.#tooLong(buffer, start, lineEnd, lineNo, readTotal - (end - start));
            break;
          }
          try {
            const frame = parser.parseLine(buffer, start, lineEnd, slab);
            if (frame !== null) out.push(frame);
            else if (unterminated) this.#skipIfCutShort(parser, buffer, start, lineEnd, lineNo);
          } catch (err) {
            if (!(err instanceof LineSyntaxError)) throw err;
            if (unterminated && this.#skipIfCutShort(parser, buffer, start, lineEnd, lineNo)) continue;
            if (this.#lenient) {
              this.#skipped++;
              continue;
            }
            pendingError = new TraceParseError({ file: this.#path, line: lineNo, ...(err.column === undefined ? {} : { column: err.column }) }, err.detail, { cause: err });
            break;
          }
        }
        return out;
      },
      close: async () => {
        done = true;
        // Let a read in flight finish before its file closes under it.
        await ahead?.catch(() => undefined);
        ahead = undefined;
        await handle?.close();
        handle = undefined;
      },
    };
  }
}
