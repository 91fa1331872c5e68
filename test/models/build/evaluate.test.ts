import { describe, expect, it } from 'vitest';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import type { DomainDataset } from '../../../models/build/dataset.js';
import { stabilizerFor } from '../../../models/build/evaluate.js';

/** A stabilizer that numbers the results it has seen since it was made. */
const counting = { createStabilizer: () => ({ n: 0, next(_t: number, _r: unknown) { return ++this.n; } }) } as unknown as DomainDefinition;

function dataset(runs: number[]): DomainDataset {
  return { run: Int32Array.from(runs), t: Float64Array.from(runs.map((_r, k) => k)) } as unknown as DomainDataset;
}

describe('stabilizerFor', () => {
  it('starts a fresh stabilizer for each drive of the dataset', () => {
    const stable = stabilizerFor(counting, dataset([0, 0, 0, 1, 1, 2]));
    expect([0, 1, 2, 3, 4, 5].map((r) => stable(r, null))).toEqual([1, 2, 3, 1, 2, 1]);
  });

  it('passes results through unchanged for a domain without one', () => {
    const stable = stabilizerFor({} as DomainDefinition, dataset([0, 1]));
    expect(stable(0, 'x')).toBe('x');
  });
});
