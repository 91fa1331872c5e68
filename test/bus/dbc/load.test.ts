import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDbcBytes, loadDbcFile } from '../../../bus/dbc/index.js';
import { UnsupportedDbcFormatError } from '../../../bus/errors.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';

describe('loadDbcFile', () => {
  it('reads UTF-8 as UTF-8 and anything else as Windows-1252', () => {
    expect(decodeDbcBytes(new TextEncoder().encode('CM_ "25 °C €";'))).toBe('CM_ "25 °C €";');
    expect(decodeDbcBytes(Uint8Array.of(0x22, 0x80, 0xb0, 0xe4, 0x22))).toBe('"€°ä"');
    expect(decodeDbcBytes(Uint8Array.of(0x93, 0x41, 0x94, 0x99, 0x81))).toBe('\u201cA\u201d\u2122\u0081');
  });

  it('keeps Windows-1252 text in comments and units of a file on disk', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-dbc-')), 'latin.dbc');
    const text = 'BO_ 1 M: 8 X\n SG_ T : 0|8@1+ (1,0) [0|0] "\u00b0C" X\nCM_ SG_ 1 T "Temperatur \u00e4u\u00dferst";\n';
    writeFileSync(file, Buffer.from(text, 'latin1'));
    const { database } = await loadDbcFile(file);
    const signal = database.messageByName('M')?.signals[0];
    expect([signal?.unit, signal?.comment]).toEqual(['\u00b0C', 'Temperatur \u00e4u\u00dferst']);
  });

  it.skipIf(!hasSharedData)(`loads the shared cp1252.dbc ${sharedSkipReason}`, async () => {
    const { warnings } = await loadDbcFile(sharedPath('dbc', 'cp1252.dbc'), { strict: true });
    expect(warnings).toEqual([]);
  });

  it.skipIf(!hasSharedData)(`parses the 807 KB Ford DBC in bounded time once warm ${sharedSkipReason}`, async () => {
    const file = sharedPath('dbc', 'opendbc', 'ford_lincoln_base_pt.dbc');
    await loadDbcFile(file);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const { database } = await loadDbcFile(file);
      times.push(performance.now() - t0);
      expect(database.messages).toHaveLength(331);
    }
    // Generous bound: the test machine is shared; bench/dbc-decode measures the real figure.
    expect(Math.min(...times)).toBeLessThan(600);
  });
});

describe('loadDbcFile and other database formats', () => {
  it.skipIf(!hasSharedData)(`throws UnsupportedDbcFormatError naming a KCD file ${sharedSkipReason}`, async () => {
    for (const name of ['the_homer.kcd', 'vehicle.kcd']) {
      const file = sharedPath('dbc', name);
      const err = await loadDbcFile(file).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedDbcFormatError);
      expect(err).toMatchObject({ code: 'DBC_FORMAT_UNSUPPORTED', file, format: 'KCD (Kayak XML)' });
    }
  });
});
