/**
 * The socketcand ASCII protocol, as pure functions: every message is `< word args... >`.
 *
 * ```
 * server -> client   < hi >   < ok >   < error TEXT >
 *                    < frame ID SECS.USECS DATA >          classic frame (raw mode)
 *                    < fdframe ID FLAGS SECS.USECS DATA >  CAN FD frame, FLAGS bit0 BRS, bit1 ESI
 * client -> server   < open CHANNEL >   < rawmode >
 *                    < send ID DLC B0 B1 ... >            bytes as 1-2 hex digits each
 * ```
 * IDs are hex; an 8-digit ID is a 29-bit (extended) one, as socketcand prints them (`%08X` vs `%03X`).
 * DATA is hex, either one run (`11223344`, older socketcand) or space-separated bytes (newer ones).
 */
import { BusOperationError, BusProtocolError, quoteInput } from '../errors.js';
import { makeFrame, type CanFrame } from '../frame.js';

/** A message longer than this without its closing `>` is garbage, not a slow sender. */
export const MAX_MESSAGE_CHARS = 512;

export type SocketcandMessage =
  | { readonly kind: 'frame'; readonly frame: CanFrame }
  | { readonly kind: 'hi' }
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly text: string }
  | { readonly kind: 'send'; readonly frame: CanFrame }
  | { readonly kind: 'other'; readonly word: string; readonly args: readonly string[] };

/** Where in the stream a message began, for error messages. */
export interface StreamPlace {
  readonly source: string;
  /** Character offset of the message's `<` in the stream. */
  readonly offset: number;
}

function fail(place: StreamPlace, detail: string): BusProtocolError {
  return new BusProtocolError({ file: place.source, offset: place.offset }, `socketcand: ${detail}`);
}

function parseId(token: string | undefined, place: StreamPlace): { id: number; extended: boolean } {
  if (token === undefined || !/^[0-9A-Fa-f]{1,8}$/.test(token)) throw fail(place, `${quoteInput(token ?? '')} is not a hex CAN id`);
  const id = parseInt(token, 16);
  const extended = token.length === 8 || id > 0x7ff;
  if (id > 0x1fffffff) throw fail(place, `id 0x${token} does not fit 29 bits`);
  return { id, extended };
}

function parseTime(token: string | undefined, place: StreamPlace): number {
  if (token === undefined || !/^\d{1,12}(\.\d{1,9})?$/.test(token)) throw fail(place, `${quoteInput(token ?? '')} is not a SECS.USECS timestamp`);
  return Number(token);
}

