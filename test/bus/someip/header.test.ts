import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeMessage,
  decodeMessages,
  encodeMessage,
  encodeMessages,
  makeMessage,
  peekMessageSize,
  type SomeipMessage,
} from '../../../bus/someip/header.js';
import { MessageType, ReturnCode, messageTypeName, returnCodeName } from '../../../bus/someip/constants.js';
import { SomeipParseError, SomeipSerializeError } from '../../../bus/someip/errors.js';

const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 0xff });
const messageArb: fc.Arbitrary<SomeipMessage> = fc
  .record({
    serviceId: u16,
    methodId: u16,
    clientId: u16,
    sessionId: u16,
    protocolVersion: u8,
    interfaceVersion: u8,
    messageType: fc.constantFrom(...Object.values(MessageType)),
    returnCode: fc.integer({ min: 0, max: 0x5e }),
    payload: fc.uint8Array({ maxLength: 64 }),
    tp: fc.option(fc.record({ offset: fc.integer({ min: 0, max: 0xfffffff }).map((n) => n * 16), more: fc.boolean() }), { nil: undefined }),
  })
  .map(({ tp, ...m }) => (tp ? { ...m, tp } : m));

function parseError(f: () => unknown): SomeipParseError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SomeipParseError);
    return e as SomeipParseError;
  }
  throw new Error('expected a SomeipParseError, nothing was thrown');
}

describe('SOME/IP header codec', () => {
  it('decodes a request written byte by byte from the specification', () => {
    const bytes = new Uint8Array([
      0x12, 0x34, 0x04, 0x21, // service 0x1234, method 0x0421
      0x00, 0x00, 0x00, 0x0b, // length: 8 + 3 payload bytes
      0xab, 0xcd, 0x00, 0x07, // client 0xabcd, session 7
      0x01, 0x05, 0x00, 0x00, // protocol 1, interface 5, REQUEST, E_OK
      0xde, 0xad, 0xbe,
    ]);
    const { message, size } = decodeMessage(bytes);
    expect(size).toBe(19);
    expect(message).toMatchObject({ serviceId: 0x1234, methodId: 0x0421, clientId: 0xabcd, sessionId: 7, protocolVersion: 1, interfaceVersion: 5, messageType: MessageType.REQUEST, returnCode: ReturnCode.E_OK });
    expect([...message.payload]).toEqual([0xde, 0xad, 0xbe]);
    expect(message.tp).toBeUndefined();
  });

  it('decodes a TP error segment with offset in 16-byte units and the more flag', () => {
    const bytes = new Uint8Array([0x00, 0x01, 0x80, 0x01, 0, 0, 0, 14, 0, 1, 0, 2, 1, 1, 0xa1, 0x09, 0x00, 0x00, 0x00, 0x31, 0xaa, 0xbb]);
    const { message } = decodeMessage(bytes);
    expect(message.messageType).toBe(MessageType.ERROR);
    expect(message.returnCode).toBe(ReturnCode.E_MALFORMED_MESSAGE);
    expect(message.tp).toEqual({ offset: 0x30, more: true });
    expect([...message.payload]).toEqual([0xaa, 0xbb]);
  });

  it('round-trips every message, alone and several to a datagram', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), (ms) => {
        const one = ms[0] as SomeipMessage;
        expect(decodeMessage(encodeMessage(one)).message).toEqual({ ...one, payload: expect.any(Uint8Array) });
        const back = decodeMessages(encodeMessages(ms), { copy: true });
        expect(back.map((m) => [...m.payload])).toEqual(ms.map((m) => [...m.payload]));
        expect(back.map(({ payload: _p, ...h }) => h)).toEqual(ms.map(({ payload: _p, ...h }) => h));
      }),
    );
  });

  it('names the byte offset of a truncated header', () => {
    const e = parseError(() => decodeMessage(new Uint8Array(10), 0));
    expect(e.offset).toBe(0);
    expect(e.message).toMatch(/truncated header: 10 bytes/);
  });

  it('rejects a length field that claims more bytes than the datagram has', () => {
    const bytes = encodeMessage(makeMessage({ serviceId: 1, methodId: 2, payload: new Uint8Array(4) }));
    new DataView(bytes.buffer).setUint32(4, 100);
    const e = parseError(() => decodeMessages(bytes));
    expect(e.offset).toBe(4);
    expect(e.message).toMatch(/length field says 100/);
  });

  it('rejects a length field below the 8-byte minimum and names the second message', () => {
    const good = encodeMessage(makeMessage({ serviceId: 1, methodId: 2 }));
    const bad = encodeMessage(makeMessage({ serviceId: 1, methodId: 2 }));
    new DataView(bad.buffer).setUint32(4, 7);
    const e = parseError(() => decodeMessages(new Uint8Array([...good, ...bad])));
    expect(e.offset).toBe(good.length + 4);
  });

  it('rejects unknown message types and reserved return codes at their offsets', () => {
    const m = encodeMessage(makeMessage({ serviceId: 1, methodId: 2 }));
    m[14] = 0x40;
    expect(parseError(() => decodeMessage(m)).offset).toBe(14);
    m[14] = 0;
    m[15] = 0x80;
    expect(parseError(() => decodeMessage(m)).offset).toBe(15);
  });

  it('rejects a TP segment too short for its TP header', () => {
    const m = new Uint8Array([0, 1, 0, 1, 0, 0, 0, 10, 0, 0, 0, 1, 1, 1, 0x20, 0, 0, 0]);
    expect(parseError(() => decodeMessage(m)).offset).toBe(16);
  });

  it('throws only SomeipParseError for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeMessages(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(SomeipParseError);
        }
      }),
    );
  });

  it('peeks the frame size for stream framing once 8 bytes are there', () => {
    const m = encodeMessage(makeMessage({ serviceId: 1, methodId: 2, payload: new Uint8Array(5) }));
    expect(peekMessageSize(m.subarray(0, 7))).toBeUndefined();
    expect(peekMessageSize(m.subarray(0, 8))).toBe(m.length);
  });

  it('refuses to encode out-of-range header fields', () => {
    expect(() => encodeMessage(makeMessage({ serviceId: 0x10000, methodId: 0 }))).toThrow(SomeipSerializeError);
    expect(() => encodeMessage(makeMessage({ serviceId: 1, methodId: 0, tp: { offset: 8, more: false } }))).toThrow(/multiple of 16/);
  });

  it('names message types and return codes', () => {
    expect(messageTypeName(0xa0)).toBe('TP_RESPONSE');
    expect(returnCodeName(0x08)).toBe('E_WRONG_INTERFACE_VERSION');
    expect(returnCodeName(0x0e)).toBe('E_E2E_NOT_AVAILABLE');
  });
});
