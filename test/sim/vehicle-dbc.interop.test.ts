/** The reference DBC loads in canmatrix (Debian's python3-canmatrix) with the same shape we read. */
import { describe, expect, it } from 'vitest';
import { pythonModulePeer, runPython } from '../helpers/peers.js';
import { vehicleDatabase, vehicleDbcPath } from '../../sim/vehicle-dbc.js';

const canmatrix = pythonModulePeer('canmatrix.formats', 'python3-canmatrix');

const SCRIPT = `
import json, sys, canmatrix.formats
db = canmatrix.formats.loadp_flat(sys.argv[1])
out = {}
for f in db.frames:
    out[f.name] = {"id": f.arbitration_id.id, "size": f.size, "fd": bool(f.is_fd), "cycle": f.cycle_time,
                   "signals": len(f.signals), "mux": bool(f.is_multiplexed)}
print(json.dumps(out))
`;

describe.skipIf(!canmatrix.available)('vehicle.dbc in canmatrix', () => {
  it('loads with the same messages, ids, sizes, cycle times, FD flags and signal counts', () => {
    const theirs = JSON.parse(runPython(SCRIPT, [vehicleDbcPath()])) as Record<string, { id: number; size: number; fd: boolean; cycle: number; signals: number; mux: boolean }>;
    const ours = vehicleDatabase().database;
    expect(Object.keys(theirs).length).toBe(19);
    expect(Object.keys(theirs).sort()).toEqual(ours.messages.map((m) => m.name).sort());
    let signals = 0;
    for (const m of ours.messages) {
      const t = theirs[m.name]!;
      expect(t.id, m.name).toBe(m.id);
      expect(t.size, m.name).toBe(m.length);
      expect(t.fd, m.name).toBe(m.fd);
      expect(t.cycle, m.name).toBe(m.cycleTimeMs);
      expect(t.signals, m.name).toBe(m.signals.length);
      expect(t.mux, m.name).toBe(m.isMultiplexed);
      signals += t.signals;
    }
    expect(signals).toBe(294);
  });

  it('decodes a simulated frame to the same physical values as our codec', async () => {
    const { simulate } = await import('../../sim/simulate.js');
    const db = vehicleDatabase();
    const it = simulate({ scenario: 'highway-cruise', durationS: 1, seed: 4 });
    const picked = new Map<number, string>();
    for (let r = it.next(); !r.done; r = it.next()) if (r.value.kind === 'frame' && !picked.has(r.value.frame.id)) picked.set(r.value.frame.id, Buffer.from(r.value.frame.data).toString('hex'));
    const script = `
import json, sys, canmatrix.formats
db = canmatrix.formats.loadp_flat(sys.argv[1])
frames = json.loads(sys.argv[2])
out = {}
for fid, hexdata in frames.items():
    f = db.frame_by_id(canmatrix.ArbitrationId(int(fid)))
    decoded = f.decode(bytearray.fromhex(hexdata))
    out[fid] = {name: float(v.raw_value) * float(v.signal.factor) + float(v.signal.offset) for name, v in decoded.items()}
print(json.dumps(out))
`;
    const theirs = JSON.parse(runPython(script, [vehicleDbcPath(), JSON.stringify(Object.fromEntries(picked))])) as Record<string, Record<string, number>>;
    expect(Object.keys(theirs).length).toBe(14);
    for (const [id, hex] of picked) {
      const mine = db.byId(id, false)!.decode(Buffer.from(hex, 'hex'));
      for (const [name, value] of Object.entries(theirs[String(id)]!)) expect(Number(mine[name]), `${id}.${name}`).toBeCloseTo(value, 6);
    }
  });
});
