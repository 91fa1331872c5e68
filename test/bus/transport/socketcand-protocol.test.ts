import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusOperationError, BusProtocolError } from '../../../bus/errors.js';
import { bytesToHex, makeFrame, type CanFrame } from '../../../bus/frame.js';
import { formatFrame, formatSend, MAX_MESSAGE_CHARS, parseSocketcandMessage, SocketcandSplitter } from '../../../bus/transport/socketcand-protocol.js';

const place = { source: 'test', offset: 0 };

function frameOf(text: string): CanFrame {
  const msg = parseSocketcandMessage(text, 'can0', place);
  if (msg.kind !== 'frame' && msg.kind !== 'send') throw new Error(`not a frame: ${msg.kind}`);
  return msg.frame;
}

const arbFrame = (fd: boolean): fc.Arbitrary<CanFrame> =>
  fc
    .record({
      extended: fc.boolean(),
      id11: fc.integer({ min: 0, max: 0x7ff }),
      id29: fc.integer({ min: 0, max: 0x1fffffff }),
      data: fd ? fc.constantFrom(0, 1, 8, 12, 20, 64).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })) : fc.uint8Array({ maxLength: 8 }),
      brs: fc.boolean(),
      usecs: fc.integer({ min: 0, max: 2_000_000_000 * 1e3 }),
    })
    .map((r) => makeFrame({ id: r.extended ? r.id29 : r.id11, extended: r.extended, data: r.data, fd, brs: fd && r.brs, timestamp: r.usecs / 1e6 }));

