import { describe, expect, it } from 'vitest';
import { compileDatabase, parseDbc } from '../../../bus/dbc/index.js';
import { VirtualClock } from '../../../runtime/clock.js';
import { parseConfig } from '../../../runtime/config.js';
import { Engine } from '../../../runtime/engine/engine.js';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import type { ServiceResult } from '../../../runtime/service/runner.js';
import { TEST_DBC, ruleOnlyDomain } from './fixture.js';
import { plainVehicleSignals } from '../../helpers/vehicle-signals.js';
import { DOMAIN_LIST } from '../../../domains/index.js';
import { resolveDomains } from '../../../runtime/service/resolved.js';

// A SOME/IP event as the runtime's SOME/IP signal source stores it: a pseudo message per event.
const EVENT = 'SOMEIP_4B10_8001';

/** Reads one CAN signal and one SOME/IP event field; answers with both latest values. */
const mixedDomain = ruleOnlyDomain({
  inputs: { 'Vehicle.Speed': { required: true }, 'Vehicle.Cabin.Remote.SetPoint': { required: true } },
  rateHz: 1,
  length: 1,
  fallback: (window) => ({ can: window[0] as number, someip: window[1] as number }),
});

describe('domain inputs from SOME/IP events beside CAN signals', () => {
  it('refuses a SOME/IP signal the engine was not told about, and serves it once it is', async () => {
    const { database } = parseDbc(TEST_DBC);
    const codecs = compileDatabase(database);
    const config = parseConfig({ platform: { sensors: 'model' } }, DOMAIN_LIST);
    const base = {
      config,
      domains: resolveDomains([mixedDomain as DomainDefinition], config),
      models: {},
      codecs,
      vehicleSignals: plainVehicleSignals({
        'Vehicle.Speed': { message: 'EgoMotion', signal: 'Speed' },
        'Vehicle.Cabin.Remote.SetPoint': { message: EVENT, signal: 'set_point', channel: 'someip' },
      }),
      clock: new VirtualClock(0),
      timing: 'virtual' as const,
    };
    expect(() => new Engine({ ...base, dbcMessages: database.messages })).toThrow(new RegExp(EVENT));

    const results: ServiceResult[] = [];
    const engine = new Engine({
      ...base,
      clock: new VirtualClock(0),
      dbcMessages: [...database.messages, { name: EVENT, signals: [{ name: 'set_point' }] }],
      onResult: (r) => results.push(r),
    });
    // 100 Hz CAN speed and a 10 Hz SOME/IP set-point event over 3 s.
    for (let i = 1; i <= 300; i++) {
      const t = i / 100;
      const raw = 1500;
      await engine.ingestAt({ timestamp: t, channel: 'can0', id: 256, extended: false, fd: false, brs: false, esi: false, rtr: false, error: false, dlc: 8, data: Uint8Array.of(raw & 0xff, raw >> 8, 0, 0, 0, 0, 0, 0) });
      if (i % 10 === 0) engine.store.ingest({ channel: 'someip' }, { name: EVENT }, { set_point: 21.5 }, t);
    }
    await engine.finishAt(3);
    const last = results.at(-1)?.result as { can: number; someip: number } | undefined;
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(last).toEqual({ can: 15, someip: 21.5 });
  });
});
