import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DbcInvalidError, DbcParseError } from '../../../bus/errors.js';
import { parseDbc } from '../../../bus/dbc/index.js';

const HEADER = 'VERSION "1.0"\n\nNS_ :\n\tCM_\n\tBA_\n\nBS_:\n\nBU_: ECU1 ECU2\n\n';

function dbc(body: string): string {
  return HEADER + body;
}

describe('parseDbc', () => {
  it('reads a message with Intel and Motorola, signed and unsigned signals, ranges, units and receivers', () => {
    const { database, warnings } = parseDbc(
      dbc(
        'BO_ 291 Engine: 8 ECU1\n' +
          ' SG_ Speed : 0|16@1+ (0.01,0) [0|655.35] "km/h" ECU2\n' +
          ' SG_ Temp : 23|8@0- (-0.5,40) [-23.5|104] "degC" ECU1,ECU2\n',
      ),
    );
    expect(warnings).toEqual([]);
    const m = database.messageByName('Engine');
    expect(m).toMatchObject({ id: 291, extended: false, fd: false, length: 8, senders: ['ECU1'] });
    expect(database.messageById(291, false)).toBe(m);
    expect(database.messageById(291, true)).toBeUndefined();
    expect(m?.signals[0]).toMatchObject({ name: 'Speed', startBit: 0, length: 16, byteOrder: 'little_endian', signed: false, scale: 0.01, minimum: 0, maximum: 655.35, unit: 'km/h', receivers: ['ECU2'] });
    expect(m?.signals[1]).toMatchObject({ name: 'Temp', startBit: 23, byteOrder: 'big_endian', signed: true, scale: -0.5, offset: 40, receivers: ['ECU1', 'ECU2'] });
    expect(database.nodes.map((n) => n.name)).toEqual(['ECU1', 'ECU2']);
  });

  it('takes the extended flag from bit 31 of the id and FD from VFrameFormat or a length over 8', () => {
    const { database } = parseDbc(
      dbc(
        'BO_ 2147483905 Ext: 8 ECU1\n SG_ A : 0|8@1+ (1,0) [0|0] "" ECU2\n' +
          'BO_ 16 Long: 64 ECU1\n SG_ B : 0|8@1+ (1,0) [0|0] "" ECU2\n' +
          'BO_ 17 Short: 8 ECU1\n SG_ C : 0|8@1+ (1,0) [0|0] "" ECU2\n' +
          'BA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","StandardCAN_FD";\n' +
          'BA_DEF_DEF_ "VFrameFormat" "StandardCAN";\n' +
          'BA_ "VFrameFormat" BO_ 17 2;\n',
      ),
    );
    expect(database.messageByName('Ext')).toMatchObject({ id: 257, extended: true, fd: false });
    expect(database.messageByName('Long')?.fd).toBe(true);
    expect(database.messageByName('Short')?.fd).toBe(true);
    expect(database.messageByName('Short')?.attributes.get('VFrameFormat')).toBe('StandardCAN_FD');
  });

  it('attaches multi-line comments with escaped quotes, value descriptions, float types and cycle times', () => {
    const { database, warnings } = parseDbc(
      dbc(
        'VAL_TABLE_ OnOff 1 "On" 0 "Off" ;\n' +
          'BO_ 100 Msg: 8 ECU1\n SG_ Flag : 0|1@1+ (1,0) [0|1] "" ECU2\n SG_ Level : 32|32@1- (1,0) [0|0] "" ECU2\n' +
          'CM_ "database comment";\n' +
          'CM_ BU_ ECU1 "the engine ECU";\n' +
          'CM_ BO_ 100 "first line\nsecond \\"quoted\\" line";\n' +
          'CM_ SG_ 100 Flag "a flag";\n' +
          'BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;\n' +
          'BA_DEF_DEF_ "GenMsgCycleTime" 0;\n' +
          'BA_ "GenMsgCycleTime" BO_ 100 20;\n' +
          'VAL_ 100 Flag 1 "Set" 0 "Clear" ;\n' +
          'SIG_VALTYPE_ 100 Level : 1;\n',
      ),
    );
    expect(warnings).toEqual([]);
    const m = database.messageByName('Msg');
    expect(m?.comment).toBe('first line\nsecond "quoted" line');
    expect(m?.cycleTimeMs).toBe(20);
    expect(m?.signals[0]?.comment).toBe('a flag');
    expect([...(m?.signals[0]?.choices ?? [])]).toEqual([[1, 'Set'], [0, 'Clear']]);
    expect(m?.signals[1]?.float).toBe(32);
    expect(database.nodes[0]?.comment).toBe('the engine ECU');
    expect([...(database.valueTables.get('OnOff') ?? [])]).toEqual([[1, 'On'], [0, 'Off']]);
  });

  it('resolves simple, extended and cascaded multiplexing', () => {
    const { database, warnings } = parseDbc(
      dbc(
        'BO_ 2147483649 Mux: 8 ECU1\n' +
          ' SG_ Top M : 0|8@1+ (1,0) [0|0] "" ECU2\n' +
          ' SG_ A m1 : 8|8@1+ (1,0) [0|0] "" ECU2\n' +
          ' SG_ Inner m2M : 8|8@1+ (1,0) [0|0] "" ECU2\n' +
          ' SG_ B m0 : 16|8@1+ (1,0) [0|0] "" ECU2\n' +
          'SG_MUL_VAL_ 2147483649 B Inner 0-0, 3-5;\n' +
          'SG_MUL_VAL_ 2147483649 Inner Top 2-2;\n',
      ),
    );
    expect(warnings).toEqual([]);
    const sig = (n: string) => database.messageByName('Mux')?.signals.find((s) => s.name === n);
    expect(sig('Top')).toMatchObject({ isMultiplexer: true, multiplexerSignal: undefined });
    expect(sig('A')).toMatchObject({ isMultiplexer: false, multiplexerSignal: 'Top', multiplexerIds: [1] });
    expect(sig('Inner')).toMatchObject({ isMultiplexer: true, multiplexerSignal: 'Top', multiplexerIds: [2] });
    expect(sig('B')).toMatchObject({ multiplexerSignal: 'Inner', multiplexerIds: [0, 3, 4, 5] });
    expect(database.messageByName('Mux')?.isMultiplexed).toBe(true);
  });

  it('skips sections it does not use without complaint', () => {
    const { database, warnings } = parseDbc(
      dbc(
        'EV_ EnvVar: 0 [0|100] "" 0 1 DUMMY_NODE_VECTOR0 Vector__XXX;\n' +
          'ENVVAR_DATA_ EnvVar: 4;\n' +
          'SIG_GROUP_ 100 Group 1 : Flag;\n' +
          'BA_DEF_REL_ BU_SG_REL_ "x" INT 0 1;\n' +
          'BO_ 100 Msg: 8 ECU1\n SG_ Flag : 0|1@1+ (1,0) [0|1] "" ECU2\n',
      ),
    );
    expect(warnings).toEqual([]);
    expect(database.messages).toHaveLength(1);
  });

  it('names file, line, column and what was expected in a syntax error', () => {
    const text = dbc('BO_ 100 Msg: 8 ECU1\n SG_ Flag : 0|1@1+ (1 0) [0|1] "" ECU2\n');
    const err = (() => {
      try {
        parseDbc(text, { file: 'car.dbc' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DbcParseError);
    const line = text.split('\n').findIndex((l) => l.includes('(1 0)')) + 1;
    const column = (text.split('\n')[line - 1] as string).indexOf('0)') + 1;
    expect((err as DbcParseError).location).toMatchObject({ file: 'car.dbc', line, column });
    expect((err as Error).message).toContain(`car.dbc:${line}:${column}`);
    expect((err as Error).message).toContain('expected ","');
  });

  it('reports an unclosed string at the place it opens', () => {
    expect(() => parseDbc('VERSION "never closed\n', { file: 'x.dbc' })).toThrow(/x\.dbc:1:9.*never closed/);
  });

  it('warns about ids over 11 bits, signals outside the message and overlaps, and refuses them in strict mode', () => {
    const text = dbc(
      'BO_ 274923520 Wide: 1 ECU1\n SG_ Out : 8|1@1+ (1,0) [0|1] "" ECU2\n' +
        'BO_ 5 Over: 8 ECU1\n SG_ X : 0|8@1+ (1,0) [0|0] "" ECU2\n SG_ Y : 4|8@1+ (1,0) [0|0] "" ECU2\n',
    );
    const { database, warnings } = parseDbc(text, { file: 'w.dbc' });
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('more than 11 bits'),
      expect.stringContaining('does not fit in the 1-byte message Wide'),
      expect.stringContaining('X and Y overlap'),
    ]);
    expect(warnings[0]?.location).toMatchObject({ file: 'w.dbc', line: HEADER.split('\n').length, column: 1 });
    expect(database.messageByName('Wide')).toMatchObject({ extended: true, id: 274923520 });
    expect(() => parseDbc(text, { file: 'w.dbc', strict: true })).toThrow(DbcInvalidError);
  });

  it('does not call multiplexed signals in different branches overlapping', () => {
    const { warnings } = parseDbc(
      dbc('BO_ 1 M: 8 ECU1\n SG_ S M : 0|8@1+ (1,0) [0|0] "" ECU2\n SG_ A m0 : 8|16@1+ (1,0) [0|0] "" ECU2\n SG_ B m1 : 8|8@1+ (1,0) [0|0] "" ECU2\n'),
      { strict: true },
    );
    expect(warnings).toEqual([]);
  });

  it('keeps a non-standard signal comment without a signal name as the message comment, with a warning', () => {
    const { database, warnings } = parseDbc(dbc('BO_ 304 M: 8 ECU1\n SG_ A : 0|8@1+ (1,0) [0|0] "" ECU2\nCM_ SG_ 304 "platform-agnostic";\n'));
    expect(database.messageByName('M')?.comment).toBe('platform-agnostic');
    expect(warnings).toHaveLength(1);
  });

  it('throws only DbcParseError on arbitrary text', () => {
    const keywords = ['BO_', 'SG_', 'CM_', 'BA_', 'BA_DEF_', 'VAL_', 'SG_MUL_VAL_', 'SIG_VALTYPE_', 'BU_', ':', '|', '@', '"', ';', '(', ')', '[', ']', ',', '-', '1', '8', 'm1', 'M', 'x', '\n', ' '];
    const tokenSoup = fc.array(fc.constantFrom(...keywords), { maxLength: 60 }).map((a) => a.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), tokenSoup), (text) => {
        try {
          parseDbc(text);
        } catch (e) {
          if (!(e instanceof DbcParseError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('throws only DbcParseError or DbcInvalidError on mutated real text in strict mode', () => {
    const base = dbc('BO_ 2147483649 Mux: 8 ECU1\n SG_ Top M : 0|8@1+ (1,0) [0|0] "" ECU2\n SG_ A m1 : 8|8@1+ (1,0) [0|0] "" ECU2\nSG_MUL_VAL_ 2147483649 A Top 1-1;\n');
    fc.assert(
      fc.property(fc.nat(base.length), fc.string({ maxLength: 4 }), fc.boolean(), (at, insert, strict) => {
        try {
          parseDbc(base.slice(0, at) + insert + base.slice(at + (insert.length % 3)), { strict });
        } catch (e) {
          if (!(e instanceof DbcParseError || e instanceof DbcInvalidError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
