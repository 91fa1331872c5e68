import { describe, expect, it } from 'vitest';
import { powertrainDomain } from '../../domains/index.js';
import { POWERTRAIN_WINDOW } from '../../domains/powertrain/signals.js';
import { planDomainInputs } from '../../runtime/engine/domain-inputs.js';
import type { DomainDefinition } from '../../runtime/service/domain.js';
import { referenceVehicleSignals } from '../../runtime/vehicle/reference-mapping.js';
import { FeatureWindow, SignalCatalog, SignalRouter, SignalStore } from '../../runtime/signals/index.js';
import { simulate } from '../../sim/simulate.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';

describe('powertrain inputs on the reference bus', () => {
  it('are alive at every tick once the multiplexed cell messages have gone round, so the model serves them', () => {
    const db = vehicleDatabase();
    const { entries } = planDomainInputs([powertrainDomain as unknown as DomainDefinition], referenceVehicleSignals());
    const store = new SignalStore(new SignalCatalog(entries, 'powertrain').validateAgainst(db.database, 'powertrain'));
    const router = new SignalRouter(db, store);
    const window = new FeatureWindow(store, POWERTRAIN_WINDOW);
    router.attach(window);
    for (const ev of simulate({ scenario: 'mixed-drive', seed: 1, durationS: 20, database: db })) if (ev.kind === 'frame') router.ingest(ev.frame);
    window.advanceTo(20);
    const snap = new Float32Array(window.length * window.width);
    const validity = new Uint8Array(snap.length);
    window.snapshot(snap, validity);
    // Every row from 1 s on (the first round of every group has arrived by then).
    const rows = window.filled;
    const first = window.length - rows + Math.ceil(POWERTRAIN_WINDOW.rateHz);
    const stale: string[] = [];
    for (let r = first; r < window.length; r++) {
      for (let s = 0; s < window.width; s++) if (validity[r * window.width + s] !== 1) stale.push(`${window.signals[s]} row ${r}`);
    }
    expect(stale.slice(0, 5)).toEqual([]);
  });
});