describe('the socketcand protocol', () => {
  it('reads raw-mode frames with data as one hex run or as separate bytes', () => {
    for (const text of ['< frame 123 1700000000.250000 DEADBEEF >', '< frame 123 1700000000.250000 DE AD BE EF >']) {
      const f = frameOf(text);
      expect([f.id, f.extended, f.timestamp, bytesToHex(f.data), f.dlc, f.channel]).toEqual([0x123, false, 1700000000.25, 'deadbeef', 4, 'can0']);
    }
  });

  it('treats an 8-digit id as a 29-bit identifier even when its value is small', () => {
    const f = frameOf('< frame 00000123 0.000001 >');
    expect([f.id, f.extended, f.data.length]).toEqual([0x123, true, 0]);
  });

  it('reads CAN FD frames with their BRS and ESI flags', () => {
    const f = frameOf(`< fdframe 1ABCDEF0 03 12.5 ${'AA'.repeat(12)} >`);
    expect([f.fd, f.brs, f.esi, f.dlc, f.data.length, f.extended]).toEqual([true, true, true, 9, 12, true]);
  });

  it('reads the send command with bytes of one or two digits, as python-can writes them', () => {
    const f = frameOf('< send 7FF 3 1 ab 0 >');
    expect([f.id, bytesToHex(f.data)]).toEqual([0x7ff, '01ab00']);
  });

  it('writes frames that read back identically, to the microsecond', () => {
    fc.assert(
      fc.property(fc.oneof(arbFrame(false), arbFrame(true)), (frame) => {
        const back = frameOf(formatFrame(frame));
        expect([back.id, back.extended, back.fd, back.brs, back.dlc, bytesToHex(back.data)]).toEqual([frame.id, frame.extended, frame.fd, frame.brs, frame.dlc, bytesToHex(frame.data)]);
        expect(Math.abs(back.timestamp - frame.timestamp)).toBeLessThan(1e-6 + frame.timestamp * 1e-15);
      }),
    );
  });

  it('writes send commands that read back as the same frame', () => {
    fc.assert(
      fc.property(arbFrame(false), (frame) => {
        const back = frameOf(formatSend(frame));
        expect([back.id, back.extended, bytesToHex(back.data)]).toEqual([frame.id, frame.extended, bytesToHex(frame.data)]);
      }),
    );
  });

  it('refuses to put CAN FD or remote frames into a send command', () => {
    expect(() => formatSend(makeFrame({ id: 1, fd: true, data: new Uint8Array(12) }))).toThrow(BusOperationError);
    expect(() => formatSend(makeFrame({ id: 1, rtr: true, dlc: 2 }))).toThrow(BusOperationError);
  });

  it.each([
    ['< frame >', 'not a hex CAN id'],
    ['< frame XYZ 1.0 00 >', 'not a hex CAN id'],
    ['< frame 123456789 1.0 00 >', 'not a hex CAN id'],
    ['< frame 3FFFFFFF 1.0 00 >', 'does not fit 29 bits'],
    ['< frame 123 abc 00 >', 'not a SECS.USECS timestamp'],
    ['< frame 123 1.0 ABC >', 'not hex bytes'],
    ['< frame 123 1.0 A B >', 'not hex bytes'],
    [`< frame 123 1.0 ${'00'.repeat(9)} >`, 'at most 8 bytes'],
    [`< fdframe 123 01 1.0 ${'00'.repeat(10)} >`, 'DLC'],
    ['< fdframe 123 XYZ 1.0 00 >', 'not hex FD flags'],
    ['< send 123 9 >', 'not a DLC from 0 to 8'],
    ['< send 123 2 01 >', 'DLC 2 but data'],
    ['< >', 'empty message'],
    ['frame 123 >', 'is not a < ... > message'],
    ['< 12 >', 'not a command word'],
  ])('rejects %j with a typed error naming the stream offset', (text, detail) => {
    let caught: unknown;
    try {
      parseSocketcandMessage(text, 'can0', { source: 'rig:29536', offset: 4711 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BusProtocolError);
    expect((caught as BusProtocolError).location).toEqual({ file: 'rig:29536', offset: 4711 });
    expect((caught as Error).message).toContain(detail);
    expect((caught as Error).message).toContain('rig:29536 (byte offset 4711)');
  });

  it('answers any text with a message or a BusProtocolError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.array(fc.constantFrom('<', '>', ' ', 'frame', 'fdframe', 'send', '123', '1.5', 'AB', 'ZZ', '00000001', 'FF', '-1'), { maxLength: 12 }).map((t) => t.join(' ')),
        ),
        (text) => {
          try {
            parseSocketcandMessage(text, 'can0', place);
          } catch (err) {
            expect(err).toBeInstanceOf(BusProtocolError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('the socketcand stream splitter', () => {
  it('finds the same messages at the same offsets however the stream is chunked', () => {
    const stream = '< hi >< ok >  < frame 123 1.0 11 22 >\n< frame 7 2.0 >';
    const whole = new SocketcandSplitter().push(stream).messages;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 10 }), (cuts) => {
        const sorted = [...new Set(cuts)].sort((a, b) => a - b);
        const splitter = new SocketcandSplitter();
        const got: { text: string; offset: number }[] = [];
        let prev = 0;
        for (const c of [...sorted, stream.length]) {
          got.push(...splitter.push(stream.slice(prev, c)).messages);
          prev = c;
        }
        expect(got).toEqual(whole);
      }),
    );
    expect(whole.map((m) => m.offset)).toEqual([0, 6, 14, 38]);
  });

  it('reports stray text and an unterminated message, then resynchronises on the next <', () => {
    const { messages, garbage } = new SocketcandSplitter().push('junk< frame 1 1.0 < ok >');
    expect(messages).toEqual([{ text: '< ok >', offset: 18 }]);
    expect(garbage.map((g) => g.offset)).toEqual([0, 4]);
  });

  it('gives up on a message that never closes instead of buffering without bound', () => {
    const splitter = new SocketcandSplitter();
    const { garbage } = splitter.push('< frame ' + '0'.repeat(MAX_MESSAGE_CHARS));
    expect(garbage).toHaveLength(1);
    expect(splitter.push('< ok >').messages).toEqual([{ text: '< ok >', offset: MAX_MESSAGE_CHARS + 8 }]);
  });
});
