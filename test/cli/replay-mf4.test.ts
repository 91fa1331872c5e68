/**
 * Replay of real CANedge MF4 recordings (J1939 trucks, ../shared/data/traces/mf4/): the report
 * counts the frames the trace holds, the ones the DBC describes (J1939 parameter groups matched
 * by PGN whatever the source address), the most frequent ids it does not, and says the reference
 * domains never had valid inputs on a bus that does not carry their messages.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDatabase, loadDbcFile, type CompiledDatabase } from '../../bus/dbc/index.js';
import type { CanFrame } from '../../bus/frame.js';
import { pgnOfId } from '../../bus/j1939/index.js';
import { openTraceReader } from '../../bus/trace/index.js';
import type { ReplaySummary } from '../../runtime/engine/summary.js';
import { cli } from '../helpers/cli.js';
import { hasSharedData, repoRoot, sharedPath } from '../helpers/shared-data.js';

const mf4 = (name: string): string => sharedPath('traces', 'mf4', name);
/** The J1939 truck recording whose engine (EEC1) and vehicle speed (CCVS1) the demo DBC describes. */
const J1939_TRACE = 'canedge_FCBF0606_00000001-60B621D9.MF4';
const J1939_DBC = 'CSS-Electronics-SAE-J1939-DEMO.dbc';
const SAMPLES = ['canedge_17BD1DB7_00000170.MF4', 'canedge_2F6913DB_00000001.MF4', 'canedge_3BA199E2_00000005-60FEB5A8.MF4', J1939_TRACE];
const PGN_EEC1 = 0xf004;
const PGN_CCVS1 = 0xfef1;

async function readAll(file: string): Promise<CanFrame[]> {
  const frames: CanFrame[] = [];
  for await (const batch of openTraceReader(file).batches()) frames.push(...batch);
  return frames;
}

const isData = (f: CanFrame): boolean => !f.error && !f.rtr;
const idText = (f: CanFrame): string => f.id.toString(16).toUpperCase().padStart(f.extended ? 8 : 3, '0');

/**
 * The reference vehicle's DBC with the J1939 demo DBC's parameter groups added, marked J1939 by
 * the database's ProtocolType: the domains find their messages, and the truck's frames decode too.
 */
function referencePlusJ1939(): string {
  const reference = readFileSync(path.join(repoRoot, 'sim', 'vehicle.dbc'), 'latin1');
  const j1939 = readFileSync(mf4(J1939_DBC), 'latin1');
  const groups = j1939.match(/^BO_ [\s\S]*?\n\s*\n/gm) ?? [];
  expect(groups.length).toBe(2);
  return reference
    .replace(/^(BU_:.*\n)/m, `$1\n${groups.join('\n')}\n`)
    .replace(/^(BA_DEF_DEF_ )/m, 'BA_DEF_  "ProtocolType" STRING ;\n$1')
    .concat('\nBA_ "ProtocolType" "J1939";\n');
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-replay-mf4-'));
});

const summaryOf = (file: string): ReplaySummary => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ReplaySummary;

/** The report's figures as the DBC and the trace give them, counted without the replay. */
function expectedCounts(frames: readonly CanFrame[], db: CompiledDatabase): { decoded: number; unknown: Map<string, number> } {
  let decoded = 0;
  const unknown = new Map<string, number>();
  for (const f of frames.filter(isData)) {
    if (db.forFrame(f) !== undefined) decoded++;
    else unknown.set(idText(f), (unknown.get(idText(f)) ?? 0) + 1);
  }
  return { decoded, unknown };
}

