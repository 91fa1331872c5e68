/**
 * SAE J1939: the fields of a 29-bit identifier (priority, PGN, addresses) and the J1939-21
 * transport protocol (BAM and RTS/CTS) that carries parameter groups longer than one frame.
 */
export { GLOBAL_ADDRESS, MAX_PGN, isPdu1Pgn, makeJ1939Id, parseJ1939Id, pgnOfId, type J1939Id, type J1939IdFields } from './id.js';
export { J1939TransportError, describeDrop } from './errors.js';
export { MAX_TP_BYTES, MIN_TP_BYTES, PGN_TP_CM, PGN_TP_DT } from './tp-frames.js';
export { tpSessionFrames, type TpSessionSpec } from './tp-encode.js';
export { TransportReassembler, type TransportOptions, type TransportStats } from './transport.js';
export { J1939_TIMEOUTS, TP_DROP_REASONS, type TpDrop, type TpDropReason, type TpMessage, type TpMode, type TpTimeouts } from './transport-types.js';
