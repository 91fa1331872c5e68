/**
 * The DBC codec: parse a DBC into an immutable database, compile it into per-message codecs,
 * decode frames into physical signal values and encode values into frames.
 */
export { bytePieces, bytesNeeded, occupiedBits, type BytePiece } from './bit-layout.js';
export { compileDatabase, type CompileOptions, type CompiledDatabase } from './compile.js';
export { isJ1939Database, j1939Messages, type J1939Options } from './j1939.js';
export { decodeDbcBytes, loadDbcFile } from './load.js';
export { compileMessage, type DecodeOptions, type EncodeOptions, type MessageCodec, type SignalValues } from './message-codec.js';
export type {
  AttributeObjectType, AttributeValue, ByteOrder, DbcAttributeDefinition, DbcDatabase, DbcMessage, DbcNode, DbcSignal, DbcWarning,
} from './model.js';
export { parseDbc, type ParseOptions, type ParseResult } from './parse.js';
export { rawRange, type RawValue } from './signal-codec.js';
