/**
 * The CANedge MF4 samples in ../shared/data/traces/mf4 (see its SOURCES.md). No MF4 peer is installable
 * here, so the readings are judged by the files themselves: frame counts against the finalized file's
 * cycle counts (and, for unfinalized ones, against the records a plain walk of the data block finds),
 * monotonic times, and decoded values that are physically plausible: J1939 engine and vehicle speed,
 * CANmod.gps positions, and the GNSS epoch the CANmod sends against the frame's own timestamp.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileDatabase, loadDbcFile } from '../../../bus/dbc/index.js';
import type { CanFrame } from '../../../bus/frame.js';
import { openTraceReader } from '../../../bus/trace/index.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';
import { cli } from '../../helpers/cli.js';
import { pythonModulePeer, runPython } from '../../helpers/peers.js';
import { tempDir } from './helpers.js';

const pythonCan = pythonModulePeer('can', 'python3-can');
const PY_READ = String.raw`
import sys, json, can
print(json.dumps([dict(t=m.timestamp, id=m.arbitration_id, ext=m.is_extended_id, fd=m.is_fd, rtr=m.is_remote_frame,
    tx=not m.is_rx, data=bytes(m.data).hex(), ch=m.channel) for m in can.LogReader(sys.argv[1])]))
`;

const mf4 = (name: string): string => sharedPath('traces', 'mf4', name);

async function read(name: string): Promise<{ frames: CanFrame[]; warnings: readonly string[]; skipped: number }> {
  const reader = openTraceReader(name.includes('/') ? name : mf4(name));
  const frames: CanFrame[] = [];
  for await (const batch of reader.batches()) frames.push(...batch);
  return { frames, warnings: reader.warnings, skipped: reader.skipped };
}

/**
 * CANedge layout, counted independently of the reader: one DT block (its recorded length not updated)
 * whose records are a 1-byte record id then 22 bytes (CAN_DataFrame, id 1), a u32 length and data
 * (VLSD, id 2) or the declared size of the other groups.
 */
function countCanedgeRecords(name: string, dtAt: number, sizes: Record<number, number>): number {
  const b = readFileSync(mf4(name));
  let p = dtAt + 24;
  let frames = 0;
  while (p < b.length) {
    const id = b[p] as number;
    const size = id === 2 ? 4 + b.readUInt32LE(p + 1) : sizes[id];
    if (size === undefined) throw new Error(`record id ${id} at ${p}`);
    if (p + 1 + size > b.length) break;
    if (id === 1) frames++;
    p += 1 + size;
  }
  return frames;
}

function monotonicPerChannel(frames: readonly CanFrame[]): void {
  const last = new Map<string, number>();
  for (const f of frames) {
    expect(f.timestamp).toBeGreaterThanOrEqual(last.get(f.channel) ?? 0);
    last.set(f.channel, f.timestamp);
  }
}

