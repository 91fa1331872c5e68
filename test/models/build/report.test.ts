import { describe, expect, it } from 'vitest';
import { int8Description, int8Gap } from '../../../models/build/report.js';

describe('model report', () => {
  it('says when the int8 variant keeps its activations or some layers in float', () => {
    expect(int8Description({ weightOnly: true })).toMatch(/float activations/);
    const mixed = int8Description({ floatLayers: [0, 2], calibrationKeep: 1 });
    expect(mixed).toMatch(/layers 0, 2 kept in float/);
    expect(mixed).toMatch(/min\.\.max/);
    expect(int8Description({ calibrationKeep: 0.999 })).toMatch(/0\.999 quantile/);
  });

  it('measures the int8 gap on the rates, not on warning counts or false warnings per hour', () => {
    expect(int8Gap({ recall: 0.96, false_warnings_per_hour: 0.5, warnings: 80 }, { recall: 0.955, false_warnings_per_hour: 1.5, warnings: 90 })).toBeCloseTo(0.005, 9);
  });
});
