/**
 * A vehicle that lacks some catalog signals: the domains whose required inputs are missing are
 * disabled with the reason, the others run, and missing optional inputs take their defaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDatabase, parseDbc } from '../../../bus/dbc/index.js';
import { makeFrame } from '../../../bus/frame.js';
import { vehicleInputLines } from '../../../cli/replay.js';
import { DOMAIN_LIST } from '../../../domains/index.js';
import { VirtualClock } from '../../../runtime/clock.js';
import { runReplaySession } from '../../../runtime/compose/replay-session.js';
import { parseConfig } from '../../../runtime/config.js';
import { Engine } from '../../../runtime/engine/engine.js';
import { inProcessInference } from '../../../runtime/inference/index.js';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import { resolveDomains } from '../../../runtime/service/resolved.js';
import type { ServiceResult } from '../../../runtime/service/runner.js';
import { referenceVehicleSignals } from '../../../runtime/vehicle/reference-mapping.js';
import type { ResolvedSignal } from '../../../runtime/vehicle/types.js';
import { vehicleDbcPath } from '../../../sim/vehicle-dbc.js';
import { writeSimulation } from '../../../sim/write.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { plainVehicleSignals } from '../../helpers/vehicle-signals.js';
import { TEST_DBC, ruleOnlyDomain, testDomain } from './fixture.js';

const KNOB = 'Vehicle.Cabin.Knob';
const KNOB_DEFAULT = 7;

/** Reads the speed (required) and a knob (optional); its rule answers with the newest row. */
const knobDomain = ruleOnlyDomain({
  inputs: { 'Vehicle.Speed': { required: true }, [KNOB]: { required: false, default: KNOB_DEFAULT } },
  rateHz: 10,
  length: 2,
  fallback: (window) => ({ speed: window[2] as number, knob: window[3] as number }),
});

/** The reference vehicle without some of its signals. */
function referenceWithout(...names: string[]): ReadonlyMap<string, ResolvedSignal> {
  const out = new Map(referenceVehicleSignals());
  for (const n of names) expect(out.delete(n), n).toBe(true);
  return out;
}

describe('an engine on a vehicle that lacks some inputs', () => {
  const config = parseConfig({ platform: { sensors: 'model' } }, DOMAIN_LIST);
  const engineWith = (vehicleSignals: ReadonlyMap<string, ResolvedSignal>, onResult?: (r: ServiceResult) => void): Engine =>
    new Engine({
      config,
      domains: resolveDomains([testDomain as DomainDefinition, knobDomain as DomainDefinition], config),
      models: {},
      codecs: compileDatabase(parseDbc(TEST_DBC).database),
      dbcMessages: parseDbc(TEST_DBC).database.messages,
      vehicleSignals,
      clock: new VirtualClock(0),
      timing: 'virtual',
      ...(onResult ? { onResult } : {}),
    });

  it('disables the domain missing a required input, naming it, and serves the other with the default', async () => {
    const results: ServiceResult[] = [];
    const engine = engineWith(plainVehicleSignals({ 'Vehicle.Speed': { message: 'EgoMotion', signal: 'Speed' } }), (r) => results.push(r));
    expect(engine.inputs.disabled).toEqual([{ domain: 'adas', missing: ['Vehicle.Accel'] }]);
    expect(engine.inputs.running).toEqual(['body']);
    expect(engine.inputs.defaulted).toEqual([{ domain: 'body', inputs: { [KNOB]: KNOB_DEFAULT } }]);
    expect(engine.services.map((s) => s.domain)).toEqual(['body']);
    expect(engine.store.names).toEqual(['Vehicle.Speed']);
    for (let i = 1; i <= 200; i++) {
      const raw = 1500; // 15 m/s
      await engine.ingestAt(makeFrame({ timestamp: i / 100, id: 256, data: [raw & 0xff, raw >> 8, 0, 0, 0, 0, 0, 0] }));
    }
    await engine.finishAt(2);
    expect(results.length).toBeGreaterThan(5);
    expect(new Set(results.map((r) => r.domain))).toEqual(new Set(['body']));
    const last = results.at(-1);
    expect(last?.inputsValid).toBe(true);
    expect(last?.result).toEqual({ speed: 15, knob: KNOB_DEFAULT });
  });

  it('runs every domain when the vehicle maps all their inputs', () => {
    const engine = engineWith(
      plainVehicleSignals({
        'Vehicle.Speed': { message: 'EgoMotion', signal: 'Speed' },
        'Vehicle.Accel': { message: 'EgoMotion', signal: 'Accel' },
        [KNOB]: { message: 'EgoMotion', signal: 'Accel' },
      }),
    );
    expect(engine.inputs).toMatchObject({ running: ['adas', 'body'], disabled: [], defaulted: [] });
  });

  it('refuses a mapping to a signal the DBC does not have, naming the mapping file', () => {
    expect(() => engineWith(plainVehicleSignals({ 'Vehicle.Speed': { message: 'EgoMotion', signal: 'Sped' } }, 'vehicles/test.yaml'))).toThrow(/vehicles\/test\.yaml[\s\S]*no signal "Sped"/);
  });
});

describe('replay of the shipped domains on a vehicle without a cell voltage and a rain sensor', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-vehicle-inputs-'));
  const tracePath = path.join(dir, 'drive.log');
  const CELL = 'Vehicle.EcuAi.TractionBattery.Cell07.Voltage';
  const RAIN = 'Vehicle.Body.Raindetection.Intensity';

  beforeAll(async () => {
    await writeSimulation({ scenario: 'mixed-drive', durationS: 10, seed: 5, out: tracePath });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('disables powertrain with the reason, runs the others, and fills the rain with its default', async () => {
    const s = await runReplaySession({
      config: parseConfig({ platform: { sensors: 'model' } }, DOMAIN_LIST),
      domains: DOMAIN_LIST,
      tracePath,
      dbcPath: vehicleDbcPath(),
      modelsDir: path.join(repoRoot, 'models'),
      vehicleSignals: referenceWithout(CELL, RAIN),
      inference: inProcessInference,
    });
    expect(s.disabled_domains).toEqual({ powertrain: { missing: [CELL] } });
    expect(s.defaulted_inputs).toEqual({ chassis: { [RAIN]: 0 } });
    expect(Object.keys(s.domains)).toEqual(['adas', 'chassis', 'cockpit', 'body']);
    for (const [name, d] of Object.entries(s.domains)) {
      expect(d.inferences, name).toBeGreaterThan(0);
      expect(d.first_valid_input_t, name).not.toBeNull();
    }
    expect(s.outputs['PT_BatteryAnomaly']).toBeUndefined();
    expect(s.outputs['CHS_Friction']).toBeGreaterThan(0);
    const lines = vehicleInputLines(s);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^powertrain disabled: 1 required signal not mapped .*${CELL}`));
    expect(lines[1]).toContain(`chassis: 1 optional signal not mapped, using the default (${RAIN} = 0)`);
  }, 120_000);
});
