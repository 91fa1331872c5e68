/**
 * The signal layer against the real DBC stack: sim/vehicle.dbc parsed and compiled by bus/dbc,
 * frames encoded by its codecs, routed into the store and a feature window.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDatabase, loadDbcFile } from '../../../bus/dbc/index.js';
import { makeFrame } from '../../../bus/frame.js';
import { CatalogMismatchError, FeatureWindow, parseSignalCatalog, SignalRouter, SignalStore } from '../../../runtime/signals/index.js';
import { repoRoot } from '../../helpers/shared-data.js';

const dbcPath = path.join(repoRoot, 'sim', 'vehicle.dbc');

describe('signals from sim/vehicle.dbc', () => {
  it('validates a catalog against the DBC and names what is missing', async () => {
    const { database } = await loadDbcFile(dbcPath);
    const good = parseSignalCatalog({
      'Vehicle.Speed': { message: 'ESP_Brake', signal: 'BRK_VehicleSpeed' },
      'Vehicle.AngularVelocity.Yaw': { message: 'ESP_Dynamics', signal: 'DYN_YawRate' },
    });
    expect(good.validateAgainst(database, 'chassis.json')).toBe(good);
    const bad = parseSignalCatalog({ 'Vehicle.Speed': { message: 'ESP_Brake', signal: 'VehicleSpeed' } });
    expect(() => bad.validateAgainst(database, 'chassis.json')).toThrow(CatalogMismatchError);
    expect(() => bad.validateAgainst(database, 'chassis.json')).toThrow(/Vehicle\.Speed: message "ESP_Brake" has no signal "VehicleSpeed"/);
  });

  it('routes encoded frames into the store with the DBC cycle time and into a window', async () => {
    const { database } = await loadDbcFile(dbcPath);
    const db = compileDatabase(database);
    const catalog = parseSignalCatalog({
      'Vehicle.Speed': { message: 'ESP_Brake', signal: 'BRK_VehicleSpeed' },
      'Vehicle.AngularVelocity.Yaw': { message: 'ESP_Dynamics', signal: 'DYN_YawRate' },
    }).validateAgainst(database);
    const store = new SignalStore(catalog);
    const router = new SignalRouter(db, store);
    const window = new FeatureWindow(store, { signals: ['Vehicle.Speed', 'Vehicle.AngularVelocity.Yaw'], rateHz: 10, length: 3 });
    router.attach(window);
    const brake = db.byName('ESP_Brake');
    const dyn = db.byName('ESP_Dynamics');
    if (!brake || !dyn) throw new Error('vehicle.dbc lacks ESP_Brake or ESP_Dynamics');
    // Encoding needs every signal of a message; the ones under test get their values, the rest 0.
    const zeros = (codec: typeof brake): Record<string, number> => Object.fromEntries(codec.message.signals.map((sig) => [sig.name, 0]));
    const speeds = [50, 50.5, 51];
    const yaws = [1.5, -2.25, 3];
    for (let n = 0; n < 3; n++) {
      const t = n * 0.1 + 0.001;
      router.ingest(makeFrame({ id: brake.message.id, timestamp: t, data: brake.encode({ ...zeros(brake), BRK_VehicleSpeed: speeds[n] as number }) }));
      router.ingest(makeFrame({ id: dyn.message.id, timestamp: t, data: dyn.encode({ ...zeros(dyn), DYN_YawRate: yaws[n] as number }) }));
    }
    window.advanceTo(0.25);
    const r = store.get('Vehicle.Speed', 0.25);
    expect(r?.value).toBeCloseTo(speeds[2] as number, 6);
    expect(r?.periodS).toBe(brake.message.cycleTimeMs === undefined ? undefined : brake.message.cycleTimeMs / 1000);
    expect(router.stats().decodeErrors).toBe(0);
    const out = new Float32Array(6);
    window.snapshot(out);
    // Ticks 0.0, 0.1 and 0.2 hold the newest frame at or before them: none, frame 0 (t 0.001), frame 1 (t 0.101).
    expect(out[2]).toBeCloseTo(speeds[0] as number, 4);
    expect(out[3]).toBeCloseTo(yaws[0] as number, 4);
    expect(out[4]).toBeCloseTo(speeds[1] as number, 4);
    expect(out[5]).toBeCloseTo(yaws[1] as number, 4);
  });
});
