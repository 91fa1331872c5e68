import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeJ1939Id, parseJ1939Id, pgnOfId } from '../../../bus/j1939/index.js';

describe('J1939 identifiers', () => {
  it('reads priority, PGN and addresses of PDU1 and PDU2 ids', () => {
    // EEC1 from the engine (0x0CF00400): PDU2, PGN 0xF004.
    expect(parseJ1939Id(0x0cf00400)).toEqual({ priority: 3, pgn: 0xf004, sourceAddress: 0x00, destinationAddress: 0xff, pdu1: false });
    // TP.CM from 0xF9 to 0x00 (0x18EC00F9): PDU1, PGN 0xEC00.
    expect(parseJ1939Id(0x18ec00f9)).toEqual({ priority: 6, pgn: 0xec00, sourceAddress: 0xf9, destinationAddress: 0x00, pdu1: true });
    // Data page set: PGN 0x1FEE3.
    expect(pgnOfId(0x19fee3fe)).toBe(0x1fee3);
  });

  it('builds ids that read back to their fields', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 0x3ffff }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (priority, anyPgn, sa, da) => {
        const pf = (anyPgn >> 8) & 0xff;
        const pgn = pf < 240 ? anyPgn & 0x3ff00 : anyPgn;
        const id = makeJ1939Id({ priority, pgn, sourceAddress: sa, ...(pf < 240 ? { destinationAddress: da } : {}) });
        expect(id).toBeLessThanOrEqual(0x1fffffff);
        expect(parseJ1939Id(id)).toEqual({ priority, pgn, sourceAddress: sa, destinationAddress: pf < 240 ? da : 0xff, pdu1: pf < 240 });
      }),
    );
    expect(() => makeJ1939Id({ priority: 3, pgn: 0xf004, sourceAddress: 0, destinationAddress: 0x21 })).toThrow(RangeError);
    expect(() => makeJ1939Id({ priority: 8, pgn: 0xf004, sourceAddress: 0 })).toThrow(RangeError);
  });
});
