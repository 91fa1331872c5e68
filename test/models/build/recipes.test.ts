import { describe, expect, it } from 'vitest';
import { ADAS_FEATURE_SIZE, ADAS_MODEL_FEATURES } from '../../../domains/adas/index.js';
import type { DomainDataset } from '../../../models/build/dataset.js';
import { DEFAULT_BUILD } from '../../../models/build/pipeline.js';
import { RECIPES } from '../../../models/build/recipes.js';
import type { AdasLabel } from '../../../domains/adas/label.js';

const label = (ttc: number | null): AdasLabel => ({ collision_imminent: ttc !== null && ttc < 2.5, ttc_s: ttc, lead_distance_m: null, closing_speed_mps: null, lead_id: null });

/** One run of ADAS rows with the given true TTCs (null: no closing lead). */
function adasRows(ttcs: readonly (number | null)[]): DomainDataset {
  const rows = ttcs.length;
  return {
    domain: 'adas',
    featureSize: ADAS_FEATURE_SIZE,
    x: new Float32Array(rows * ADAS_FEATURE_SIZE).map((_, i) => i),
    rows,
    t: Float64Array.from(ttcs, (_, i) => i * 0.05),
    run: new Int32Array(rows),
    labels: ttcs.map(label),
    fallback: ttcs.map(() => ({})),
    runs: [{ scenario: 'stop-and-go', seed: 1, durationS: 1 }],
  };
}

describe('adas recipe', () => {
  it('teaches imminent rows and the two before them as positives, and weighs near misses above ordinary negatives', () => {
    // null, a near miss (3 s), far (6 s), then two rows before the imminent one, imminent, and after.
    const ds = adasRows([null, 3, 6, 3.2, 2.9, 2.4, null]);
    const d = RECIPES.adas.toTraining(ds, 1);
    expect(d.x.length).toBe(ds.rows * ADAS_MODEL_FEATURES);
    expect(Array.from(d.y)).toEqual([0, 0, 0, 1, 1, 1, 0]);
    const w = d.weight as Float32Array;
    expect(w[0]).toBe(1);
    expect(w[2]).toBe(1);
    expect(w[6]).toBe(1);
    expect(w[1]).toBeGreaterThan(w[0] as number);
    // Positives share one weight, larger than an ordinary negative's.
    expect(w[3]).toBe(w[5]);
    expect(w[3]).toBeGreaterThan(1);
  });

  it('is evaluated on its own, larger set of held-out seeds, none of which it trains or validates on', () => {
    const held = RECIPES.adas.evalSeeds ?? [];
    expect(held.length).toBeGreaterThan(DEFAULT_BUILD.evalSeeds.length);
    const seen = new Set([...DEFAULT_BUILD.trainSeeds, ...DEFAULT_BUILD.validationSeeds, ...Object.values(RECIPES.adas.extraValidationSeeds ?? {}).flat(), ...Object.values(DEFAULT_BUILD.extraTrainSeeds).flat()]);
    for (const s of held) {
      expect(s).toBeGreaterThanOrEqual(1001);
      expect(seen.has(s)).toBe(false);
    }
  });
});
