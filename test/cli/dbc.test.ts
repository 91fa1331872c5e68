import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli as runIn, type CliRun } from '../helpers/cli.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';

const cli = (...argv: string[]): Promise<CliRun> => runIn(process.cwd(), ...argv);

const DBC = `VERSION ""
BU_: ECU Body
BO_ 291 Engine: 8 ECU
 SG_ Speed : 0|16@1+ (0.01,0) [0|300] "km/h" Body
 SG_ Gear : 16|3@1+ (1,0) [0|7] "" Body
 SG_ Wide : 0|64@1+ (1,0) [0|0] "" Body
BO_ 2147484160 Ext: 64 ECU
 SG_ Mode M : 0|8@1+ (1,0) [0|0] "" Body
 SG_ A m1 : 8|8@1- (1,0) [0|0] "" Body
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 1000;
BA_ "GenMsgCycleTime" BO_ 291 20;
VAL_ 291 Gear 0 "P" 1 "R" 2 "N" 3 "D";
`;

let file = '';
beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-dbc-cli-'));
  file = path.join(dir, 'car.dbc');
  writeFileSync(file, DBC);
});

describe('ecu-ai dbc', () => {
  it('shows messages with id, length, flags, cycle time and signal layouts', async () => {
    const r = await cli('dbc', 'show', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('0x123 Engine: 8 bytes, standard, every 20 ms, from ECU');
    expect(r.out).toContain('0x200 Ext: 64 bytes, extended FD multiplexed');
    expect(r.out).toMatch(/Speed\s+0\|16 intel unsigned x0\.01 \+0 \[0, 300\] km\/h/);
    expect(r.err).toMatch(/warning: .*car\.dbc:6:2.*overlap/);
  });

  it('shows the machine-readable form with --json', async () => {
    const r = await cli('dbc', 'show', file, '--json');
    const doc = JSON.parse(r.out) as { messages: { name: string; id: number; cycleTimeMs: number | null; signals: { name: string; choices: Record<string, string> }[] }[] };
    expect(doc.messages.map((m) => [m.name, m.id, m.cycleTimeMs])).toEqual([['Engine', 291, 20], ['Ext', 512, null]]);
    expect(doc.messages[0]?.signals.find((s) => s.name === 'Gear')?.choices).toEqual({ 0: 'P', 1: 'R', 2: 'N', 3: 'D' });
  });

  it('decodes by name or by id to a JSON object of physical values, with names on request', async () => {
    const byName = await cli('dbc', 'decode', file, 'Engine', 'e803030000000000');
    expect(byName.code).toBe(0);
    const values = JSON.parse(byName.out) as Record<string, number>;
    expect(values.Speed).toBeCloseTo(10, 9);
    expect(values.Gear).toBe(3);
    const byId = await cli('dbc', 'decode', file, '0x123', 'e803030000000000', '--choices');
    expect((JSON.parse(byId.out) as Record<string, unknown>).Gear).toBe('D');
    const mux = await cli('dbc', 'decode', file, '512', '01ff' + '00'.repeat(62));
    expect(JSON.parse(mux.out)).toEqual({ Mode: 1, A: -1 });
  });

  it('prints 64-bit raw values exactly with --raw', async () => {
    const r = await cli('dbc', 'decode', file, 'Engine', 'ffffffffffffffff', '--raw');
    expect(r.out.trim()).toContain('"Wide":18446744073709551615');
  });

  it('encodes SIGNAL=VALUE pairs, value names included, to lowercase hex', async () => {
    const r = await cli('dbc', 'encode', file, 'Ext', 'Mode=1', 'A=-2');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('01fe' + '00'.repeat(62));
    const named = await cli('dbc', 'encode', file, 'Engine', 'Speed=0', 'Gear=R', 'Wide=131072', '--raw');
    expect(named.out.trim()).toBe('0000020000000000');
  });

  it('exits 2 with a clear message on bad input', async () => {
    const unknown = await cli('dbc', 'decode', file, 'Nope', '00');
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining('no message named or numbered "Nope"')]);
    const hex = await cli('dbc', 'decode', file, 'Engine', 'xyz');
    expect([hex.code, hex.err]).toEqual([2, expect.stringContaining('"xyz" is not hex bytes')]);
    const range = await cli('dbc', 'encode', file, 'Ext', 'Mode=1', 'A=200');
    expect([range.code, range.err]).toEqual([2, expect.stringContaining('Ext.A: 200 (raw 200) does not fit')]);
    const short = await cli('dbc', 'decode', file, 'Engine', '00');
    expect([short.code, short.err]).toEqual([2, expect.stringContaining('payload has 1 bytes')]);
    // Engine's Wide signal overlaps Speed and Gear: a warning, fatal under --strict.
    const strict = await cli('dbc', 'show', file, '--strict');
    expect([strict.code, strict.err]).toEqual([2, expect.stringMatching(/car\.dbc:6:2.*overlap/)]);
    const missing = await cli('dbc', 'show', path.join(path.dirname(file), 'absent.dbc'));
    expect(missing.code).toBe(2);
    const usage = await cli('dbc', 'frobnicate', file);
    expect([usage.code, usage.err]).toEqual([2, expect.stringContaining('unknown subcommand "frobnicate"')]);
  });

  it.skipIf(!hasSharedData)(`says a KCD file is not read, naming it, also when it is called .dbc ${sharedSkipReason}`, async () => {
    const kcd = sharedPath('dbc', 'the_homer.kcd');
    const r = await cli('dbc', 'show', kcd);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`ecu-ai dbc: ${kcd}: this is a KCD (Kayak XML) file, and only DBC files are read (KCD and ARXML are not); convert it to DBC first, e.g. with cantools or canmatrix\n`);
    const renamed = path.join(path.dirname(file), 'vehicle.dbc');
    writeFileSync(renamed, readFileSync(sharedPath('dbc', 'vehicle.kcd')));
    const disguised = await cli('dbc', 'decode', renamed, '0x123', '00');
    expect(disguised.code).toBe(2);
    expect(disguised.err).toContain(`${renamed}: this is a KCD (Kayak XML) file`);
  });

  it.skipIf(!hasSharedData)(`decodes a J1939 id from any source address and shows the PGN ${sharedSkipReason}`, async () => {
    const dbc = sharedPath('traces', 'mf4', 'CSS-Electronics-SAE-J1939-DEMO.dbc');
    // EEC1 is 0x0CF004FE in the file; here from source 0x01 at priority 6.
    const r = await cli('dbc', 'decode', dbc, '0x18F00401', 'ffffff4038ffffff');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ EngineSpeed: 0x3840 * 0.125 });
    expect((await cli('dbc', 'decode', dbc, '0x18F00501', 'ffffff4038ffffff')).code).toBe(2);
    const shown = await cli('dbc', 'show', dbc, '--json');
    const messages = (JSON.parse(shown.out) as { messages: { name: string; pgn: number | null }[] }).messages;
    expect(messages.map((m) => [m.name, m.pgn])).toEqual([['EEC1', 0xf004], ['CCVS1', 0xfef1]]);
  });

  it('prints help with --help', async () => {
    const r = await cli('dbc', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('ecu-ai dbc decode DBC ID|MESSAGE HEXDATA');
  });
});