describe.skipIf(!hasSharedData)(`CANedge MF4 samples ${sharedSkipReason}`, () => {
  it('finalized 3BA199E2: as many data frames as the CAN_DataFrame group\'s cycle count (5477), no warnings', async () => {
    const { frames, warnings, skipped } = await read('canedge_3BA199E2_00000005-60FEB5A8.MF4');
    expect(frames).toHaveLength(5477);
    expect(warnings).toEqual([]);
    expect(skipped).toBe(0);
    monotonicPerChannel(frames);
  });

  it.each([
    ['canedge_2F6913DB_00000001.MF4', 14608, { 1: 22, 3: 9, 4: 14, 5: 19, 6: 19, 7: 9 }],
    ['canedge_17BD1DB7_00000170.MF4', 7456, { 1: 22, 3: 19 }],
    ['canedge_FCBF0606_00000001-60B621D9.MF4', 7456, { 1: 22, 3: 19 }],
  ] as const)('unfinalized %s: finalized in memory, every record present read, and said so', async (name, dtAt, sizes) => {
    const { frames, warnings } = await read(name);
    expect(frames.length).toBeGreaterThan(1000);
    expect(frames.length).toBe(countCanedgeRecords(name, dtAt, sizes));
    expect(warnings[0]).toMatch(/unfinalized MDF .*finalized in memory.*to the end of the file/);
    monotonicPerChannel(frames);
  });

  it('J1939 (FCBF0606): EEC1 engine speed and CCVS1 vehicle speed are plausible, times in the recording\'s hour', async () => {
    const { frames } = await read('canedge_FCBF0606_00000001-60B621D9.MF4');
    const { database } = await loadDbcFile(mf4('CSS-Electronics-SAE-J1939-DEMO.dbc'));
    const db = compileDatabase(database);
    // J1939 ids carry a source address: match the DBC message by PGN (bits 8..25).
    const pgn = (id: number): number => (id >> 8) & 0x3ffff;
    const byPgn = new Map(database.messages.map((m) => [pgn(m.id), db.byName(m.name)]));
    const rpm: number[] = [];
    const kmh: number[] = [];
    for (const f of frames) {
      const codec = f.extended ? byPgn.get(pgn(f.id)) : undefined;
      if (codec === undefined) continue;
      const v = codec.decode(f.data);
      if (typeof v['EngineSpeed'] === 'number') rpm.push(v['EngineSpeed']);
      if (typeof v['WheelBasedVehicleSpeed'] === 'number') kmh.push(v['WheelBasedVehicleSpeed']);
    }
    expect(rpm.length).toBeGreaterThan(100);
    expect(kmh.length).toBeGreaterThan(50);
    for (const r of rpm) expect(r).toBeGreaterThanOrEqual(0);
    expect(Math.max(...rpm)).toBeLessThan(3500);
    expect(Math.max(...kmh)).toBeLessThan(200);
    // This recording is of a parked vehicle (ignition on, engine off): a stopped engine, a still vehicle.
    if (Math.max(...rpm) === 0) expect(Math.max(...kmh)).toBe(0);
    // The header's start: 2021-06-01 11:43:49 UTC; the frames follow within the file's few minutes.
    expect(frames[0]!.timestamp).toBeGreaterThan(1622547829);
    expect(frames.at(-1)!.timestamp - frames[0]!.timestamp).toBeLessThan(600);
  });

  it.each(['canedge_2F6913DB_00000001.MF4', 'canedge_3BA199E2_00000005-60FEB5A8.MF4'])(
    'CANmod.gps (%s): the GNSS epoch it sends agrees with the frame times; positions are on Earth',
    async (name) => {
      const { frames } = await read(name);
      const { database } = await loadDbcFile(mf4('canmod-gps.dbc'));
      const db = compileDatabase(database);
      const time = db.byName('gnss_time')!;
      const pos = db.byName('gnss_pos')!;
      let checked = 0;
      for (const f of frames) {
        if (f.channel !== 'can1' || f.extended) continue;
        if (f.id === time.message.id) {
          const v = time.decode(f.data);
          if (v['TimeValid'] !== 1) continue;
          expect(Math.abs((v['Epoch'] as number) - f.timestamp)).toBeLessThan(5);
          checked++;
        } else if (f.id === pos.message.id) {
          const v = pos.decode(f.data);
          if (v['PositionValid'] !== 1) continue;
          expect(Math.abs(v['Latitude'] as number)).toBeLessThanOrEqual(90);
          expect(Math.abs(v['Longitude'] as number)).toBeLessThanOrEqual(180);
        }
      }
      expect(checked).toBeGreaterThan(10);
    },
  );

  it.skipIf(!pythonCan.available)(`trace convert MF4 -> .log: python-can reads the same frames ${pythonCan.reason}`, async () => {
    const tmp = tempDir();
    try {
      for (const name of ['canedge_2F6913DB_00000001.MF4', 'canedge_3BA199E2_00000005-60FEB5A8.MF4']) {
        const { frames } = await read(name);
        const run = await cli(tmp.dir, 'trace', 'convert', mf4(name), tmp.file('out.log'), '--quiet');
        expect(run.code, run.err).toBe(0);
        const theirs = JSON.parse(runPython(PY_READ, [tmp.file('out.log')])) as Array<{ t: number; id: number; ext: boolean; fd: boolean; rtr: boolean; tx: boolean; data: string; ch: string }>;
        expect(theirs).toHaveLength(frames.length);
        frames.forEach((f, i) => {
          const p = theirs[i]!;
          expect(Math.abs(p.t - f.timestamp)).toBeLessThan(1.5e-6);
          expect({ id: p.id, ext: p.ext, fd: p.fd, rtr: p.rtr, tx: p.tx, data: p.data, ch: p.ch }).toEqual({
            id: f.id, ext: f.extended, fd: f.fd, rtr: f.rtr, tx: f.tx === true, data: Buffer.from(f.data).toString('hex'), ch: f.channel,
          });
        });
      }
    } finally {
      tmp.remove();
    }
  });

  it('trace stats and trace cat take .MF4 files', async () => {
    const name = mf4('canedge_FCBF0606_00000001-60B621D9.MF4');
    const stats = await cli(process.cwd(), 'trace', 'stats', name, '--json');
    expect(stats.code, stats.err).toBe(0);
    const { frames } = await read('canedge_FCBF0606_00000001-60B621D9.MF4');
    expect(stats.out).toContain(String(frames.length));
    const cat = await cli(process.cwd(), 'trace', 'cat', name, '--limit', '3');
    expect(cat.code, cat.err).toBe(0);
    expect(cat.out.trim().split('\n')).toHaveLength(3);
  });

  it('a sorted file (one data group per frame kind) reads in time order across its data groups', async () => {
    // The finalized sample keeps CAN_RemoteFrame records in their own data group (empty there): give it
    // ten remote frames spread over the recording, and the cycle count that says so.
    const name = 'canedge_3BA199E2_00000005-60FEB5A8.MF4';
    const b = Buffer.from(readFileSync(mf4(name)));
    const { frames: data } = await read(name);
    const start = Number(b.readBigUInt64LE(64 + 24 + 6 * 8)) / 1e9;
    const remoteGroup = 5624;
    const remoteDataGroup = 135448;
    const records = Buffer.alloc(10 * 14);
    const span = data.at(-1)!.timestamp - data[0]!.timestamp;
    for (let i = 0; i < 10; i++) {
      const t = data[0]!.timestamp - start + (span * (i + 0.5)) / 10;
      records.writeDoubleLE(t * 1e9, i * 14);
      records.writeUInt32LE(((0x123 << 3) | (1 << 1)) >>> 0, i * 14 + 8);
      records[i * 14 + 13] = 3 << 4;
    }
    const dtAt = Math.ceil(b.length / 8) * 8;
    const dt = Buffer.alloc(24);
    dt.write('##DT', 0, 'latin1');
    dt.writeBigUInt64LE(BigInt(24 + records.length), 8);
    b.writeBigUInt64LE(BigInt(dtAt), remoteDataGroup + 24 + 2 * 8);
    b.writeBigUInt64LE(10n, remoteGroup + 24 + 6 * 8 + 8);
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('sorted.mf4'), Buffer.concat([b, Buffer.alloc(dtAt - b.length), dt, records]));
      const { frames } = await read(tmp.file('sorted.mf4'));
      expect(frames).toHaveLength(data.length + 10);
      const remote = frames.filter((f) => f.rtr);
      expect(remote).toHaveLength(10);
      expect(remote[0]).toMatchObject({ id: 0x123, channel: 'can0', dlc: 3, extended: false });
      for (let i = 1; i < frames.length; i++) expect(frames[i]!.timestamp).toBeGreaterThanOrEqual(frames[i - 1]!.timestamp);
      expect(frames.findIndex((f) => f.rtr)).toBeGreaterThan(0);
    } finally {
      tmp.remove();
    }
  });
});
