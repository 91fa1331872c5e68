/**
 * What `trace cat` adds to frames: the DBC message and signals (`--dbc`), the J1939 reading of
 * 29-bit ids on a J1939 bus, and with `--j1939-tp` one line per multi-frame parameter group the
 * transport protocol carried, decoded with the DBC where it describes the PGN.
 */
import { bytesToHex, type CanFrame } from '../bus/frame.js';
import {
  TransportReassembler, TP_DROP_REASONS, describeDrop, isPdu1Pgn, parseJ1939Id, type TpDrop, type TpMessage,
} from '../bus/j1939/index.js';
import { j1939Json, type DecodedFields } from '../bus/trace/jsonl.js';

/** The slice of the DBC API `--dbc` needs; loaded at run time so trace commands work without it. */
interface DbcCodec {
  readonly message: { readonly name: string };
  decode(data: Uint8Array): Record<string, number | string>;
}
interface CompiledDbc {
  forFrame(frame: CanFrame): DbcCodec | undefined;
  byPgn(pgn: number): DbcCodec | undefined;
  readonly j1939: boolean;
}
interface DbcModule {
  loadDbcFile(file: string): Promise<{ database: unknown }>;
  compileDatabase(database: unknown, options: { allExtended?: boolean }): CompiledDbc;
}

export interface CatDecodeOptions {
  /** The DBC for `msg` and `sig`. */
  readonly dbc: string | undefined;
  /** Every extended message of the DBC is a J1939 parameter group (`--j1939`). */
  readonly j1939: boolean;
  /** Reassemble transport sessions and print a line per message (`--j1939-tp`). */
  readonly transport: boolean;
}

export interface CatDecoder {
  /** Fields to add to a frame's line, if any. */
  annotate(frame: CanFrame): DecodedFields | undefined;
  /** The line of the message this frame completes, if any (only with `transport`). */
  reassemble(frame: CanFrame): string | undefined;
  /** Lines for stderr once the input ended: reassembly counts and what was dropped. */
  finish(lastTimestamp: number): string[];
}

async function loadDbc(file: string, allExtended: boolean): Promise<CompiledDbc> {
  const specifier = '../bus/dbc/index.js';
  let mod: Partial<DbcModule>;
  try {
    mod = (await import(specifier)) as Partial<DbcModule>;
  } catch (err) {
    throw new Error(`--dbc needs the DBC module, which failed to load: ${(err as Error).message}`);
  }
  if (typeof mod.loadDbcFile !== 'function' || typeof mod.compileDatabase !== 'function') throw new Error('--dbc: the DBC module lacks loadDbcFile/compileDatabase');
  const { database } = await mod.loadDbcFile(file);
  return mod.compileDatabase(database, { allExtended });
}

function decodeWith(codec: DbcCodec | undefined, data: Uint8Array): DecodedFields | undefined {
  if (!codec) return undefined;
  try {
    return { msg: codec.message.name, sig: codec.decode(data) };
  } catch {
    // A payload the message cannot decode (bad multiplexer, short frame) prints without signals.
    return undefined;
  }
}

function round6(t: number): string {
  const r = Math.round(t * 1e6) / 1e6;
  return Number.isFinite(r) ? String(r) : '0';
}

/** The line of a reassembled message: no `id`, so a frame reader does not take it for a frame. */
export function tpMessageLine(m: TpMessage, decoded: DecodedFields | undefined): string {
  let s =
    `{"t":${round6(m.timestamp)},"ch":${JSON.stringify(m.channel)},"tp":"${m.mode}","t0":${round6(m.startedAt)}` +
    `,"j1939":${j1939Json({ pri: m.priority, pgn: m.pgn, sa: m.sourceAddress, da: m.destinationAddress })}` +
    `,"len":${m.data.length},"data":"${bytesToHex(m.data)}"`;
  if (decoded?.msg !== undefined) s += `,"msg":${JSON.stringify(decoded.msg)},"sig":${JSON.stringify(decoded.sig ?? {})}`;
  return s + '}';
}

/** @throws what loading the DBC throws (a DbcParseError for a malformed file) */
export async function makeCatDecoder(options: CatDecodeOptions): Promise<CatDecoder> {
  const compiled = options.dbc === undefined ? undefined : await loadDbc(options.dbc, options.j1939);
  const j1939Bus = options.j1939 || options.transport || compiled?.j1939 === true;
  const drops: TpDrop[] = [];
  const shownDrops = 10;
  const reassembler = options.transport
    ? new TransportReassembler({ onDrop: (d) => { if (drops.length < shownDrops) drops.push(d); } })
    : undefined;
  return {
    annotate(frame) {
      if (frame.error || frame.rtr) return undefined;
      const decoded = decodeWith(compiled?.forFrame(frame), frame.data);
      if (!j1939Bus || !frame.extended) return decoded;
      const id = parseJ1939Id(frame.id);
      return { ...decoded, j1939: { pri: id.priority, pgn: id.pgn, sa: id.sourceAddress, da: id.destinationAddress } };
    },
    reassemble(frame) {
      const m = reassembler?.push(frame);
      if (!m) return undefined;
      // A PDU1 group's PGN has 0 in its PS byte; some senders put the destination there.
      const pgn = isPdu1Pgn(m.pgn) ? m.pgn & 0x3ff00 : m.pgn;
      return tpMessageLine(m, decodeWith(compiled?.byPgn(pgn), m.data));
    },
    finish(lastTimestamp) {
      if (!reassembler) return [];
      reassembler.end(lastTimestamp);
      const st = reassembler.stats;
      const counted = TP_DROP_REASONS.filter((r) => st.drops[r] > 0).map((r) => `${r} ${st.drops[r]}`);
      const total = TP_DROP_REASONS.reduce((n, r) => n + st.drops[r], 0);
      return [
        `j1939 transport: ${st.messages} message(s) reassembled, ${total} dropped${counted.length ? ` (${counted.join(', ')})` : ''}, at most ${st.peakSessions} session(s) open`,
        ...drops.map((d) => `  dropped: ${describeDrop(d)}`),
        ...(total > drops.length ? [`  (${total - drops.length} more drop(s) not listed)`] : []),
      ];
    },
  };
}
