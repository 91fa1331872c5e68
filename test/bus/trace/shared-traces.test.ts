/**
 * Every trace in ../shared/data/traces reads as its expected/*.json (python-can 4.1.0's reading) says,
 * except where python-can 4.1 is wrong; each such place is named in DEVIATIONS with the reason and
 * what the file itself says.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';
import type { CanFrame } from '../../../bus/frame.js';
import { readAll } from './helpers.js';

interface ExpectedFrame { timestamp: number; id: number; extended: boolean; fd: boolean; brs: boolean; esi: boolean; remote: boolean; error: boolean; rx: boolean; dlc: number; data_hex: string }
interface Expected { file: string; frames?: number; unique_ids?: number; counts?: Record<string, number>; first_ts?: number; last_ts?: number; first_frames?: ExpectedFrame[]; error?: string }

/**
 * Where we read differently from python-can 4.1, on purpose:
 * - ASC/TRC: python-can gives times from the start of the recording; the files record an absolute
 *   start (`date`/`Begin Triggerblock`, `$STARTTIME`), so ours are epoch seconds. Compared as offsets.
 * - ASC error frames: python-can marks them extended (its Message default); they carry no id, ours are not.
 * - ASC CANFD lines whose FLAGS lack EDL are classic frames (logfile.asc 30.300981 remote, and the
 *   CANFD error frame); python-can calls every CANFD line FD.
 * - TRC 2.1 `RR` (remote request) line: python-can 4.1 drops it; the file holds it, we read it.
 * - TRC 1.1/1.3: python-can 4.1 cannot read these at all (`RTR` data, the bus column).
 * - BLF test files from python-can carry synthetic values (ids 0x4444444 without the extended bit,
 *   DLC 0x33 on classic frames, EDL together with the remote bit): ids above 0x7ff are read as 29-bit,
 *   DLCs above 15 cap at 15, and EDL wins over the remote bit (CAN FD has no remote frames).
 * - issue_1905.blf: the CAN_FD_MESSAGE_64 objects hold 48 payload bytes though valid-bytes says 64;
 *   python-can reads 16 bytes of the next object's header into the data. We stop at the object's end.
 */
const files = hasSharedData ? readdirSync(sharedPath('traces', 'expected')).filter((f) => f.endsWith('.json')) : [];

function pythonDlc(f: CanFrame): number {
  // python-can's dlc is the payload length (or the DLC code for remote frames).
  if (f.rtr) return f.dlc;
  return f.data.length;
}

describe.skipIf(!hasSharedData)(`shared traces read as expected ${sharedSkipReason}`, () => {
  it.each(files)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(sharedPath('traces', 'expected', name), 'utf8')) as Expected;
    const { frames, skipped } = await readAll(sharedPath('traces', expected.file));
    expect(skipped).toBe(0);
    const ext = expected.file.slice(expected.file.lastIndexOf('.'));
    const base = expected.file.split('/').pop() ?? '';

    if (expected.error !== undefined) {
      // python-can 4.1 fails on TRC 1.1/1.3; the files (12 records) hold 10 Tx data frames, a Warng status
      // line and one remote request of DLC 1 for 0x704, all on bus 1.
      expect(frames).toHaveLength(11);
      expect(frames.filter((f) => f.tx).length).toBe(10);
      expect(frames[10]).toMatchObject({ id: 0x704, rtr: true, dlc: 1, extended: false, channel: 'can0' });
      expect(frames[10]?.tx).not.toBe(true);
      expect(frames[0]).toMatchObject({ id: 0x100, extended: true, dlc: 8 });
      expect(frames[4]).toMatchObject({ id: 0, extended: false });
      expect(frames[10]!.timestamp - frames[0]!.timestamp).toBeCloseTo(48.9376 - 17.5354, 6);
      return;
    }

    const pcOnly = base === 'test_CanMessage_V2_1.trc' ? frames.filter((f) => !f.rtr) : frames;
    expect(pcOnly.length).toBe(expected.frames);
    expect(new Set(pcOnly.filter((f) => !f.error).map((f) => `${f.extended}:${f.id}`)).size).toBe(expected.unique_ids);
    const counts = expected.counts ?? {};
    const count = (p: (f: CanFrame) => boolean): number => pcOnly.filter(p).length;
    expect(count((f) => f.tx === true)).toBe(counts['tx']);
    expect(count((f) => f.error)).toBe(counts['error']);
    if (ext === '.asc') {
      expect(count((f) => f.extended)).toBe((counts['extended'] ?? 0) - (counts['error'] ?? 0));
    } else if (ext !== '.blf') {
      expect(count((f) => f.extended)).toBe(counts['extended']);
      expect(count((f) => f.fd)).toBe(counts['fd']);
      expect(count((f) => f.rtr)).toBe(counts['remote']);
    }

    // Times: offsets from the first frame agree to a microsecond (absolute where the format is).
    const t0 = frames[0]!.timestamp;
    const e0 = expected.first_ts ?? 0;
    expect((pcOnly.at(-1)!.timestamp - t0) - ((expected.last_ts ?? 0) - e0)).toBeCloseTo(0, 5);
    if (ext === '.log' || ext === '.blf') expect(t0).toBeCloseTo(e0, 5);

    for (const [i, e] of (expected.first_frames ?? []).entries()) {
      const f = pcOnly[i]!;
      expect(f.timestamp - t0, `frame ${i} time`).toBeCloseTo(e.timestamp - e0, 5);
      expect(f.tx === true, `frame ${i} direction`).toBe(!e.rx);
      expect(f.error).toBe(e.error);
      if (e.error) continue;
      expect(f.id, `frame ${i} id`).toBe(e.id);
      if (ext === '.blf' && e.remote && f.fd) continue; // EDL wins over the remote bit (see above)
      if (base === 'issue_1905.blf') {
        expect(Buffer.from(f.data).toString('hex')).toBe(e.data_hex.slice(0, 96));
        continue;
      }
      expect(Buffer.from(f.data).toString('hex'), `frame ${i} data`).toBe(e.data_hex);
      if (ext === '.blf') continue;
      expect(f.extended).toBe(e.extended);
      expect(pythonDlc(f), `frame ${i} dlc`).toBe(e.dlc);
      if (f.fd) expect([f.brs, f.esi]).toEqual([e.brs, e.esi]);
      if (!(ext === '.asc' && e.fd && !f.fd)) expect(f.rtr).toBe(e.remote);
    }
  });
});
