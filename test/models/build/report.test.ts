import { describe, expect, it } from 'vitest';
import { int8Gap } from '../../../models/build/report.js';

describe('int8 gap', () => {
  it('is the largest difference over fractions, leaving out metrics in seconds and per hour', () => {
    const fp32 = { recall: 0.98, precision: 0.99, median_detection_delay_s: 1.9, false_warnings_per_hour: 1 };
    const int8 = { recall: 0.975, precision: 0.982, median_detection_delay_s: 1.2, false_warnings_per_hour: 3 };
    expect(int8Gap(fp32, int8)).toBeCloseTo(0.008, 9);
  });

  it('is not a number when a variant is missing', () => {
    expect(int8Gap({ recall: 1 }, undefined)).toBeNaN();
  });
});
