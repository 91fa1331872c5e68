import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeFrame, type CanFrame } from '../../../bus/frame.js';
import {
  J1939TransportError, TransportReassembler, makeJ1939Id, tpSessionFrames, type TpDrop, type TpMessage,
} from '../../../bus/j1939/index.js';

/** A frame from raw id and bytes, written out by hand as on the bus. */
function raw(t: number, id: number, bytes: number[]): CanFrame {
  return makeFrame({ timestamp: t, id, extended: true, data: bytes });
}

function feed(r: TransportReassembler, frames: readonly CanFrame[]): TpMessage[] {
  const out: TpMessage[] = [];
  for (const f of frames) {
    const m = r.push(f);
    if (m) out.push(m);
  }
  return out;
}

function payload(size: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
}

describe('J1939 transport reassembly', () => {
  it('puts a BAM of 20 bytes back together from frames written out by hand', () => {
    // EC1 (PGN 0xFEE3) from 0x00: BAM 20 bytes in 3 packets, then TP.DT 1..3, the last padded with 0xFF.
    const frames = [
      raw(0.0, 0x1cecff00, [32, 20, 0, 3, 0xff, 0xe3, 0xfe, 0x00]),
      raw(0.05, 0x1cebff00, [1, 10, 11, 12, 13, 14, 15, 16]),
      raw(0.1, 0x1cebff00, [2, 17, 18, 19, 20, 21, 22, 23]),
      raw(0.15, 0x1cebff00, [3, 24, 25, 26, 27, 28, 29, 0xff]),
    ];
    const r = new TransportReassembler();
    const [m, ...rest] = feed(r, frames);
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ mode: 'bam', pgn: 0xfee3, sourceAddress: 0x00, destinationAddress: 0xff, priority: 7, timestamp: 0.15, startedAt: 0 });
    expect([...(m as TpMessage).data]).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    expect(r.stats).toMatchObject({ messages: 1, openSessions: 0, bufferedBytes: 0 });
  });

  it('follows an RTS/CTS exchange with windows, a hold and a retransmission request', () => {
    const data = payload(40);
    const cm = (t: number, from: number, to: number, bytes: number[]): CanFrame => raw(t, makeJ1939Id({ priority: 7, pgn: 0xec00, sourceAddress: from, destinationAddress: to }), bytes);
    const dt = (t: number, seq: number): CanFrame =>
      raw(t, makeJ1939Id({ priority: 7, pgn: 0xeb00, sourceAddress: 0x21, destinationAddress: 0x3d }), [seq, ...Array.from({ length: 7 }, (_, i) => data[(seq - 1) * 7 + i] ?? 0xff)]);
    const pgn = [0x00, 0xef, 0x00]; // proprietary A, PDU1
    const frames = [
      cm(0, 0x21, 0x3d, [16, 40, 0, 6, 2, ...pgn]), // RTS: 40 bytes, 6 packets, at most 2 per CTS
      cm(0.1, 0x3d, 0x21, [17, 0, 0xff, 0xff, 0xff, ...pgn]), // CTS hold
      cm(1.0, 0x3d, 0x21, [17, 5, 1, 0xff, 0xff, ...pgn]), // CTS 5 from 1: the RTS limit of 2 applies
      dt(1.05, 1),
      dt(1.1, 2),
      cm(1.2, 0x3d, 0x21, [17, 2, 2, 0xff, 0xff, ...pgn]), // asks again from 2
      dt(1.25, 2),
      dt(1.3, 3),
      cm(1.4, 0x3d, 0x21, [17, 3, 4, 0xff, 0xff, ...pgn]), // 3 asked, 2 sent (the RTS limit)
      dt(1.45, 4),
      dt(1.5, 5),
      cm(1.52, 0x3d, 0x21, [17, 1, 6, 0xff, 0xff, ...pgn]),
    ];
    const r = new TransportReassembler();
    expect(feed(r, frames)).toEqual([]);
    const last = r.push(dt(1.55, 6));
    expect(last).toMatchObject({ mode: 'rts-cts', pgn: 0xef00, sourceAddress: 0x21, destinationAddress: 0x3d });
    expect([...(last as TpMessage).data]).toEqual([...data]);
    expect(Object.values(r.stats.drops).every((n) => n === 0)).toBe(true);
    // The same exchange without the last CTS: TP.DT 6 is outside every window the receiver opened.
    const unasked = new TransportReassembler();
    expect(feed(unasked, [...frames.slice(0, -1), dt(1.55, 6)])).toEqual([]);
    expect(unasked.stats.drops.protocol).toBe(1);
  });

  it('reassembles interleaved sessions of several sources, on several channels', () => {
    const a = tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0x00, data: payload(40, 1), start: 0, gap: 0.05 });
    const b = tpSessionFrames({ pgn: 0xfeca, sourceAddress: 0x03, data: payload(100, 2), start: 0.01, gap: 0.05 });
    const c = tpSessionFrames({ pgn: 0xef00, sourceAddress: 0x03, destinationAddress: 0x21, data: payload(1785, 3), start: 0.02, gap: 0.01 });
    const d = tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0x00, data: payload(9, 4), start: 0.03, gap: 0.05, channel: 'can1' });
    const merged = [...a, ...b, ...c, ...d].sort((x, y) => x.timestamp - y.timestamp);
    const r = new TransportReassembler();
    const got = feed(r, merged);
    const byKey = new Map(got.map((m) => [`${m.channel}/${m.sourceAddress}/${m.pgn}`, m.data.length]));
    expect(byKey).toEqual(new Map([['can0/0/65251', 40], ['can0/3/65226', 100], ['can0/3/61184', 1785], ['can1/0/65251', 9]]));
  });

  it('drops a session on a skipped, a repeated or a surplus sequence number, and counts TP.DT that follow', () => {
    const base = tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0x00, data: payload(30) });
    const cases: [string, CanFrame[]][] = [
      ['out-of-order', [base[0], base[1], base[3]] as CanFrame[]],
      ['duplicate', [base[0], base[1], base[2], base[2]] as CanFrame[]],
      ['too-long', [base[0] as CanFrame, raw(0.1, (base[1] as CanFrame).id, [9, 0, 0, 0, 0, 0, 0, 0])]],
    ];
    for (const [reason, frames] of cases) {
      const drops: TpDrop[] = [];
      const r = new TransportReassembler({ onDrop: (d) => drops.push(d) });
      expect(feed(r, [...frames, base[4] as CanFrame])).toEqual([]);
      expect(drops.map((d) => d.reason)).toEqual([reason, 'no-session']);
      expect(drops[0]).toMatchObject({ sourceAddress: 0, destinationAddress: 0xff, pgn: 0xfee3, channel: 'can0' });
      expect(r.stats.openSessions).toBe(0);
    }
  });

  it('times out on the frames\' own timestamps: T1 between TP.DT, T3 waiting for a CTS, T4 in a hold', () => {
    const bam = tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0x00, data: payload(30), gap: 0.05 });
    const late = { ...(bam[2] as CanFrame), timestamp: 0.05 + 0.76 };
    let r = new TransportReassembler();
    expect(feed(r, [bam[0], bam[1], late] as CanFrame[])).toEqual([]);
    expect(r.stats.drops.timeout).toBe(1);
    // Just within T1 is still on time.
    r = new TransportReassembler();
    const onTime = bam.map((f, i) => ({ ...f, timestamp: i * 0.74 }));
    expect(feed(r, onTime)).toHaveLength(1);

    const rts = tpSessionFrames({ pgn: 0xef00, sourceAddress: 0x21, destinationAddress: 0x3d, data: payload(30) });
    r = new TransportReassembler();
    feed(r, [rts[0] as CanFrame, { ...(rts[1] as CanFrame), timestamp: 1.3 }]);
    expect(r.stats.drops.timeout).toBe(1);
    // A custom, longer T3 lets the same exchange through.
    r = new TransportReassembler({ timeouts: { t3: 2, t2: 2 } });
    expect(feed(r, rts.map((f, i) => (i === 0 ? f : { ...f, timestamp: f.timestamp + 1.3 })))).toHaveLength(1);
  });

  it('keeps to its session limit and says so', () => {
    const r = new TransportReassembler({ maxSessions: 2 });
    const firsts = [0x01, 0x02, 0x03].map((sa) => tpSessionFrames({ pgn: 0xfee3, sourceAddress: sa, data: payload(20) })[0] as CanFrame);
    feed(r, firsts);
    expect(r.stats).toMatchObject({ openSessions: 2, peakSessions: 2, bufferedBytes: 40 });
    expect(r.stats.drops['session-limit']).toBe(1);
  });

  it('refuses announcements J1939-21 forbids', () => {
    const cm = (da: number, bytes: number[]): CanFrame => raw(0, makeJ1939Id({ priority: 7, pgn: 0xec00, sourceAddress: 1, destinationAddress: da }), bytes);
    const drops: TpDrop[] = [];
    const r = new TransportReassembler({ onDrop: (d) => drops.push(d) });
    feed(r, [
      cm(0xff, [32, 0xfa, 0x06, 255, 0xff, 0xe3, 0xfe, 0]), // 1786 bytes
      cm(0xff, [32, 8, 0, 2, 0xff, 0xe3, 0xfe, 0]), // 8 bytes fit one frame
      cm(0xff, [32, 20, 0, 4, 0xff, 0xe3, 0xfe, 0]), // 20 bytes are 3 packets, not 4
      cm(0x21, [32, 20, 0, 3, 0xff, 0xe3, 0xfe, 0]), // a BAM to one node
      cm(0xff, [16, 20, 0, 3, 0xff, 0x00, 0xef, 0]), // an RTS to everyone
      raw(0, 0x1cecff01, [32, 20, 0]), // a short TP.CM
    ]);
    expect(drops.map((d) => d.reason)).toEqual(['bad-announce', 'bad-announce', 'bad-announce', 'bad-announce', 'bad-announce', 'short-frame']);
    expect(r.stats.openSessions).toBe(0);
  });

  it('drops a session either side aborts, and throws a typed error in strict mode', () => {
    const rts = tpSessionFrames({ pgn: 0xef00, sourceAddress: 0x21, destinationAddress: 0x3d, data: payload(30) });
    const abort = raw(0.2, makeJ1939Id({ priority: 7, pgn: 0xec00, sourceAddress: 0x3d, destinationAddress: 0x21 }), [255, 3, 0xff, 0xff, 0xff, 0x00, 0xef, 0x00]);
    const r = new TransportReassembler();
    feed(r, [rts[0] as CanFrame, abort]);
    expect(r.stats.drops.aborted).toBe(1);
    const strict = new TransportReassembler({ strict: true });
    strict.push(rts[0] as CanFrame);
    expect(() => strict.push(abort)).toThrow(J1939TransportError);
    expect(() => new TransportReassembler({ maxMessageBytes: 4000 })).toThrow(J1939TransportError);
  });

  it('ends open sessions as unfinished', () => {
    const r = new TransportReassembler();
    feed(r, tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0, data: payload(30) }).slice(0, 2));
    r.end(10);
    expect(r.stats).toMatchObject({ openSessions: 0, bufferedBytes: 0 });
    expect(r.stats.drops.unfinished).toBe(1);
  });

  it('never throws anything untyped nor holds more than its limits on random interleavings and corruptions', () => {
    const maxSessions = 4;
    const sessionArb = fc.record({
      sa: fc.integer({ min: 0, max: 5 }),
      rts: fc.boolean(),
      size: fc.integer({ min: 9, max: 300 }),
      start: fc.double({ min: 0, max: 3, noNaN: true }),
      gap: fc.double({ min: 0.001, max: 1, noNaN: true }),
      perCts: fc.integer({ min: 1, max: 8 }),
    });
    const corruption = fc.record({ at: fc.nat(), kind: fc.constantFrom('drop', 'dup', 'byte', 'swap', 'truncate'), value: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(fc.array(sessionArb, { minLength: 1, maxLength: 8 }), fc.array(corruption, { maxLength: 10 }), fc.boolean(), (sessions, corruptions, strict) => {
        let frames = sessions
          .flatMap((s) =>
            tpSessionFrames({
              pgn: s.rts ? 0xef00 : 0xfee3, sourceAddress: s.sa, ...(s.rts ? { destinationAddress: 0x30 } : {}),
              data: payload(s.size, s.sa), start: s.start, gap: s.gap, packetsPerCts: s.perCts,
            }),
          )
          .sort((x, y) => x.timestamp - y.timestamp);
        for (const c of corruptions) {
          if (frames.length === 0) break;
          const i = c.at % frames.length;
          const f = frames[i] as CanFrame;
          if (c.kind === 'drop') frames = frames.filter((_, j) => j !== i);
          else if (c.kind === 'dup') frames.splice(i, 0, f);
          else if (c.kind === 'swap' && i + 1 < frames.length) [frames[i], frames[i + 1]] = [frames[i + 1] as CanFrame, f];
          else if (c.kind === 'byte') {
            const data = Uint8Array.from(f.data);
            data[c.value % data.length] = c.value;
            frames[i] = { ...f, data };
          } else if (c.kind === 'truncate') frames[i] = { ...f, data: f.data.subarray(0, c.value % 8), dlc: c.value % 8 };
        }
        const r = new TransportReassembler({ maxSessions, strict });
        for (const f of frames) {
          try {
            const m = r.push(f);
            if (m) expect(m.data.length).toBeGreaterThanOrEqual(9);
          } catch (err) {
            if (!(strict && err instanceof J1939TransportError)) throw err;
          }
          const st = r.stats;
          expect(st.openSessions).toBeLessThanOrEqual(maxSessions);
          expect(st.bufferedBytes).toBeLessThanOrEqual(maxSessions * 1785);
        }
        if (!strict) {
          r.end(10);
          expect(r.stats).toMatchObject({ openSessions: 0, bufferedBytes: 0 });
        }
      }),
      { numRuns: 300 },
    );
  });
});
