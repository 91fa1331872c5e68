/**
 * Which messages of a DBC are SAE J1939 parameter groups, matched by PGN whatever the sender.
 *
 * A message is a J1939 parameter group when it has a 29-bit id and either its `VFrameFormat`
 * (its own value, else the definition's default) is `J1939PG`, or it sets no `VFrameFormat` of its
 * own and the database's `ProtocolType` is J1939. `VFrameFormat` is the per-message rule cantools
 * applies (its `protocol == 'j1939'`); `ProtocolType` is what CANdb++ writes on J1939 databases.
 * A caller may also declare every extended message a parameter group (a J1939 DBC that carries
 * neither attribute, as many exported ones do).
 */
import type { AttributeValue, DbcDatabase, DbcMessage } from './model.js';

export interface J1939Options {
  /** Treat every extended message as a J1939 parameter group, whatever the attributes say. */
  readonly allExtended?: boolean;
}

function attributeOrDefault(db: DbcDatabase, own: ReadonlyMap<string, AttributeValue>, name: string): AttributeValue | undefined {
  return own.get(name) ?? db.attributeDefinitions.get(name)?.defaultValue;
}

/** True when the database-level `ProtocolType` (set, else default) names J1939. */
export function isJ1939Database(db: DbcDatabase): boolean {
  const protocol = attributeOrDefault(db, db.attributes, 'ProtocolType');
  return typeof protocol === 'string' && /^j1939/i.test(protocol.trim());
}

/** The messages of `db` that are matched by PGN, by the rule in this file's header. */
export function j1939Messages(db: DbcDatabase, options: J1939Options = {}): DbcMessage[] {
  const database = isJ1939Database(db);
  return db.messages.filter((m) => {
    if (!m.extended) return false;
    if (options.allExtended === true) return true;
    const format = attributeOrDefault(db, m.attributes, 'VFrameFormat');
    if (format === 'J1939PG') return true;
    return !m.attributes.has('VFrameFormat') && database;
  });
}
