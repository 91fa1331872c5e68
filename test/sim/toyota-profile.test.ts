/**
 * `vehicles/toyota-nodsu.yaml` against what the resolver will check and what the simulator's tests
 * assume: catalog names the domains read, messages and signals of opendbc's Toyota DBC, no DBC of
 * its own, nothing the Toyota bus does not carry, and the same sources as the hand-resolved map.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasSharedData, sharedSkipReason } from '../helpers/shared-data.js';
import { shippedProfileTests } from './shipped-profile.js';
import { TOYOTA_PROFILE, toyotaDatabase, toyotaSignals } from './toyota-signals.js';

interface Entry {
  readonly message: string;
  readonly signal: string;
  readonly unit?: string;
  readonly values?: Record<string, number>;
}

const text = readFileSync(TOYOTA_PROFILE, 'utf8');
const profile = parse(text) as { vehicle: string; dbc?: string; signals: Record<string, Entry> };

describe('the Toyota profile', () => {
  shippedProfileTests(text, 'toyota-nodsu');

  it('maps no radar objects, traction battery or driver monitoring, which this bus does not carry', () => {
    const invented = Object.keys(profile.signals).filter((n) => /^Vehicle\.(EcuAi|Powertrain\.TractionBattery|Driver)\./.test(n));
    expect(invented).toEqual([]);
  });

  it('maps each catalog signal to the source the hand-resolved Toyota map uses', () => {
    const byHand = Object.fromEntries([...toyotaSignals().values()].map((r) => [r.name, { message: r.message, signal: r.signals[0] }]));
    const inYaml = Object.fromEntries(Object.entries(profile.signals).map(([name, e]) => [name, { message: e.message, signal: e.signal }]));
    expect(inYaml).toEqual(byHand);
  });

  it.skipIf(!hasSharedData)(`names messages and signals of opendbc's Toyota DBC ${sharedSkipReason}`, async () => {
    const db = await toyotaDatabase();
    const missing = Object.entries(profile.signals).filter(([, e]) => !db.byName(e.message)?.message.signals.some((s) => s.name === e.signal));
    expect(missing).toEqual([]);
    // A unit is given exactly where the DBC has none.
    for (const [name, e] of Object.entries(profile.signals)) {
      const unit = db.byName(e.message)!.message.signals.find((s) => s.name === e.signal)!.unit;
      if (e.unit !== undefined) expect(unit, name).toBe('');
    }
  });
});
