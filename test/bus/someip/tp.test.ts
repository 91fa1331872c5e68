import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TpReassembler, segmentMessage } from '../../../bus/someip/tp.js';
import { decodeMessage, decodeMessages, encodeMessage, makeMessage, type SomeipMessage } from '../../../bus/someip/header.js';
import { MessageType } from '../../../bus/someip/constants.js';
import { SomeipParseError, SomeipSerializeError } from '../../../bus/someip/errors.js';

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

  it('bounds memory: evicts the stalest reassembly past the per-sender, concurrency and byte limits', () => {
    const r = new TpReassembler({ clock: new FakeClock(), maxConcurrent: 4, maxBufferedBytes: 10_000 });
    for (let s = 1; s <= 100; s++) r.push(segmentMessage(bigMessage(3000, s))[0] as SomeipMessage, 'flood');
    expect(r.pendingCount).toBeLessThanOrEqual(4);
    expect(r.bufferedBytes).toBeLessThanOrEqual(10_000);
    expect(r.stats.evicted).toBe(100 - r.pendingCount);
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

/** Segments of one message, last first: the order that made every segment re-sort all offsets. */
function lastFirst(size: number, segSize: number, sessionId = 1): SomeipMessage[] {
  return segmentMessage(bigMessage(size, sessionId), segSize).reverse();
}

describe('SOME/IP-TP reassembly under a flood', () => {
  it('costs time linear in the number of segments, whatever their order', () => {
    const timeOf = (segments: readonly SomeipMessage[]): number => {
      let best = Infinity;
      for (let run = 0; run < 3; run++) {
        const r = new TpReassembler({ clock: new FakeClock() });
        const t0 = performance.now();
        let done: SomeipMessage | undefined;
        for (const s of segments) done = r.push(s, 'peer') ?? done;
        best = Math.min(best, performance.now() - t0);
        expect(done?.payload.length).toBe(segments.length * 16);
      }
      return best;
    };
    const inOrder = segmentMessage(bigMessage(5000 * 16), 16);
    timeOf(inOrder); // warm the JIT before anything is timed
    // Last first is the order in which every segment used to cost O(segments): about the same now.
    expect(timeOf([...inOrder].reverse()) / timeOf(inOrder)).toBeLessThan(4);
    // 8 times the segments: about 8 times the time when linear, 64 when quadratic.
    const ratio = timeOf(lastFirst(40_000 * 16, 16)) / timeOf(lastFirst(5000 * 16, 16));
    expect(ratio).toBeLessThan(24);
  });

  it('holds a 256 KiB message sent in 16-byte segments, last first, in one buffer of its size', () => {
    const r = new TpReassembler({ clock: new FakeClock() });
    const segs = lastFirst(1 << 18, 16);
    let done: SomeipMessage | undefined;
    let peak = 0;
    for (const s of segs) {
      done = r.push(s, 'attacker') ?? done;
      peak = Math.max(peak, r.bufferedBytes);
    }
    expect(Buffer.from(done?.payload ?? []).equals(Buffer.from(bigMessage(1 << 18).payload))).toBe(true);
    // The buffer plus one coverage byte per 16-byte unit, allocated once from the last segment.
    expect(peak).toBe((1 << 18) + (1 << 14));
    expect(r.bufferedBytes).toBe(0);
  });

  it('keeps one sender to its per-peer limit and lets another complete meanwhile', () => {
    const r = new TpReassembler({ clock: new FakeClock(), maxPerPeer: 3 });
    for (let s = 1; s <= 50; s++) r.push(lastFirst(64 * 1024, 1392, s)[0] as SomeipMessage, '10.0.0.66:1');
    expect(r.pendingCount).toBe(3);
    expect(r.stats.peerLimit).toBe(47);
    const legit = segmentMessage(bigMessage(5000, 7));
    const out = legit.map((s) => r.push(s, '10.0.0.2:30501')).find((m) => m !== undefined);
    expect(out?.sessionId).toBe(7);
  });

  it('makes the heaviest sender give way when the byte budget is full, not the others', () => {
    const r = new TpReassembler({ clock: new FakeClock(), maxBufferedBytes: 3 << 20, maxPerPeer: 8 });
    const legit = segmentMessage(bigMessage(20_000, 9));
    r.push(legit[0] as SomeipMessage, '10.0.0.2:30501');
    // Every last segment of a 1 MiB message claims a 1 MiB buffer at once.
    const tail = (sessionId: number): SomeipMessage => ({ ...bigMessage(16, sessionId), tp: { offset: (1 << 20) - 16, more: false } });
    for (let s = 1; s <= 10; s++) r.push(tail(s), '10.0.0.66:1');
    expect(r.bufferedBytes).toBeLessThanOrEqual(3 << 20);
    expect(r.stats.byteLimit).toBeGreaterThan(0);
    const out = legit.slice(1).map((s) => r.push(s, '10.0.0.2:30501')).find((m) => m !== undefined);
    expect(Buffer.from(out?.payload ?? []).equals(Buffer.from(bigMessage(20_000, 9).payload))).toBe(true);
  });

  it('drops and counts a message whose segments overlap in part or reach past its end', () => {
    const r = new TpReassembler({ clock: new FakeClock() });
    const m = bigMessage(64);
    r.push({ ...m, payload: m.payload.subarray(0, 32), tp: { offset: 0, more: true } }, 'p');
    expect(r.push({ ...m, payload: m.payload.subarray(16, 48), tp: { offset: 16, more: true } }, 'p')).toBeUndefined();
    expect(r.stats.inconsistent).toBe(1);
    expect(r.pendingCount).toBe(0);
    r.push({ ...m, payload: m.payload.subarray(32, 40), tp: { offset: 32, more: false } }, 'p');
    expect(r.push({ ...m, payload: m.payload.subarray(0, 48), tp: { offset: 0, more: true } }, 'p')).toBeUndefined();
    expect(r.stats.inconsistent).toBe(2);
    expect(r.stats.rejected).toBe(2);
    expect(r.pendingCount).toBe(0);
  });

  it('reassembles any permutation of 16-byte segments exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }).chain((size) => fc.tuple(fc.constant(size), fc.shuffledSubarray(segmentMessage(bigMessage(size), 16), { minLength: Math.ceil(size / 16), maxLength: Math.ceil(size / 16) }))), ([size, order]) => {
        const r = new TpReassembler({ clock: new FakeClock() });
        const done = order.map((s) => r.push(s, 'peer')).filter((x): x is SomeipMessage => x !== undefined);
        expect(done).toHaveLength(1);
        expect(Buffer.from((done[0] as SomeipMessage).payload).equals(Buffer.from(bigMessage(size).payload))).toBe(true);
        expect(r.bufferedBytes).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('turns random datagrams into typed parse errors or bounded reassemblies, never anything else', () => {
    const limits = { maxConcurrent: 8, maxPerPeer: 2, maxBufferedBytes: 1 << 18, maxMessageBytes: 1 << 16 };
    const header = (offset: number, more: boolean, len: number, session: number): Uint8Array => {
      const m = encodeMessage({ ...makeMessage({ serviceId: 1, methodId: 2, sessionId: session, messageType: MessageType.NOTIFICATION, payload: new Uint8Array(len) }), tp: { offset: offset * 16, more } });
      return m;
    };
    const datagram = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 1 << 20 })), fc.boolean(), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 3 })).map(([o, more, len, s]) => header(o, more, len, s)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(datagram, fc.integer({ min: 0, max: 5 })), { maxLength: 60 }), (datagrams) => {
        const clock = new FakeClock();
        const r = new TpReassembler({ clock, ...limits });
        for (const [bytes, peer] of datagrams) {
          clock.t += 0.01;
          let messages: SomeipMessage[];
          try {
            messages = decodeMessages(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(SomeipParseError);
            continue;
          }
          for (const m of messages) r.push(m, `10.0.0.${peer}:1`);
          expect(r.bufferedBytes).toBeLessThanOrEqual(limits.maxBufferedBytes);
          expect(r.pendingCount).toBeLessThanOrEqual(limits.maxConcurrent);
        }
      }),
      { numRuns: 300 },
    );
  });
});
