/**
 * `compileDatabase`: every message of a database compiled once into its codec, indexed by name,
 * by (id, extended) and, for J1939 parameter groups, by PGN. The result is immutable; compile again
 * for a new database.
 */
import type { CanFrame } from '../frame.js';
import { pgnOfId } from '../j1939/id.js';
import { j1939Messages, type J1939Options } from './j1939.js';
import { compileMessage, type MessageCodec } from './message-codec.js';
import { idKey, type DbcDatabase } from './model.js';

export interface CompiledDatabase {
  readonly database: DbcDatabase;
  readonly codecs: readonly MessageCodec[];
  byName(name: string): MessageCodec | undefined;
  byId(id: number, extended: boolean): MessageCodec | undefined;
  /**
   * The codec for a frame's id and extended flag (FD or not does not matter). An extended frame no
   * message has the exact id of is then matched by its PGN against the J1939 parameter groups, so
   * any source address, priority and (PDU1) destination address finds the message.
   */
  forFrame(frame: CanFrame): MessageCodec | undefined;
  /** The J1939 parameter group with this PGN (PDU1 PGNs have 0 in the PS byte). */
  byPgn(pgn: number): MessageCodec | undefined;
  /** True when at least one message is a J1939 parameter group (see `j1939.ts` for the rule). */
  readonly j1939: boolean;
  /** True when this codec's message is a J1939 parameter group. */
  isParameterGroup(codec: MessageCodec): boolean;
}

export type CompileOptions = J1939Options;

/**
 * Compiles every message of `db`. Later messages win on duplicate names, ids or PGNs, as in the
 * database's own lookups; an exact id match wins over a PGN match.
 * @param options - `allExtended`: every extended message is a J1939 parameter group
 * @throws {never} compiling cannot fail: everything questionable was settled (or warned about) by the parser
 */
export function compileDatabase(db: DbcDatabase, options: CompileOptions = {}): CompiledDatabase {
  const codecs = db.messages.map(compileMessage);
  const byName = new Map<string, MessageCodec>();
  const byId = new Map<number, MessageCodec>();
  for (const c of codecs) {
    byName.set(c.message.name, c);
    byId.set(idKey(c.message.id, c.message.extended), c);
  }
  const groups = new Set(j1939Messages(db, options));
  const byPgn = new Map<number, MessageCodec>();
  const groupCodecs = new Set<MessageCodec>();
  for (const c of codecs) {
    if (!groups.has(c.message)) continue;
    byPgn.set(pgnOfId(c.message.id), c);
    groupCodecs.add(c);
  }
  const exact = (frame: CanFrame): MessageCodec | undefined => byId.get(idKey(frame.id, frame.extended));
  // A database without parameter groups keeps the one-lookup function: the standard path pays nothing.
  const forFrame =
    byPgn.size === 0
      ? exact
      : (frame: CanFrame): MessageCodec | undefined =>
          byId.get(idKey(frame.id, frame.extended)) ?? (frame.extended ? byPgn.get(pgnOfId(frame.id)) : undefined);
  return Object.freeze({
    database: db,
    codecs: Object.freeze(codecs),
    byName: (name: string) => byName.get(name),
    byId: (id: number, extended: boolean) => byId.get(idKey(id, extended)),
    forFrame,
    byPgn: (pgn: number) => byPgn.get(pgn),
    j1939: byPgn.size > 0,
    isParameterGroup: (codec: MessageCodec) => groupCodecs.has(codec),
  });
}
