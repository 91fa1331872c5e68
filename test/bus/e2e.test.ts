import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyE2e, counterStep, crc8J1850, e2eCounter, e2eCrc, verifyE2e } from '../../bus/e2e.js';

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
