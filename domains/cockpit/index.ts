/**
 * Cockpit: driver drowsiness level 0 (awake), 1 (drowsy), 2 (very drowsy) from the driver camera
 * and the driving. Fallback: the PERCLOS rule.
 */
import type { CockpitLabel } from './label.js';
import type { DomainDefinition, DomainScorer } from '../../runtime/service/domain.js';
import { SOURCE_FIELD, resultService } from '../../runtime/service/someip-service.js';
import { modeValue, type ResultSource } from '../common/mode.js';
import { AccuracyCounter, metric } from '../common/scorers.js';
import { argmax, clampNum } from '../common/window-view.js';
import { COCKPIT_FEATURE_SIZE, cockpitFeatures, eyeStats } from './features.js';
import { COCKPIT_INPUTS, COCKPIT_WINDOW } from './signals.js';
import { COCKPIT_MODEL_CONTRACT } from './contract.js';

export { COCKPIT_FEATURE_SIZE, cockpitFeatures, eyeStats, steeringReversalsPerMin } from './features.js';

/** PERCLOS from which the fallback calls the driver drowsy (1) and very drowsy (2). */
export const PERCLOS_DROWSY = 0.06;
export const PERCLOS_VERY_DROWSY = 0.12;

export interface CockpitResult {
  readonly level: 0 | 1 | 2;
  readonly confidence: number;
  readonly source: ResultSource;
}

function interpret(output: Float32Array): CockpitResult {
  const k = argmax(output, 0, 3) as 0 | 1 | 2;
  return { level: k, confidence: clampNum(output[k] ?? 0, 0, 1), source: 'model' };
}

function fallback(window: Float32Array): CockpitResult {
  const { perclos } = eyeStats(window);
  const level = perclos >= PERCLOS_VERY_DROWSY ? 2 : perclos >= PERCLOS_DROWSY ? 1 : 0;
  return { level, confidence: 0.5, source: 'fallback' };
}

/** Eyes and steering unknown: no drowsiness claimed, with no confidence. */
function invalidInputs(): CockpitResult {
  return { level: 0, confidence: 0, source: 'invalid' };
}

function createScorer(): DomainScorer<CockpitResult, CockpitLabel> {
  const acc = new AccuracyCounter();
  return {
    add(_t, result, label) {
      acc.add(result.level, label.drowsiness);
    },
    summary() {
      return { accuracy: metric(acc.accuracy()) };
    },
  };
}

export const cockpitDomain: DomainDefinition<CockpitResult, CockpitLabel, 'cockpit'> = {
  domain: 'cockpit',
  description: 'Driver drowsiness level from the driver camera and steering',
  rateHz: 5,
  deadlineMs: 100,
  criticality: 'comfort',
  inputs: COCKPIT_INPUTS,
  window: COCKPIT_WINDOW,
  model: 'cockpit-drowsiness',
  featureSize: COCKPIT_FEATURE_SIZE,
  modelContract: COCKPIT_MODEL_CONTRACT,
  features: cockpitFeatures,
  interpret,
  fallback,
  invalidInputs,
  outputMessage: 'CKP_Drowsiness',
  encode(r) {
    return { DRW_Level: r.level, DRW_Confidence: Math.round(clampNum(r.confidence, 0, 1) * 100), DRW_Mode: modeValue(r.source) };
  },
  toJson(r) {
    return { level: r.level, confidence: metric(r.confidence), source: r.source };
  },
  someip: resultService(0x4a04, [
    { name: 'level', type: 'uint8' },
    { name: 'confidence', type: 'float32' },
    SOURCE_FIELD,
  ], { method: 'getDriverState', methodId: 0x0001 }),
  createScorer,
};
