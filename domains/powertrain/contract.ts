/**
 * The powertrain model's contract: 9 entries per cell for each of the 96 cells (cell 1 first), as
 * `powertrainFeatures` writes them, and one fault probability per cell, which `interpret` reads.
 */
import type { ContractFeature, ContractOutput, ModelContract } from '../../runtime/service/model-contract.js';
import { CELLS, CELLS_PER_SENSOR } from './signals.js';

/** Per cell, in this order (PER_CELL of features.ts). */
const PER_CELL_FEATURES: readonly Omit<ContractFeature, 'name'>[] = [
  { unit: '10 mV', range: [-10, 10], description: 'voltage now minus the mean of the other cells of its frame group' },
  { unit: '10 mV', range: [-10, 10], description: 'that deviation, mean over the last 6 s' },
  { unit: 'mΩ', range: [-10, 10], description: 'extra resistance (deviation against pack current) over the last 6 s' },
  { unit: 'mΩ', range: [-10, 10], description: 'the same over the 120 s window' },
  { unit: '10 mV', range: [-10, 10], description: 'load-compensated deviation over the last 6 s' },
  { unit: 'mV', range: [-10, 10], description: 'drift of the load-compensated deviation from the oldest to the last 6 s' },
  { unit: '2 K', range: [-10, 10], description: "its temperature sensor's deviation from the median sensor" },
  { unit: '0.5 K', range: [-10, 10], description: "its sensor's warming over the window minus the median sensor's" },
  { unit: '100 A', range: [0, 5], description: 'mean absolute pack current (the same for every cell)' },
];
const PER_CELL_NAMES = ['dev_now', 'dev_mean', 'extra_r', 'extra_r_long', 'ocv_dev', 'ocv_drift', 'temp_dev', 'temp_rise', 'load'] as const;

const pad = (n: number): string => String(n).padStart(2, '0');

function features(): ContractFeature[] {
  const out: ContractFeature[] = [];
  for (let c = 1; c <= CELLS; c++) {
    PER_CELL_FEATURES.forEach((f, k) => {
      const sensor = Math.floor((c - 1) / CELLS_PER_SENSOR) + 1;
      out.push({ ...f, name: `cell${pad(c)}_${PER_CELL_NAMES[k] as string}`, description: `cell ${c} (sensor ${sensor}): ${f.description}` });
    });
  }
  return out;
}

function outputs(): ContractOutput[] {
  return Array.from({ length: CELLS }, (_, i) => ({ name: `p_cell${pad(i + 1)}`, unit: '1', meaning: `probability that cell ${i + 1} is faulty` }));
}

export const POWERTRAIN_MODEL_CONTRACT: ModelContract = {
  features: features(),
  outputs: outputs(),
  interpretation: `the largest of outputs 0..${CELLS - 1} (clamped to 0..1) is the pack score; from 0.5 the pack is flagged and that output's cell (index + 1) is the suspect`,
};
