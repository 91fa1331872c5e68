/**
 * Powertrain: battery cell anomaly score and the suspect cell, from the 96 cell voltages, the 24
 * temperature sensors and the pack current. The model scores each cell (one shared network per
 * cell); the pack's score is the highest cell's. Fallback: fixed voltage and temperature limits.
 */
import type { PowertrainLabel } from './label.js';
import type { DomainDefinition, DomainScorer } from '../../runtime/service/domain.js';
import { SOURCE_FIELD, resultService } from '../../runtime/service/someip-service.js';
import { modeValue, type ResultSource } from '../common/mode.js';
import { DetectionCounter, EventCounter, metric, ratio } from '../common/scorers.js';
import { argmax, clampNum } from '../common/window-view.js';
import { POWERTRAIN_FEATURE_SIZE, cellStats, powertrainFeatures } from './features.js';
import { CELLS, CELLS_PER_SENSOR, POWERTRAIN_INPUTS, POWERTRAIN_WINDOW } from './signals.js';
import { POWERTRAIN_MODEL_CONTRACT } from './contract.js';

export { POWERTRAIN_FEATURE_SIZE, PER_CELL, cellStats, powertrainFeatures } from './features.js';
export { CELLS } from './signals.js';

/** Score from which the pack is flagged. */
export const FLAG_SCORE = 0.5;
/** Fallback limits: a cell this far from the pack median (V), a sensor this much warmer than the median (K). */
export const LIMIT_DEV_V = 0.04;
export const LIMIT_TEMP_DEV_K = 2.5;
export const LIMIT_CELL_MIN_V = 2.9;
export const LIMIT_CELL_MAX_V = 4.22;
export const LIMIT_TEMP_C = 55;

export interface PowertrainResult {
  readonly score: number;
  /** 1..96, or null when nothing is suspect. */
  readonly suspectCell: number | null;
  readonly flag: boolean;
  readonly source: ResultSource;
}

/** Per-cell probabilities [96] → result. */
function interpret(output: Float32Array): PowertrainResult {
  const c = argmax(output, 0, CELLS);
  const score = clampNum(output[c] ?? 0, 0, 1);
  const flag = score >= FLAG_SCORE;
  return { score, suspectCell: flag ? c + 1 : null, flag, source: 'model' };
}

function fallback(window: Float32Array): PowertrainResult {
  const s = cellStats(window);
  // Nothing received yet: an empty window reads as 0 V cells, which is no evidence of a fault.
  if (s.filledRows === 0) return { score: 0, suspectCell: null, flag: false, source: 'fallback' };
  let worst = 0;
  for (let c = 1; c < CELLS; c++) if (Math.abs(s.devNow[c] as number) > Math.abs(s.devNow[worst] as number)) worst = c;
  let hot = 0;
  for (let k = 1; k < s.tempDev.length; k++) if ((s.tempDev[k] as number) > (s.tempDev[hot] as number)) hot = k;
  const voltageBad = Math.abs(s.devNow[worst] as number) > LIMIT_DEV_V || s.minCellV < LIMIT_CELL_MIN_V || s.maxCellV > LIMIT_CELL_MAX_V;
  const tempBad = (s.tempDev[hot] as number) > LIMIT_TEMP_DEV_K || s.maxTempC > LIMIT_TEMP_C;
  if (voltageBad) return { score: 1, suspectCell: worst + 1, flag: true, source: 'fallback' };
  if (tempBad) {
    // The hot sensor covers four cells: suspect the one sitting lowest.
    let cell = hot * CELLS_PER_SENSOR;
    for (let c = cell + 1; c < (hot + 1) * CELLS_PER_SENSOR; c++) if ((s.devNow[c] as number) < (s.devNow[cell] as number)) cell = c;
    return { score: 1, suspectCell: cell + 1, flag: true, source: 'fallback' };
  }
  return { score: 0, suspectCell: null, flag: false, source: 'fallback' };
}

/**
 * Cells or sensors unheard read as 0 V and 0 °C, which the limits would take for a dead cell: with
 * inputs missing nothing is flagged, and the score says so.
 */
function invalidInputs(): PowertrainResult {
  return { score: 0, suspectCell: null, flag: false, source: 'invalid' };
}

