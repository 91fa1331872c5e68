/**
 * `compileDatabase`: every message of a database compiled once into its codec, indexed by name and
 * by (id, extended). The result is immutable; compile again for a new database.
 */
import type { CanFrame } from '../frame.js';
import { compileMessage, type MessageCodec } from './message-codec.js';
import { idKey, type DbcDatabase } from './model.js';

export interface CompiledDatabase {
  readonly database: DbcDatabase;
  readonly codecs: readonly MessageCodec[];
  byName(name: string): MessageCodec | undefined;
  byId(id: number, extended: boolean): MessageCodec | undefined;
  /** The codec for a frame's id and extended flag (FD or not does not matter). */
  forFrame(frame: CanFrame): MessageCodec | undefined;
}

/**
 * Compiles every message of `db`. Later messages win on duplicate names or ids, as in the database's
 * own lookups.
 * @throws {never} compiling cannot fail: everything questionable was settled (or warned about) by the parser
 */
export function compileDatabase(db: DbcDatabase): CompiledDatabase {
  const codecs = db.messages.map(compileMessage);
  const byName = new Map<string, MessageCodec>();
  const byId = new Map<number, MessageCodec>();
  for (const c of codecs) {
    byName.set(c.message.name, c);
    byId.set(idKey(c.message.id, c.message.extended), c);
  }
  return Object.freeze({
    database: db,
    codecs: Object.freeze(codecs),
    byName: (name: string) => byName.get(name),
    byId: (id: number, extended: boolean) => byId.get(idKey(id, extended)),
    forFrame: (frame: CanFrame) => byId.get(idKey(frame.id, frame.extended)),
  });
}
