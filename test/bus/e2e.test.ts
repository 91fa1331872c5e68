import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyE2e, counterStep, crc8J1850, E2eSealer, e2eCounter, e2eCrc, verifyE2e } from '../../bus/e2e.js';
import { compileDatabase, parseDbc } from '../../bus/dbc/index.js';

describe('CRC-8/SAE-J1850', () => {
  it('gives the catalogued check value 0x4B for "123456789"', () => {
    expect(crc8J1850(new TextEncoder().encode('123456789'))).toBe(0x4b);
  });

  it('gives 0x00 for an empty input (init 0xFF xor-out 0xFF)', () => {
    expect(crc8J1850(new Uint8Array(0))).toBe(0);
  });
});

describe('E2E protection', () => {
  it('verifies a payload it protected, and detects any single flipped bit outside byte 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7ff }), fc.uint8Array({ minLength: 2, maxLength: 64 }), fc.nat(), (id, bytes, pick) => {
        const payload = applyE2e(id, Uint8Array.from(bytes));
        expect(verifyE2e(id, payload)).toBe(true);
        const bit = 8 + (pick % ((payload.length - 1) * 8));
        const damaged = Uint8Array.from(payload);
        damaged[bit >> 3] = (damaged[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(verifyE2e(id, damaged)).toBe(false);
      }),
    );
  });

  it('binds the CRC to the CAN id, so the same payload under another id fails', () => {
    const payload = applyE2e(0x0a0, Uint8Array.of(0, 0x13, 1, 2, 3, 4, 5, 6));
    expect(verifyE2e(0x0a1, payload)).toBe(false);
    expect(e2eCrc(0x0a0, payload)).toBe(payload[0]);
  });

  it('rejects payloads too short to carry a CRC and a counter', () => {
    expect(verifyE2e(0x100, Uint8Array.of(0))).toBe(false);
  });

  it('reads the counter from the low nibble of byte 1 and counts steps across the wrap', () => {
    expect(e2eCounter(Uint8Array.of(0, 0xf7))).toBe(7);
    expect(counterStep(15, 0)).toBe(1);
    expect(counterStep(14, 1)).toBe(3);
    expect(counterStep(4, 4)).toBe(0);
  });
});

describe('E2eSealer', () => {
  const dbc = `VERSION ""
BU_: A
BO_ 672 Protected: 8 A
 SG_ P_CRC : 0|8@1+ (1,0) [0|255] "" A
 SG_ P_Counter : 8|4@1+ (1,0) [0|15] "" A
 SG_ P_Value : 16|8@1+ (1,0) [0|255] "" A
BO_ 673 CountedOnly: 8 A
 SG_ C_Counter : 8|4@1+ (1,0) [0|15] "" A
BO_ 674 CrcElsewhere: 8 A
 SG_ X_CRC : 8|8@1+ (1,0) [0|255] "" A
BO_ 675 Plain: 8 A
 SG_ V : 0|8@1+ (1,0) [0|255] "" A
`;
  const db = compileDatabase(parseDbc(dbc).database);
  const codec = (name: string) => db.byName(name)!;

  it('counts 0..15 and wraps, and every sealed payload verifies under its id', () => {
    const c = codec('Protected');
    const sealer = E2eSealer.of(c.message)!;
    const counters: number[] = [];
    for (let i = 0; i < 20; i++) {
      const values: Record<string, number> = { P_Value: i };
      sealer.prepare(values);
      const payload = sealer.seal(c.encode(values));
      expect(verifyE2e(672, payload)).toBe(true);
      counters.push(e2eCounter(payload));
    }
    expect(counters).toEqual([...Array.from({ length: 16 }, (_, i) => i), 0, 1, 2, 3]);
  });

  it('fills a counter without a CRC where the message has only a counter, and protects nothing else', () => {
    const counted = E2eSealer.of(codec('CountedOnly').message)!;
    expect(counted.crcSignal).toBeUndefined();
    const values: Record<string, number> = {};
    counted.prepare(values);
    counted.prepare(values);
    expect(values).toEqual({ C_Counter: 1 });
    const payload = Uint8Array.of(9, 1, 0, 0, 0, 0, 0, 0);
    expect(counted.seal(payload)[0]).toBe(9);
    // A CRC signal must sit in byte 0 to be the protocol's.
    expect(E2eSealer.of(codec('CrcElsewhere').message)).toBeUndefined();
    expect(E2eSealer.of(codec('Plain').message)).toBeUndefined();
  });

  it('refuses to seal a payload with no room for CRC and counter', () => {
    const sealer = E2eSealer.of(codec('Protected').message)!;
    expect(() => sealer.seal(Uint8Array.of(0))).toThrow(RangeError);
  });
});