describe.runIf(hasSharedData)('replay of CANedge MF4 recordings', () => {
  it('reads every frame of each sample and finds none the reference DBC describes', async () => {
    const reference = compileDatabase((await loadDbcFile(path.join(repoRoot, 'sim', 'vehicle.dbc'))).database);
    for (const sample of SAMPLES) {
      const frames = await readAll(mf4(sample));
      const json = `${sample}.json`;
      const r = await cli(dir, 'replay', mf4(sample), '--local-only', '--quiet', '--json', json);
      expect(r.code, sample).toBe(1);
      const s = summaryOf(json);
      expect(s.trace.format).toBe('.mf4');
      expect(s.trace.frames).toBeGreaterThan(0);
      expect(s.trace.frames).toBe(frames.length);
      expect(s.trace.decoded).toBe(expectedCounts(frames, reference).decoded);
      expect(s.trace.decoded).toBe(0);
      expect(r.err).toContain(`no frame of ${sample} is described by the DBC`);
    }
  }, 120_000);

  it('counts the J1939 frames a DBC describes by PGN, lists the ten most frequent others, and reports the domains never valid', async () => {
    writeFileSync(path.join(dir, 'reference-j1939.dbc'), referencePlusJ1939());
    const db = compileDatabase((await loadDbcFile(path.join(dir, 'reference-j1939.dbc'))).database);
    expect(db.j1939).toBe(true);
    const frames = await readAll(mf4(J1939_TRACE));
    const expected = expectedCounts(frames, db);
    // The DBC's two groups are sent by source addresses other than the DBC's own (FE): matched by PGN.
    const byPgn = frames.filter((f) => isData(f) && f.extended && [PGN_EEC1, PGN_CCVS1].includes(pgnOfId(f.id))).length;
    expect(byPgn).toBeGreaterThan(0);
    expect(expected.decoded).toBe(byPgn);

    const r = await cli(dir, 'replay', mf4(J1939_TRACE), '--dbc', 'reference-j1939.dbc', '--local-only', '--allow-undecoded', '--json', 'j1939.json');
    expect(r.code, r.err).toBe(0);
    const s = summaryOf('j1939.json');
    expect(s.vehicle.dbc).toBe('reference-j1939.dbc');
    expect(s.trace.frames).toBe(frames.length);
    expect(s.trace.decoded).toBe(expected.decoded);
    expect(s.trace.not_in_dbc).toBe(frames.filter(isData).length - expected.decoded);
    const topTen = [...expected.unknown].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    expect(s.trace.unknown_ids).toEqual(topTen.map(([id, n]) => ({ id, frames: n })));
    // A truck bus carries none of the reference vehicle's messages: no domain ever had valid inputs.
    for (const [name, d] of Object.entries(s.domains)) {
      expect(d.first_valid_input_t, name).toBeNull();
      expect(r.err).toContain(`${name}: its inputs never became valid`);
    }
    expect(r.out).toContain(`frames read ${frames.length}, decoded by the DBC ${expected.decoded}; ids not in the DBC: ${topTen[0]![0]} (${topTen[0]![1]})`);
    expect(r.out).toMatch(/^inputs first valid \(s after the first frame\): adas never, chassis never, /m);
  }, 120_000);

  it('refuses the reference profile against the J1939 DBC alone, saying to write a profile (exit 2)', async () => {
    const r = await cli(dir, 'replay', mf4(J1939_TRACE), '--dbc', mf4(J1939_DBC), '--local-only', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`does not fit ${mf4(J1939_DBC)}`);
    expect(r.err).toMatch(/reference\.yaml:\d+: Vehicle\.Speed: no message "ESP_Brake"/);
    expect(r.err).toContain('ecu-ai vehicle init --dbc');
    // A short answer, not one line per mapping.
    expect(r.err.split('\n').length).toBeLessThan(10);
  }, 60_000);

  it('reads the truck through a J1939 profile (by PGN, any source address) and disables the domains it cannot feed', async () => {
    // CCVS1 (PGN 65265) carries the wheel-based vehicle speed; nothing on this bus feeds a whole domain.
    writeFileSync(path.join(dir, 'truck.yaml'), 'vehicle: truck\nsignals:\n  Vehicle.Speed: {pgn: 65265, signal: WheelBasedVehicleSpeed}\n');
    const r = await cli(dir, 'replay', mf4(J1939_TRACE), '--dbc', mf4(J1939_DBC), '--vehicle', 'truck.yaml', '--local-only', '--quiet', '--json', 'truck.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no domain ran');
    const s = summaryOf('truck.json');
    expect(s.vehicle.profile).toBe('truck');
    expect(s.trace.decoded).toBeGreaterThan(0);
    expect(Object.keys(s.domains)).toEqual([]);
    expect(Object.keys(s.disabled_domains ?? {}).sort()).toEqual(['adas', 'body', 'chassis', 'cockpit', 'powertrain']);
    // Vehicle.Speed is mapped, so it is not among what the chassis lacks.
    expect(s.disabled_domains?.['chassis']?.missing).not.toContain('Vehicle.Speed');
    expect(s.disabled_domains?.['chassis']?.missing).toContain('Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed');
  }, 60_000);
});
