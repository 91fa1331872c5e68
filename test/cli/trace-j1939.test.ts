import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeFrame, type CanFrame } from '../../bus/frame.js';
import { makeJ1939Id, tpSessionFrames } from '../../bus/j1939/index.js';
import { openTraceWriter } from '../../bus/trace/index.js';
import { tempDir } from '../bus/trace/helpers.js';
import { cli } from '../helpers/cli.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../helpers/shared-data.js';

type Line = Record<string, unknown> & { j1939?: { pri: number; pgn: number; sa: number; da: number }; sig?: Record<string, number> };

async function writeLog(file: string, frames: readonly CanFrame[]): Promise<void> {
  const writer = await openTraceWriter(file);
  for (const f of frames) await writer.write(f);
  await writer.close();
}

function lines(out: string): Line[] {
  return out.trim().split('\n').map((l) => JSON.parse(l) as Line);
}

/** EC1's 40 bytes with EngineSpeedAtPoint5 (bits 96..111, 0.125 rpm/bit) set to `rpm`. */
function ec1Payload(rpm: number): Uint8Array {
  const data = new Uint8Array(40).fill(0xff);
  const raw = rpm / 0.125;
  data[12] = raw & 0xff;
  data[13] = raw >> 8;
  return data;
}

describe('ecu-ai trace cat on a J1939 bus', () => {
  it.skipIf(!hasSharedData)(`shows priority, PGN and addresses and decodes by PGN from any source ${sharedSkipReason}`, async () => {
    const tmp = tempDir();
    try {
      const frames = [0x00, 0x01, 0x3d].map((sa, i) => {
        const raw = (800 + i * 100) / 0.125;
        return makeFrame({ timestamp: i * 0.01, id: makeJ1939Id({ priority: 3, pgn: 0xf004, sourceAddress: sa }), extended: true, data: [0xff, 0xff, 0xff, raw & 0xff, raw >> 8, 0xff, 0xff, 0xff] });
      });
      frames.push(makeFrame({ timestamp: 0.05, id: makeJ1939Id({ priority: 6, pgn: 0xea00, sourceAddress: 0xf9, destinationAddress: 0x00 }), extended: true, data: [0xe3, 0xfe, 0x00] }));
      frames.push(makeFrame({ timestamp: 0.06, id: 0x123, data: [1] }));
      await writeLog(tmp.file('j.log'), frames);
      const r = await cli(tmp.dir, 'trace', 'cat', 'j.log', '--dbc', sharedPath('traces', 'mf4', 'CSS-Electronics-SAE-J1939-DEMO.dbc'));
      expect(r.code, r.err).toBe(0);
      const [a, b, c, request, standard] = lines(r.out);
      expect([a, b, c].map((l) => [l?.msg, l?.sig?.['EngineSpeed'], l?.j1939?.sa])).toEqual([['EEC1', 800, 0x00], ['EEC1', 900, 0x01], ['EEC1', 1000, 0x3d]]);
      expect(a?.j1939).toEqual({ pri: 3, pgn: 0xf004, sa: 0, da: 255 });
      expect(request).toMatchObject({ j1939: { pri: 6, pgn: 0xea00, sa: 0xf9, da: 0x00 } });
      expect(request).not.toHaveProperty('msg');
      expect(standard).not.toHaveProperty('j1939');
    } finally {
      tmp.remove();
    }
  });

  it.skipIf(!hasSharedData)(`--j1939-tp reassembles BAM and RTS/CTS sessions and decodes them with tp_j1939.dbc ${sharedSkipReason}`, async () => {
    const tmp = tempDir();
    try {
      const bam = tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0x00, data: ec1Payload(1200), start: 0, gap: 0.05 });
      const rts = tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0x17, destinationAddress: 0xf9, data: ec1Payload(1500), start: 0.02, gap: 0.05, packetsPerCts: 2 });
      // A third session whose TP.DT 3 never comes: dropped as out of order at TP.DT 4.
      const broken = tpSessionFrames({ pgn: 0xfee3, sourceAddress: 0x03, data: ec1Payload(900), start: 0.03, gap: 0.05 }).filter((_, i) => i !== 3);
      await writeLog(tmp.file('tp.log'), [...bam, ...rts, ...broken].sort((x, y) => x.timestamp - y.timestamp));
      const dbc = sharedPath('traces', 'mf4', 'tp_j1939.dbc');
      const r = await cli(tmp.dir, 'trace', 'cat', 'tp.log', '--dbc', dbc, '--j1939', '--j1939-tp');
      expect(r.code, r.err).toBe(0);
      const messages = lines(r.out).filter((l) => l['tp'] !== undefined);
      expect(messages.map((m) => [m['tp'], m.j1939?.sa, m.j1939?.da, m['len'], m.msg, m.sig?.['EngineSpeedAtPoint5']])).toEqual([
        ['bam', 0x00, 0xff, 40, 'EC1', 1200],
        ['rts-cts', 0x17, 0xf9, 40, 'EC1', 1500],
      ]);
      expect(messages.every((m) => m['id'] === undefined)).toBe(true);
      expect(r.err).toMatch(/2 message\(s\) reassembled, \d+ dropped \(out-of-order 1, no-session \d+\)/);
      expect(r.err).toMatch(/0x03->0xFF PGN 0xFEE3: out-of-order/);
      // Without --j1939 the file's attributes do not make it J1939: frames print without the J1939 fields.
      const plain = await cli(tmp.dir, 'trace', 'cat', 'tp.log', '--dbc', dbc);
      expect(lines(plain.out).some((l) => l.j1939 !== undefined || l['tp'] !== undefined)).toBe(false);
    } finally {
      tmp.remove();
    }
  });

  it('refuses --j1939 without a DBC (exit 2)', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.file('a.log'), '(1.0) can0 123#00\n');
      const r = await cli(tmp.dir, 'trace', 'cat', 'a.log', '--j1939');
      expect(r.code).toBe(2);
      expect(r.err).toContain('--j1939');
    } finally {
      tmp.remove();
    }
  });
});
