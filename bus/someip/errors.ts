/**
 * Errors of the SOME/IP layer. Parse errors name the byte offset in the datagram or stream where the
 * problem was found; serialise errors name the path of the offending value in the payload.
 */
import { BusError } from '../errors.js';

/** Bytes that are not a valid SOME/IP message, SD message or payload of the expected shape. */
export class SomeipParseError extends BusError {
  readonly offset: number;
  constructor(offset: number, detail: string, options?: { cause?: unknown }) {
    super('SOMEIP_PARSE', `SOME/IP at byte offset ${offset}: ${detail}`, options);
    this.offset = offset;
  }
}

/** A value that cannot be written with the given schema (wrong type, out of range, too long). */
export class SomeipSerializeError extends BusError {
  readonly path: string;
  constructor(path: string, detail: string) {
    super('SOMEIP_SERIALIZE', `SOME/IP payload ${path || '<root>'}: ${detail}`);
    this.path = path;
  }
}

/** A request that got no response in time, or a connection that could not be made in time. */
export class SomeipTimeoutError extends BusError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super('SOMEIP_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The remote side answered with an ERROR message or a return code other than E_OK. */
export class SomeipRemoteError extends BusError {
  readonly returnCode: number;
  constructor(what: string, returnCode: number, returnCodeName: string) {
    super('SOMEIP_REMOTE', `${what}: remote answered ${returnCodeName} (0x${returnCode.toString(16).padStart(2, '0')})`);
    this.returnCode = returnCode;
  }
}
