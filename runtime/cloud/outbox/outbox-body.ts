/**
 * The body of an outbox frame.
 *
 * ```
 * record:    u8 type=1 | f64 seq | u8 priority | u8 kindLength | kind (utf-8) | payload
 * tombstone: u8 type=2 | f64 seq            (the record seq was dropped to make room)
 * ```
 * Seqs are stored as float64 so they stay exact JavaScript numbers up to 2^53.
 */
import { CloudError } from '../../errors.js';
import type { OutboxRecord } from './outbox.js';

const RECORD = 1;
const TOMBSTONE = 2;

export type OutboxBody = { type: 'record'; seq: number; record: OutboxRecord } | { type: 'tombstone'; seq: number };

/** @throws {CloudError} CLOUD_PAYLOAD when the kind is longer than 255 bytes */
export function encodeRecordBody(r: OutboxRecord): Uint8Array {
  const kind = Buffer.from(r.kind, 'utf8');
  if (kind.length > 255) throw new CloudError('CLOUD_PAYLOAD', `outbox record kind "${r.kind.slice(0, 40)}"`, 'longer than 255 bytes');
  const out = Buffer.alloc(11 + kind.length + r.payload.length);
  out.writeUInt8(RECORD, 0);
  out.writeDoubleLE(r.seq, 1);
  out.writeUInt8(r.priority, 9);
  out.writeUInt8(kind.length, 10);
  kind.copy(out, 11);
  out.set(r.payload, 11 + kind.length);
  return out;
}

export function encodeTombstoneBody(seq: number): Uint8Array {
  const out = Buffer.alloc(9);
  out.writeUInt8(TOMBSTONE, 0);
  out.writeDoubleLE(seq, 1);
  return out;
}

/** @throws {CloudError} CLOUD_PAYLOAD when a frame (whose CRC passed) is not a valid body */
export function decodeBody(body: Uint8Array, where: string): OutboxBody {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const bad = (d: string): CloudError => new CloudError('CLOUD_PAYLOAD', where, d);
  if (b.length < 9) throw bad(`frame body of ${b.length} bytes is too short`);
  const seq = b.readDoubleLE(1);
  if (!Number.isSafeInteger(seq) || seq < 1) throw bad(`seq ${seq} is not a positive whole number`);
  const type = b.readUInt8(0);
  if (type === TOMBSTONE) return { type: 'tombstone', seq };
  if (type !== RECORD) throw bad(`unknown frame type ${type}`);
  if (b.length < 11) throw bad('record header is cut short');
  const priority = b.readUInt8(9);
  const kindLen = b.readUInt8(10);
  if (b.length < 11 + kindLen) throw bad('record kind is cut short');
  const kind = b.toString('utf8', 11, 11 + kindLen);
  // Copy so the record does not pin the whole segment read at open.
  const payload = Uint8Array.from(b.subarray(11 + kindLen));
  return { type: 'record', seq, record: { seq, kind, priority, payload } };
}
