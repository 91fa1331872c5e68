import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TpReassembler, segmentMessage } from '../../../bus/someip/tp.js';
import { decodeMessage, encodeMessage, makeMessage, type SomeipMessage } from '../../../bus/someip/header.js';
import { MessageType } from '../../../bus/someip/constants.js';
import { SomeipSerializeError } from '../../../bus/someip/errors.js';

class FakeClock {
  t = 0;
  now(): number {
    return this.t;
  }
}

function bigMessage(size: number, sessionId = 1, fill = (i: number) => (i * 7 + sessionId) & 0xff): SomeipMessage {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = fill(i);
  return makeMessage({ serviceId: 0x1234, methodId: 0x8001, sessionId, messageType: MessageType.NOTIFICATION, payload });
}

describe('SOME/IP-TP segmentation', () => {
  it('cuts at the configured size in 16-byte units and flags all but the last segment', () => {
    const segs = segmentMessage(bigMessage(3000));
    expect(segs.map((s) => s.payload.length)).toEqual([1392, 1392, 216]);
    expect(segs.map((s) => s.tp)).toEqual([{ offset: 0, more: true }, { offset: 1392, more: true }, { offset: 2784, more: false }]);
    // On the wire: offset 1392 = 87 units of 16, written in the upper 28 bits, more flag in bit 0.
    const wire = encodeMessage(segs[1] as SomeipMessage);
    expect(wire[14]).toBe(0x22);
    expect([...wire.subarray(16, 20)]).toEqual([0, 0, 0x05, 0x71]);
    expect(new DataView(wire.buffer).getUint32(4)).toBe(8 + 4 + 1392);
  });

  it('refuses a segment size that is not a multiple of 16', () => {
    expect(() => segmentMessage(bigMessage(100), 100)).toThrow(SomeipSerializeError);
  });

  it('reassembles any order with duplicates into the original message', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 20 }).map((n) => n * 16),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        (size, segSize, dupIdx, order) => {
          const msg = bigMessage(size);
          const segs = segmentMessage(msg, segSize).map((s) => decodeMessage(encodeMessage(s)).message);
          const stream = [...segs, ...dupIdx.map((i) => segs[i % segs.length] as SomeipMessage)];
          const keys = [...order.take(stream.length)];
          const shuffled = stream.map((s, i) => ({ s, k: keys[i] as number })).sort((a, b) => a.k - b.k).map((x) => x.s);
          const r = new TpReassembler({ clock: new FakeClock() });
          const done = shuffled.map((s) => r.push(s, 'peer')).filter((m): m is SomeipMessage => m !== undefined);
          expect(done).toHaveLength(1);
          expect(done[0]?.tp).toBeUndefined();
          expect(Buffer.from((done[0] as SomeipMessage).payload).equals(Buffer.from(msg.payload))).toBe(true);
          expect(r.pendingCount).toBe(0);
          expect(r.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('drops a message with a lost segment after the timeout and keeps the next message intact', () => {
    const clock = new FakeClock();
    const r = new TpReassembler({ clock, timeoutS: 1 });
    const a = segmentMessage(bigMessage(4000, 1));
    const b = segmentMessage(bigMessage(4000, 2));
    r.push(a[0] as SomeipMessage, 'p');
    r.push(a[2] as SomeipMessage, 'p'); // a[1] lost
    clock.t = 0.5;
    r.push(b[0] as SomeipMessage, 'p');
    clock.t = 1.2; // a timed out, b is only 0.7 s old
    r.push(b[2] as SomeipMessage, 'p');
    expect(r.stats.timedOut).toBe(1);
    const out = r.push(b[1] as SomeipMessage, 'p');
    expect(out?.sessionId).toBe(2);
    expect(Buffer.from(out?.payload ?? []).equals(Buffer.from(bigMessage(4000, 2).payload))).toBe(true);
    // The late segment of a starts a new reassembly that can never complete; it times out too.
    expect(r.push(a[1] as SomeipMessage, 'p')).toBeUndefined();
    clock.t = 5;
    expect(r.expire()).toBe(1);
    expect(r.bufferedBytes).toBe(0);
  });

  it('never mixes segments of equal IDs from different senders', () => {
    const r = new TpReassembler({ clock: new FakeClock() });
    const x = segmentMessage(bigMessage(2000, 1, () => 1));
    const y = segmentMessage(bigMessage(2000, 1, () => 2));
    expect(r.push(x[0] as SomeipMessage, 'a')).toBeUndefined();
    expect(r.push(y[1] as SomeipMessage, 'b')).toBeUndefined();
    expect(r.push(x[1] as SomeipMessage, 'a')?.payload.every((v) => v === 1)).toBe(true);
    expect(r.push(y[0] as SomeipMessage, 'b')?.payload.every((v) => v === 2)).toBe(true);
  });

  it('bounds memory: evicts the oldest reassembly past the concurrency and byte limits', () => {
    const r = new TpReassembler({ clock: new FakeClock(), maxConcurrent: 4, maxBufferedBytes: 10_000 });
    for (let s = 1; s <= 100; s++) r.push(segmentMessage(bigMessage(3000, s))[0] as SomeipMessage, 'flood');
    expect(r.pendingCount).toBeLessThanOrEqual(4);
    expect(r.bufferedBytes).toBeLessThanOrEqual(10_000);
    expect(r.stats.evicted).toBe(96);
  });

  it('rejects a non-final segment whose size is not a multiple of 16 and a message over the size limit', () => {
    const r = new TpReassembler({ clock: new FakeClock(), maxMessageBytes: 1000 });
    const seg = { ...bigMessage(20), tp: { offset: 0, more: true } };
    expect(r.push(seg)).toBeUndefined();
    expect(r.push({ ...bigMessage(16), tp: { offset: 992, more: true } })).toBeUndefined();
    expect(r.stats.rejected).toBe(2);
    expect(r.pendingCount).toBe(0);
  });
});
