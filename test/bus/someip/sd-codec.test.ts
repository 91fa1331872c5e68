import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SdEntryType,
  buildSdPayload,
  decodeSdPayload,
  encodeSdPayload,
  optionsOf,
  type SdEntryInit,
  type SdOption,
} from '../../../bus/someip/sd-codec.js';
import { SomeipParseError } from '../../../bus/someip/errors.js';

const u16 = fc.integer({ min: 0, max: 0xffff });
const optionArb: fc.Arbitrary<SdOption> = fc.record({
  type: fc.constantFrom('ipv4-endpoint' as const, 'ipv4-multicast' as const, 'ipv4-sd-endpoint' as const),
  address: fc.ipV4(),
  protocol: fc.constantFrom('udp' as const, 'tcp' as const),
  port: u16,
});
const entryArb: fc.Arbitrary<SdEntryInit> = fc.oneof(
  fc.record({
    type: fc.constantFrom(SdEntryType.FIND_SERVICE, SdEntryType.OFFER_SERVICE),
    serviceId: u16, instanceId: u16, majorVersion: fc.integer({ min: 0, max: 255 }), ttl: fc.integer({ min: 0, max: 0xffffff }),
    minorVersion: fc.integer({ min: 0, max: 0xffffffff }), options: fc.array(optionArb, { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constantFrom(SdEntryType.SUBSCRIBE_EVENTGROUP, SdEntryType.SUBSCRIBE_EVENTGROUP_ACK),
    serviceId: u16, instanceId: u16, majorVersion: fc.integer({ min: 0, max: 255 }), ttl: fc.integer({ min: 0, max: 0xffffff }),
    eventgroupId: u16, counter: fc.integer({ min: 0, max: 15 }), initialDataRequested: fc.boolean(), options: fc.array(optionArb, { maxLength: 2 }),
  }),
);

describe('SOME/IP-SD payload codec', () => {
  it('decodes an OfferService with an IPv4 endpoint option written byte by byte', () => {
    const bytes = new Uint8Array([
      0xc0, 0, 0, 0, // reboot + unicast
      0, 0, 0, 16, // one entry
      0x01, 0x00, 0x00, 0x10, 0x12, 0x34, 0x00, 0x01, 0x02, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x07,
      0, 0, 0, 12, // one option
      0x00, 0x09, 0x04, 0x00, 192, 168, 1, 10, 0x00, 0x11, 0x77, 0x25,
    ]);
    const sd = decodeSdPayload(bytes);
    expect(sd).toMatchObject({ reboot: true, unicast: true });
    expect(sd.entries).toEqual([{ type: 1, index1: 0, index2: 0, count1: 1, count2: 0, serviceId: 0x1234, instanceId: 1, majorVersion: 2, ttl: 5, minorVersion: 7 }]);
    expect(optionsOf(sd, sd.entries[0]!)).toEqual([{ type: 'ipv4-endpoint', address: '192.168.1.10', protocol: 'udp', port: 30501 }]);
  });

  it('decodes a SubscribeEventgroup with initial-data flag and counter', () => {
    const bytes = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 16, 0x06, 0, 0, 0, 0xab, 0xcd, 0, 2, 1, 0, 0, 0, 0, 0x83, 0x00, 0x42, 0, 0, 0, 0]);
    expect(decodeSdPayload(bytes).entries[0]).toMatchObject({ type: 6, serviceId: 0xabcd, instanceId: 2, ttl: 0, counter: 3, initialDataRequested: true, eventgroupId: 0x42 });
  });

  it('round-trips random entries and options, sharing equal option runs', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(entryArb, { maxLength: 6 }), (reboot, unicast, inits) => {
        const sd = buildSdPayload({ reboot, unicast }, inits);
        const back = decodeSdPayload(encodeSdPayload(sd));
        expect(back).toEqual(sd);
        back.entries.forEach((e, i) => expect(optionsOf(back, e)).toEqual(inits[i]?.options ?? []));
      }),
    );
  });

  it('throws only SomeipParseError for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeSdPayload(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(SomeipParseError);
        }
      }),
    );
  });

  it('names the offset of lying lengths, unknown entries and dangling option references', () => {
    const offset = (b: number[], base = 0): number => {
      try {
        decodeSdPayload(new Uint8Array(b), base);
      } catch (e) {
        return (e as SomeipParseError).offset;
      }
      return -1;
    };
    expect(offset([0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0])).toBe(4);
    expect(offset([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5], 100)).toBe(108);
    const entry = [0x03, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    expect(offset([0, 0, 0, 0, 0, 0, 0, 16, ...entry, 0, 0, 0, 0])).toBe(8);
    const refs = [0x01, 0, 0, 0x10, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    expect(offset([0, 0, 0, 0, 0, 0, 0, 16, ...refs, 0, 0, 0, 0])).toBe(9);
    expect(offset([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 9, 4, 0, 1, 2, 3, 4, 0, 0x99, 0, 1])).toBe(21);
  });

  it('keeps unknown options raw and round-trips them', () => {
    const sd = buildSdPayload({ reboot: false, unicast: true }, [
      { type: 1, serviceId: 1, instanceId: 1, majorVersion: 1, ttl: 3, minorVersion: 0, options: [{ type: 'raw', typeCode: 0x01, data: new Uint8Array([0, 5, 0x61, 0x3d, 0x62, 0x63, 0]) }] },
    ]);
    expect(decodeSdPayload(encodeSdPayload(sd)).options[0]).toEqual({ type: 'raw', typeCode: 1, data: new Uint8Array([0, 5, 0x61, 0x3d, 0x62, 0x63, 0]) });
  });
});
