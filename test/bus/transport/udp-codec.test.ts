import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusProtocolError } from '../../../bus/errors.js';
import { bytesToHex, makeFrame, type CanFrame } from '../../../bus/frame.js';
import { decodeMsgpack, MsgpackWriter } from '../../../bus/transport/msgpack.js';
import { decodeUdpFrame, encodeUdpFrame } from '../../../bus/transport/udp-codec.js';

const arbFrame: fc.Arbitrary<CanFrame> = fc
  .record({
    fd: fc.boolean(),
    extended: fc.boolean(),
    id: fc.integer({ min: 0, max: 0x1fffffff }),
    len: fc.constantFrom(0, 1, 5, 8, 12, 16, 20, 24, 32, 48, 64),
    brs: fc.boolean(),
    esi: fc.boolean(),
    timestamp: fc.double({ min: 0, max: 2e9, noNaN: true }),
    channel: fc.string({ maxLength: 40 }),
    seed: fc.integer({ min: 0, max: 255 }),
  })
  .map((r) => {
    const len = r.fd ? r.len : Math.min(r.len, 8);
    return makeFrame({
      id: r.extended ? r.id : r.id & 0x7ff,
      extended: r.extended,
      fd: r.fd,
      brs: r.brs,
      esi: r.esi,
      timestamp: r.timestamp,
      channel: r.channel,
      data: Array.from({ length: len }, (_, i) => (r.seed + i * 31) & 0xff),
    });
  });

function essentials(f: CanFrame): unknown[] {
  return [f.timestamp, f.channel, f.id, f.extended, f.fd, f.brs, f.esi, f.rtr, f.error, f.dlc, bytesToHex(f.data)];
}

describe('the UDP frame codec', () => {
  it('decodes what it encodes, every field', () => {
    fc.assert(
      fc.property(arbFrame, (frame) => {
        expect(essentials(decodeUdpFrame(encodeUdpFrame(frame), 'test', 'x'))).toEqual(essentials(frame));
      }),
    );
  });

  it('keeps remote frames with their requested length and no payload', () => {
    const rtr = makeFrame({ id: 0x55, rtr: true, dlc: 6 });
    const back = decodeUdpFrame(encodeUdpFrame(rtr), 'test', 'x');
    expect([back.rtr, back.dlc, back.data.length]).toEqual([true, 6, 0]);
  });

  it('takes the default channel when the datagram carries none, and an integer channel as text', () => {
    const w = () => new MsgpackWriter().mapHeader(3).str('arbitration_id').uint(0x10).str('data').bin(new Uint8Array([1]));
    expect(decodeUdpFrame(w().str('channel').nil().bytes(), 's', 'vcan9').channel).toBe('vcan9');
    expect(decodeUdpFrame(w().str('channel').uint(2).bytes(), 's', 'vcan9').channel).toBe('2');
  });

  it('throws only BusProtocolError for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeUdpFrame(bytes, 'udp 1.2.3.4:5', 'x');
        } catch (err) {
          expect(err).toBeInstanceOf(BusProtocolError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('throws only BusProtocolError for every truncation and every single-byte corruption of a valid datagram', () => {
    const valid = encodeUdpFrame(makeFrame({ id: 0x18daf110, extended: true, fd: true, data: new Uint8Array(20).fill(7), channel: 'can1', timestamp: 12.5 }));
    for (let n = 0; n < valid.length; n++) expect(() => decodeUdpFrame(valid.subarray(0, n), 's', 'x')).toThrow(BusProtocolError);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const bad = valid.slice();
        bad[at] = byte;
        try {
          decodeUdpFrame(bad, 's', 'x');
        } catch (err) {
          expect(err).toBeInstanceOf(BusProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('names the byte offset of a truncation and the sender', () => {
    const valid = encodeUdpFrame(makeFrame({ id: 1, data: [1, 2] }));
    let caught: unknown;
    try {
      decodeUdpFrame(valid.subarray(0, 20), 'udp 10.0.0.7:43113', 'x');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BusProtocolError);
    expect((caught as BusProtocolError).message).toMatch(/^udp 10\.0\.0\.7:43113 \(byte offset \d+\): msgpack: needs/);
  });

  it('rejects length prefixes larger than the datagram without allocating them', () => {
    expect(() => decodeMsgpack(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff]), 's')).toThrow(/a length of 4294967295 needs more bytes than the 0 that remain/);
    expect(() => decodeMsgpack(Uint8Array.from([0xc6, 0xff, 0xff, 0xff, 0xff]), 's')).toThrow(BusProtocolError);
    expect(() => decodeMsgpack(Uint8Array.from([...new Array<number>(40).fill(0x91), 0xc0]), 's')).toThrow(/nesting deeper/);
    // A msgpack timestamp (extension -1) and any other extension: python-can never sends them.
    expect(() => decodeMsgpack(Uint8Array.of(0xd6, 0xff, 0, 0, 0, 1), 's')).toThrow(/extension types are not supported/);
    expect(() => decodeMsgpack(Uint8Array.of(0xd4, 0x05, 0), 's')).toThrow(BusProtocolError);
  });

  it('rejects well-formed msgpack that does not describe a frame', () => {
    const notMap = new MsgpackWriter().uint(5).bytes();
    expect(() => decodeUdpFrame(notMap, 's', 'x')).toThrow(/not a map/);
    const noId = new MsgpackWriter().mapHeader(1).str('data').bin(new Uint8Array(0)).bytes();
    expect(() => decodeUdpFrame(noId, 's', 'x')).toThrow(/arbitration_id is missing/);
    const badLen = new MsgpackWriter().mapHeader(3).str('arbitration_id').uint(1).str('dlc').uint(3).str('data').bin(new Uint8Array(2)).bytes();
    expect(() => decodeUdpFrame(badLen, 's', 'x')).toThrow(/DLC 3 means 3 bytes but 2/);
  });
});