/**
 * Detection allowance (s) for the `*_after_allowance` recalls: a thermal event's short starts at
 * up to 3 ohm (~1.2 A of leak, ~1.4 mV of sag: under the 2 mV voltage resolution) and falls for up
 * to 40 s, so its first seconds are invisible to any detector; by 30 s even the slowest is below
 * 0.4 ohm (over 10 mV of sag at rest). Earlier samples are not counted (neither as hits nor misses)
 * for the model and the fallback alike; the strict per-sample recall counts them.
 */
export const DETECTION_ALLOWANCE_S = 30;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Per-sample recall and precision of the flag; `cell_accuracy`: right suspect among true
 * positives; `event_recall`: faults flagged at least once while present; recall counted from
 * DETECTION_ALLOWANCE_S after the onset, over all faults and per fault kind;
 * `median_detection_delay_s`: from a fault's onset (its first labelled sample) to its first flag,
 * over the faults flagged at all (0 when none is). Add each run's samples in time order (a time
 * going backwards starts a new run, which also ends a fault present from a run's first sample).
 */
function createScorer(): DomainScorer<PowertrainResult, PowertrainLabel> {
  const det = new DetectionCounter();
  const events = new EventCounter();
  const late = new DetectionCounter();
  const byKind = { weak_cell: new DetectionCounter(), thermal_event: new DetectionCounter() };
  const delays: number[] = [];
  let cellHits = 0;
  let lastT = Number.NEGATIVE_INFINITY;
  let onset: number | null = null;
  let found = false;
  return {
    add(t, result, label) {
      if (t < lastT) events.add(false, false);
      if (t < lastT || !label.anomaly) onset = null;
      lastT = t;
      if (label.anomaly && onset === null) {
        onset = t;
        found = false;
      }
      det.add(result.flag, label.anomaly);
      events.add(result.flag, label.anomaly);
      if (result.flag && label.anomaly && result.suspectCell === label.cell) cellHits++;
      if (label.anomaly && onset !== null && result.flag && !found) {
        found = true;
        delays.push(t - onset);
      }
      if (label.anomaly && onset !== null && t - onset >= DETECTION_ALLOWANCE_S) {
        late.add(result.flag, true);
        if (label.fault) byKind[label.fault].add(result.flag, true);
      }
    },
    summary() {
      return {
        recall: metric(det.recall()),
        precision: metric(det.precision()),
        cell_accuracy: metric(ratio(cellHits, det.tp)),
        event_recall: metric(events.recall()),
        recall_after_allowance: metric(late.recall()),
        recall_weak_cell_after_allowance: metric(byKind.weak_cell.recall()),
        recall_thermal_event_after_allowance: metric(byKind.thermal_event.recall()),
        median_detection_delay_s: metric(median(delays)),
      };
    },
  };
}

export const powertrainDomain: DomainDefinition<PowertrainResult, PowertrainLabel, 'powertrain'> = {
  domain: 'powertrain',
  description: 'Battery cell anomaly score and suspect cell',
  rateHz: 10,
  deadlineMs: 50,
  criticality: 'safety',
  inputs: POWERTRAIN_INPUTS,
  window: POWERTRAIN_WINDOW,
  model: 'powertrain-cell-anomaly',
  featureSize: POWERTRAIN_FEATURE_SIZE,
  modelContract: POWERTRAIN_MODEL_CONTRACT,
  features: powertrainFeatures,
  interpret,
  fallback,
  invalidInputs,
  outputMessage: 'PT_BatteryAnomaly',
  encode(r) {
    return {
      BAN_Score: Math.round(clampNum(r.score, 0, 1) * 1000) / 1000,
      BAN_SuspectCell: r.suspectCell ?? 127,
      BAN_Flag: r.flag ? 1 : 0,
      BAN_Mode: modeValue(r.source),
    };
  },
  toJson(r) {
    return { score: metric(r.score), suspect_cell: r.suspectCell, flag: r.flag, source: r.source };
  },
  someip: resultService(0x4a03, [
    { name: 'score', type: 'float32' },
    { name: 'suspect_cell', type: 'uint8', nullAs: 0 },
    { name: 'flag', type: 'boolean' },
    SOURCE_FIELD,
  ]),
  triggers: [{ name: 'battery-anomaly', active: (r) => r.flag, describe: (r) => `cell ${r.suspectCell ?? 'unknown'} suspect, score ${r.score}` }],
  createScorer,
};
