import { describe, expect, it } from 'vitest';
import { compileDatabase, isJ1939Database, loadDbcFile, parseDbc } from '../../../bus/dbc/index.js';
import { makeFrame } from '../../../bus/frame.js';
import { makeJ1939Id } from '../../../bus/j1939/index.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';

const J1939_ATTRIBUTES = `
BA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","reserved","J1939PG";
BA_DEF_ "ProtocolType" STRING ;
BA_DEF_DEF_ "VFrameFormat" "";
BA_DEF_DEF_ "ProtocolType" "";
`;

function frameOf(priority: number, pgn: number, sourceAddress: number, data: number[], destinationAddress?: number) {
  return makeFrame({ id: makeJ1939Id({ priority, pgn, sourceAddress, ...(destinationAddress === undefined ? {} : { destinationAddress }) }), extended: true, data });
}

describe('J1939 lookup by PGN', () => {
  it.skipIf(!hasSharedData)(`finds EEC1 of the CSS demo DBC from any source address and priority ${sharedSkipReason}`, async () => {
    const { database } = await loadDbcFile(sharedPath('traces', 'mf4', 'CSS-Electronics-SAE-J1939-DEMO.dbc'));
    expect(isJ1939Database(database)).toBe(true);
    const compiled = compileDatabase(database);
    expect(compiled.j1939).toBe(true);
    for (const [priority, sa] of [[3, 0x00], [3, 0x01], [6, 0x3d], [7, 0xfe]] as const) {
      const rpm = 600 + sa;
      const raw = rpm / 0.125;
      const codec = compiled.forFrame(frameOf(priority, 0xf004, sa, [0xff, 0xff, 0xff, raw & 0xff, raw >> 8, 0xff, 0xff, 0xff]));
      expect(codec?.message.name).toBe('EEC1');
      expect(codec?.decode(Uint8Array.of(0xff, 0xff, 0xff, raw & 0xff, raw >> 8, 0xff, 0xff, 0xff))).toEqual({ EngineSpeed: rpm });
    }
    expect(compiled.forFrame(frameOf(3, 0xf005, 0x00, [0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    // The same bits as EEC1's low 11 bits in a standard frame are not J1939.
    expect(compiled.forFrame(makeFrame({ id: 0x4fe, data: [0, 0, 0, 0, 0, 0, 0, 0] }))).toBeUndefined();
  });

  it('masks the destination of a PDU1 group and keeps the group extension of a PDU2 group', () => {
    const text = `BO_ ${0x80000000 + 0x18ef2100} PropA: 8 X\n SG_ Mode : 0|8@1+ (1,0) [0|0] "" X\n` +
      `BO_ ${0x80000000 + 0x18ff1200} PropB12: 8 X\n SG_ B : 0|8@1+ (1,0) [0|0] "" X\n` +
      J1939_ATTRIBUTES + 'BA_ "ProtocolType" "J1939";\n';
    const compiled = compileDatabase(parseDbc(text, { strict: true }).database);
    for (const da of [0x00, 0x21, 0x80, 0xff]) {
      for (const sa of [0x00, 0x17, 0xf9]) expect(compiled.forFrame(frameOf(6, 0xef00, sa, [1], da))?.message.name).toBe('PropA');
    }
    expect(compiled.forFrame(frameOf(6, 0xff12, 0x42, [1]))?.message.name).toBe('PropB12');
    expect(compiled.forFrame(frameOf(6, 0xff13, 0x42, [1]))).toBeUndefined();
    expect(compiled.byPgn(0xef00)?.message.name).toBe('PropA');
  });

  it('leaves a database without J1939 attributes to exact ids, unless told every extended message is a group', () => {
    const text = `BO_ ${0x80000000 + 0x18fee3fe} EC1: 8 X\n SG_ S : 0|8@1+ (1,0) [0|0] "" X\n`;
    const { database } = parseDbc(text, { strict: true });
    const plain = compileDatabase(database);
    expect(plain.j1939).toBe(false);
    expect(plain.forFrame(frameOf(6, 0xfee3, 0xfe, [1]))?.message.name).toBe('EC1');
    expect(plain.forFrame(frameOf(6, 0xfee3, 0x00, [1]))).toBeUndefined();
    const forced = compileDatabase(database, { allExtended: true });
    expect(forced.forFrame(frameOf(6, 0xfee3, 0x00, [1]))?.message.name).toBe('EC1');
  });

  it('follows a message\'s own VFrameFormat over the database\'s ProtocolType', () => {
    const text = `BO_ ${0x80000000 + 0x18fef100} Ccvs: 8 X\n SG_ V : 0|8@1+ (1,0) [0|0] "" X\n` +
      `BO_ ${0x80000000 + 0x0cf00400} Eec1: 8 X\n SG_ R : 0|8@1+ (1,0) [0|0] "" X\n` +
      J1939_ATTRIBUTES + 'BA_ "ProtocolType" "J1939";\n' + `BA_ "VFrameFormat" BO_ ${0x80000000 + 0x18fef100} 1;\n`;
    const compiled = compileDatabase(parseDbc(text, { strict: true }).database);
    expect(compiled.forFrame(frameOf(6, 0xfef1, 0x17, [1]))).toBeUndefined();
    expect(compiled.forFrame(frameOf(3, 0xf004, 0x17, [1]))?.message.name).toBe('Eec1');
    expect(compiled.isParameterGroup(compiled.byName('Eec1')!)).toBe(true);
    expect(compiled.isParameterGroup(compiled.byName('Ccvs')!)).toBe(false);
  });

  it('prefers the message with the exact id when two share a PGN', () => {
    const text = `BO_ ${0x80000000 + 0x0cf00400} EngineEec1: 8 X\n SG_ R : 0|8@1+ (1,0) [0|0] "" X\n` +
      `BO_ ${0x80000000 + 0x0cf0040f} RetarderEec1: 8 X\n SG_ Q : 0|8@1+ (1,0) [0|0] "" X\n` +
      J1939_ATTRIBUTES.replace('BA_DEF_DEF_ "VFrameFormat" "";', 'BA_DEF_DEF_ "VFrameFormat" "J1939PG";');
    const compiled = compileDatabase(parseDbc(text, { strict: true }).database);
    expect(compiled.forFrame(frameOf(3, 0xf004, 0x00, [1]))?.message.name).toBe('EngineEec1');
    expect(compiled.forFrame(frameOf(3, 0xf004, 0x0f, [1]))?.message.name).toBe('RetarderEec1');
    expect(compiled.forFrame(frameOf(3, 0xf004, 0x33, [1]))?.message.name).toBe('RetarderEec1');
  });

  it.skipIf(!hasSharedData)(`reads tp_j1939.dbc, which declares no J1939 attribute, as J1939 only when told ${sharedSkipReason}`, async () => {
    const { database } = await loadDbcFile(sharedPath('traces', 'mf4', 'tp_j1939.dbc'));
    expect(compileDatabase(database).j1939).toBe(false);
    const forced = compileDatabase(database, { allExtended: true });
    expect(forced.byPgn(0xfee3)?.message.name).toBe('EC1');
    expect(forced.forFrame(frameOf(6, 0xfee3, 0x00, [0, 0, 0, 0, 0, 0, 0, 0]))?.message.name).toBe('EC1');
  });
});
