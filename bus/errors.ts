/**
 * Errors of the bus layer. Every error carries a stable `code` and says where the problem is
 * (file and line, byte offset, message or signal name) so a user can go straight to it.
 * The runtime maps these into its own table; `bus` imports nothing of ours, so they live here.
 */
export type BusErrorCode =
  | 'DBC_PARSE'
  | 'DBC_INVALID'
  | 'DBC_FORMAT_UNSUPPORTED'
  | 'ENCODE'
  | 'DECODE'
  | 'TRACE_PARSE'
  | 'TRACE_FORMAT_UNSUPPORTED'
  | 'BUS_INIT'
  | 'BUS_OPERATION'
  | 'BUS_CLOSED'
  | 'BUS_DOWN'
  | 'SOMEIP_PARSE'
  | 'SOMEIP_SERIALIZE'
  | 'SOMEIP_TIMEOUT'
  | 'SOMEIP_REMOTE'
  | 'J1939_TRANSPORT';

export class BusError extends Error {
  readonly code: BusErrorCode;
  constructor(code: BusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Where in a text or binary input something went wrong. Line and column are 1-based. */
export interface SourceLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly offset?: number;
}

export function formatLocation(loc: SourceLocation): string {
  const parts: string[] = [loc.file ?? '<input>'];
  if (loc.line !== undefined) parts.push(String(loc.line));
  if (loc.line !== undefined && loc.column !== undefined) parts.push(String(loc.column));
  let s = parts.join(':');
  if (loc.offset !== undefined) s += ` (byte offset ${loc.offset})`;
  return s;
}

/** How much of a quoted input an error message shows at most. */
export const QUOTE_LIMIT = 120;

/**
 * Input quoted for an error message, safe for a terminal: in double quotes, control characters and
 * anything outside printable ASCII escaped JSON-style (`\x00`, `\n`, `\u2028`), and cut with "…" when
 * longer than `limit` characters of the input or than `2 * limit` characters once escaped (a binary
 * file read as text makes lines of any length, and every byte of one may take four to escape).
 */
export function quoteInput(text: string, limit = QUOTE_LIMIT): string {
  const shown = Math.min(text.length, limit);
  const room = 2 * limit;
  let out = '';
  let i = 0;
  for (; i < shown; i++) {
    const code = text.charCodeAt(i);
    let piece: string;
    if (code >= 0x20 && code < 0x7f) piece = code === 0x22 ? '\\"' : code === 0x5c ? '\\\\' : (text[i] as string);
    else if (code === 0x09) piece = '\\t';
    else if (code === 0x0a) piece = '\\n';
    else if (code === 0x0d) piece = '\\r';
    else if (code < 0x100) piece = `\\x${code.toString(16).padStart(2, '0')}`;
    else piece = `\\u${code.toString(16).padStart(4, '0')}`;
    if (out.length + piece.length > room) break;
    out += piece;
  }
  return `"${out}"${i < text.length ? '…' : ''}`;
}

/** A syntax or structure error in a DBC file. */
export class DbcParseError extends BusError {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, detail: string, options?: { cause?: unknown }) {
    super('DBC_PARSE', `${formatLocation(location)}: ${detail}`, options);
    this.location = location;
  }
}

/** A DBC that parses but describes something impossible (strict mode turns warnings into these). */
export class DbcInvalidError extends BusError {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, detail: string) {
    super('DBC_INVALID', `${formatLocation(location)}: ${detail}`);
    this.location = location;
  }
}

/** A database in another format than DBC (KCD, ARXML), named by file; it is not read. */
export class UnsupportedDbcFormatError extends BusError {
  readonly file: string;
  readonly format: string;
  constructor(file: string, format: string) {
    super('DBC_FORMAT_UNSUPPORTED', `${file}: this is a ${format} file, and only DBC files are read (KCD and ARXML are not); convert it to DBC first, e.g. with cantools or canmatrix`);
    this.file = file;
    this.format = format;
  }
}

export class EncodeError extends BusError {
  readonly messageName: string;
  readonly signalName: string | undefined;
  constructor(messageName: string, signalName: string | undefined, detail: string) {
    super('ENCODE', `${messageName}${signalName ? `.${signalName}` : ''}: ${detail}`);
    this.messageName = messageName;
    this.signalName = signalName;
  }
}

export class DecodeError extends BusError {
  readonly messageName: string;
  constructor(messageName: string, detail: string) {
    super('DECODE', `${messageName}: ${detail}`);
    this.messageName = messageName;
  }
}

/** A malformed line, record or object in a trace file. */
export class TraceParseError extends BusError {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, detail: string, options?: { cause?: unknown }) {
    super('TRACE_PARSE', `${formatLocation(location)}: ${detail}`, options);
    this.location = location;
  }
}

export class UnsupportedTraceFormatError extends BusError {
  readonly known: readonly string[];
  constructor(path: string, known: readonly string[], mode: 'read' | 'write') {
    super('TRACE_FORMAT_UNSUPPORTED', `${path}: cannot ${mode} this format; known extensions: ${known.join(', ')}`);
    this.known = known;
  }
}

export class BusInitError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUS_INIT', message, options);
  }
}

export class BusOperationError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUS_OPERATION', message, options);
  }
}

export class BusClosedError extends BusError {
  constructor(name: string) {
    super('BUS_CLOSED', `${name}: the bus is closed`);
  }
}

/** A send while the bus's link is lost and being re-established: refused at once, not queued. */
export class BusDownError extends BusError {
  readonly state: string;
  constructor(name: string, state: string, lastError: string | undefined) {
    super('BUS_DOWN', `${name}: the link is ${state}${lastError ? ` (${lastError})` : ''}; frame not sent`);
    this.state = state;
  }
}

/** A malformed message from a transport's peer (a socketcand line, a UDP datagram); names the stream or datagram offset. */
export class BusProtocolError extends BusOperationError {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, detail: string, options?: { cause?: unknown }) {
    super(`${formatLocation(location)}: ${detail}`, options);
    this.location = location;
  }
}
