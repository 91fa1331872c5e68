/**
 * DBC files crafted to cost a reader far more than their size (../shared/data/hostile): each ends in
 * a typed error naming the place, or loads with a bounded number of warnings.
 */
import { describe, expect, it } from 'vitest';
import { DbcParseError } from '../../../bus/errors.js';
import { loadDbcFile, parseDbc } from '../../../bus/dbc/index.js';
import { hasSharedData, sharedPath } from '../../helpers/shared-data.js';

describe.runIf(hasSharedData)('hostile DBC files', () => {
  it('a start bit beyond a CAN FD frame is a parse error at the number', async () => {
    const err = await loadDbcFile(sharedPath('hostile', 'startbit-536870912.dbc')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbcParseError);
    expect((err as Error).message).toMatch(/startbit-536870912\.dbc:52:13 .*the start bit 536870912 is outside 0\.\.511/);
  });

  it('a message length beyond 64 bytes is a parse error', async () => {
    const err = await loadDbcFile(sharedPath('hostile', 'msglen-536870912.dbc')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbcParseError);
    expect((err as Error).message).toMatch(/the message length in bytes 536870912 is outside 0\.\.64/);
  });

  it('500 overlapping multiplexed signals give at most 16 pair warnings and one summary', async () => {
    const { warnings } = await loadDbcFile(sharedPath('hostile', 'mux-overlap-500.dbc'));
    const pairs = warnings.filter((w) => / overlap in message M$/.test(w.message));
    expect(pairs.length).toBe(16);
    expect(warnings.some((w) => /message M: \d+ more pairs of overlapping signals/.test(w.message))).toBe(true);
  });
});

describe('DBC bounds', () => {
  const dbc = (sg: string, len = 8): string => `VERSION ""\nBU_: N\nBO_ 100 M: ${len} N\n ${sg}\n`;
  it('refuses a zero-length signal and a signal longer than a CAN FD frame', () => {
    expect(() => parseDbc(dbc('SG_ A : 0|0@1+ (1,0) [0|0] "" N'))).toThrow(/the signal length in bits 0 is outside 1\.\.512/);
    expect(() => parseDbc(dbc('SG_ A : 0|513@1+ (1,0) [0|0] "" N'))).toThrow(/the signal length in bits 513 is outside 1\.\.512/);
    expect(() => parseDbc(dbc('SG_ A : 0|8@1+ (1,0) [0|0] "" N', 65))).toThrow(/65 is outside 0\.\.64/);
  });

  it('still finds a real overlap of two plain signals', () => {
    const r = parseDbc(`VERSION ""\nBU_: N\nBO_ 100 M: 8 N\n SG_ A : 0|8@1+ (1,0) [0|0] "" N\n SG_ B : 4|8@1+ (1,0) [0|0] "" N\n`);
    expect(r.warnings.map((w) => w.message)).toContain('signals A and B overlap in message M');
  });
});
