/**
 * The immutable database a DBC file describes: nodes, messages, signals, value tables and attributes.
 *
 * Bit numbering follows the DBC convention. Bit `b` is bit `b % 8` (0 = least significant) of byte
 * `floor(b / 8)`. A little-endian (Intel) signal names its least significant bit as `startBit` and
 * grows upwards; a big-endian (Motorola) signal names its most significant bit and grows "downwards"
 * through the byte, continuing at bit 7 of the next byte:
 *
 * ```
 *            bit:  7  6  5  4  3  2  1  0
 *   byte 0        [.  .  .  .  .  M  x  x]   Motorola 12-bit signal, startBit 2 (its MSB)
 *   byte 1        [x  x  x  x  x  x  x  L]   ... continues at bit 15 down to bit 8 (its LSB)
 * ```
 */
import type { SourceLocation } from '../errors.js';

export type ByteOrder = 'little_endian' | 'big_endian';
export type AttributeValue = number | string;
export type AttributeObjectType = '' | 'BU_' | 'BO_' | 'SG_' | 'EV_';

/** A problem the parser recovered from. `strict: true` turns each of these into a DbcInvalidError. */
export interface DbcWarning {
  readonly location: SourceLocation;
  readonly message: string;
}

export interface DbcAttributeDefinition {
  readonly name: string;
  /** Which objects the attribute applies to; '' means the database itself. */
  readonly objectType: AttributeObjectType;
  readonly valueType: 'INT' | 'HEX' | 'FLOAT' | 'STRING' | 'ENUM';
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly enumValues: readonly string[];
  readonly defaultValue: AttributeValue | undefined;
}

export interface DbcSignal {
  readonly name: string;
  readonly startBit: number;
  readonly length: number;
  readonly byteOrder: ByteOrder;
  readonly signed: boolean;
  /** IEEE float width from `SIG_VALTYPE_` (1 = 32, 2 = 64), or false for integers. */
  readonly float: false | 32 | 64;
  readonly scale: number;
  readonly offset: number;
  /** Physical range; undefined when the file gives `[0|0]`, which DBC tools read as "no range". */
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly unit: string;
  readonly receivers: readonly string[];
  readonly choices: ReadonlyMap<number, string>;
  readonly comment: string | undefined;
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  /** True for a multiplexer switch (`M` or `mNM`). */
  readonly isMultiplexer: boolean;
  /** The switch this signal depends on, or undefined for a signal present in every frame. */
  readonly multiplexerSignal: string | undefined;
  /** Switch values under which this signal is present (sorted), or undefined when not multiplexed. */
  readonly multiplexerIds: readonly number[] | undefined;
  readonly location: SourceLocation;
}

export interface DbcMessage {
  readonly name: string;
  /** The identifier without the DBC "extended" flag (bit 31). */
  readonly id: number;
  readonly extended: boolean;
  readonly fd: boolean;
  /** Payload length in bytes as the file declares it. */
  readonly length: number;
  readonly senders: readonly string[];
  readonly signals: readonly DbcSignal[];
  readonly comment: string | undefined;
  /** Attribute values set on this message with `BA_` (definitions' defaults are not copied in). */
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  /** `GenMsgCycleTime` (set or default); undefined when absent or 0 (not cyclic). */
  readonly cycleTimeMs: number | undefined;
  readonly isMultiplexed: boolean;
  readonly location: SourceLocation;
}

export interface DbcNode {
  readonly name: string;
  readonly comment: string | undefined;
  readonly attributes: ReadonlyMap<string, AttributeValue>;
}

export interface DbcDatabase {
  readonly version: string;
  readonly nodes: readonly DbcNode[];
  readonly messages: readonly DbcMessage[];
  readonly valueTables: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** Database-level attribute values (`BA_ "name" value;`). */
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  readonly attributeDefinitions: ReadonlyMap<string, DbcAttributeDefinition>;
  messageByName(name: string): DbcMessage | undefined;
  messageById(id: number, extended: boolean): DbcMessage | undefined;
}

/** Key of the id index: extended and standard ids live in separate spaces. */
export function idKey(id: number, extended: boolean): number {
  return extended ? id + 0x1_0000_0000 : id;
}

interface DatabaseParts {
  readonly version: string;
  readonly nodes: readonly DbcNode[];
  readonly messages: readonly DbcMessage[];
  readonly valueTables: ReadonlyMap<string, ReadonlyMap<number, string>>;
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  readonly attributeDefinitions: ReadonlyMap<string, DbcAttributeDefinition>;
}

/**
 * Freezes the parts into a database with name and id indexes. When two messages share a name or
 * an id, the later one wins in the index (the parser has already warned); both stay in `messages`.
 */
export function makeDatabase(parts: DatabaseParts): DbcDatabase {
  const byName = new Map<string, DbcMessage>();
  const byId = new Map<number, DbcMessage>();
  for (const m of parts.messages) {
    byName.set(m.name, m);
    byId.set(idKey(m.id, m.extended), m);
  }
  return Object.freeze({
    version: parts.version,
    nodes: Object.freeze([...parts.nodes]),
    messages: Object.freeze([...parts.messages]),
    valueTables: parts.valueTables,
    attributes: parts.attributes,
    attributeDefinitions: parts.attributeDefinitions,
    messageByName: (name: string) => byName.get(name),
    messageById: (id: number, extended: boolean) => byId.get(idKey(id, extended)),
  });
}
