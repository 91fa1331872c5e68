import { describe, expect, it } from 'vitest';
import { extraSeedsText, HAND_WRITTEN_MARK, int8Description, int8Gap, withHandWritten } from '../../../models/build/report.js';

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

  it('takes the largest difference over fractions, leaving out metrics in seconds', () => {
    const fp32 = { recall: 0.98, precision: 0.99, median_detection_delay_s: 1.9, false_warnings_per_hour: 1 };
    const int8 = { recall: 0.975, precision: 0.982, median_detection_delay_s: 1.2, false_warnings_per_hour: 3 };
    expect(int8Gap(fp32, int8)).toBeCloseTo(0.008, 9);
  });

  it('gives no gap when a variant is missing', () => {
    expect(int8Gap({ recall: 1 }, undefined)).toBeNaN();
  });

  it('names scenarios that share their extra training seeds together', () => {
    const all = ['a', 'b', 'c'];
    expect(extraSeedsText({ a: [4, 5], b: [4, 5], c: [4, 5] }, all)).toBe('every scenario seeds 4, 5');
    expect(extraSeedsText({ a: [4, 5], b: [9], c: [4, 5] }, all)).toBe('every other scenario seeds 4, 5; b seeds 9');
    expect(extraSeedsText({ b: [9] }, all)).toBe('b seeds 9');
  });
});

describe('EVAL.md rebuilt', () => {
  it('keeps the hand-written part after the mark and replaces the generated part', () => {
    const previous = `# old report\n\nold figures\n\n${HAND_WRITTEN_MARK}\n\n## History\n\n1.1.0 beat 1.0.0.\n`;
    const next = withHandWritten('# new report\n\nnew figures\n', previous);
    expect(next).toBe(`# new report\n\nnew figures\n\n${HAND_WRITTEN_MARK}\n\n## History\n\n1.1.0 beat 1.0.0.\n`);
    expect(next).not.toContain('old figures');
  });

  it('writes the generated report alone when there was no file or no mark', () => {
    expect(withHandWritten('# new\n', undefined)).toBe('# new\n');
    expect(withHandWritten('# new\n', '# old without a mark\n')).toBe('# new\n');
  });
});