function parseData(tokens: readonly string[], place: StreamPlace): Uint8Array {
  const hex = tokens.join('');
  if (!/^([0-9A-Fa-f]{2})*$/.test(hex) || tokens.some((t) => t.length % 2 !== 0)) {
    throw fail(place, `${quoteInput(tokens.join(' '))} is not hex bytes`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function frameOf(place: StreamPlace, init: Parameters<typeof makeFrame>[0]): CanFrame {
  try {
    return makeFrame(init);
  } catch (err) {
    throw fail(place, (err as Error).message);
  }
}

/**
 * Parses one complete message (`< ... >`, surrounding whitespace allowed).
 * @param channel - the channel name stamped on frames.
 * @throws {BusProtocolError} naming the stream offset when the message is malformed.
 */
export function parseSocketcandMessage(text: string, channel: string, place: StreamPlace): SocketcandMessage {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<') || !trimmed.endsWith('>')) throw fail(place, `${quoteInput(trimmed)} is not a < ... > message`);
  const tokens = trimmed.slice(1, -1).trim().split(/\s+/).filter((t) => t.length > 0);
  const [word, ...args] = tokens;
  switch (word) {
    case undefined:
      throw fail(place, 'empty message');
    case 'hi':
    case 'ok':
      return { kind: word };
    case 'error':
      return { kind: 'error', text: args.join(' ') };
    case 'frame': {
      const { id, extended } = parseId(args[0], place);
      const timestamp = parseTime(args[1], place);
      const data = parseData(args.slice(2), place);
      if (data.length > 8) throw fail(place, `a classic frame carries at most 8 bytes, not ${data.length}`);
      return { kind: 'frame', frame: frameOf(place, { id, extended, timestamp, channel, data }) };
    }
    case 'fdframe': {
      const { id, extended } = parseId(args[0], place);
      const flagsToken = args[1] ?? '';
      if (!/^[0-9A-Fa-f]{1,2}$/.test(flagsToken)) throw fail(place, `${quoteInput(flagsToken)} is not hex FD flags`);
      const flags = parseInt(flagsToken, 16);
      const timestamp = parseTime(args[2], place);
      const data = parseData(args.slice(3), place);
      return {
        kind: 'frame',
        frame: frameOf(place, { id, extended, timestamp, channel, data, fd: true, brs: (flags & 1) !== 0, esi: (flags & 2) !== 0 }),
      };
    }
    case 'send': {
      const { id, extended } = parseId(args[0], place);
      const dlcToken = args[1] ?? '';
      if (!/^[0-8]$/.test(dlcToken)) throw fail(place, `${quoteInput(dlcToken)} is not a DLC from 0 to 8`);
      const bytes = args.slice(2);
      if (bytes.length !== Number(dlcToken) || bytes.some((b) => !/^[0-9A-Fa-f]{1,2}$/.test(b))) {
        throw fail(place, `DLC ${dlcToken} but data ${quoteInput(bytes.join(' '))}`);
      }
      return { kind: 'send', frame: frameOf(place, { id, extended, channel, data: bytes.map((b) => parseInt(b, 16)) }) };
    }
    default:
      if (!/^[a-z_]+$/.test(word)) throw fail(place, `${quoteInput(word)} is not a command word`);
      return { kind: 'other', word, args };
  }
}

function hexId(frame: CanFrame): string {
  return frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 3, '0');
}

function hexBytes(data: Uint8Array, sep: string): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += (i > 0 ? sep : '') + (data[i] as number).toString(16).toUpperCase().padStart(2, '0');
  return s;
}

/**
 * The client's `< send ... >` for a frame.
 * @throws {BusOperationError} for frames the protocol's send command cannot carry (FD, remote, error frames).
 */
export function formatSend(frame: CanFrame): string {
  if (frame.fd || frame.rtr || frame.error) {
    throw new BusOperationError(`socketcand: < send > carries classic data frames only, not ${frame.fd ? 'CAN FD' : frame.rtr ? 'remote' : 'error'} frames`);
  }
  const data = frame.data.subarray(0, 8);
  return `< send ${hexId(frame)} ${data.length}${data.length > 0 ? ' ' + hexBytes(data, ' ') : ''} >`;
}

/** The server's raw-mode `< frame ... >` (or `< fdframe ... >`) for a frame, as socketcand prints it. */
export function formatFrame(frame: CanFrame): string {
  const secs = Math.floor(frame.timestamp);
  const usecs = Math.min(999_999, Math.round((frame.timestamp - secs) * 1e6));
  const time = `${secs}.${String(usecs).padStart(6, '0')}`;
  if (frame.fd) {
    const flags = (frame.brs ? 1 : 0) | (frame.esi ? 2 : 0);
    return `< fdframe ${hexId(frame)} ${flags.toString(16).toUpperCase().padStart(2, '0')} ${time} ${hexBytes(frame.data, '')} >`;
  }
  return `< frame ${hexId(frame)} ${time} ${hexBytes(frame.data, '')} >`;
}

/**
 * Splits a character stream into `< ... >` messages across arbitrary chunk boundaries.
 * Bytes outside a message and over-long messages are reported, not fatal: the stream resynchronises
 * on the next `<`.
 */
export class SocketcandSplitter {
  #buffer = '';
  #consumed = 0;

  /**
   * Feeds a chunk; returns complete messages and garbage runs with their stream offsets.
   */
  push(chunk: string): { messages: { text: string; offset: number }[]; garbage: { text: string; offset: number }[] } {
    this.#buffer += chunk;
    const messages: { text: string; offset: number }[] = [];
    const garbage: { text: string; offset: number }[] = [];
    let pos = 0;
    for (;;) {
      const start = this.#buffer.indexOf('<', pos);
      const skipped = (start < 0 ? this.#buffer.slice(pos) : this.#buffer.slice(pos, start));
      if (skipped.trim().length > 0) garbage.push({ text: skipped, offset: this.#consumed + pos });
      if (start < 0) {
        pos = this.#buffer.length;
        break;
      }
      const end = this.#buffer.indexOf('>', start);
      const nextOpen = this.#buffer.indexOf('<', start + 1);
      if (nextOpen >= 0 && (end < 0 || nextOpen < end)) {
        // A new message opened before this one closed: this one is truncated garbage.
        garbage.push({ text: this.#buffer.slice(start, nextOpen), offset: this.#consumed + start });
        pos = nextOpen;
        continue;
      }
      if (end < 0) {
        if (this.#buffer.length - start > MAX_MESSAGE_CHARS) {
          garbage.push({ text: this.#buffer.slice(start), offset: this.#consumed + start });
          pos = this.#buffer.length;
        } else {
          pos = start;
        }
        break;
      }
      messages.push({ text: this.#buffer.slice(start, end + 1), offset: this.#consumed + start });
      pos = end + 1;
    }
    this.#buffer = this.#buffer.slice(pos);
    this.#consumed += pos;
    return { messages, garbage };
  }
}
