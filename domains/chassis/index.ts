/**
 * Chassis: road friction class (dry, wet, snow, ice) from wheel speeds, accelerations, yaw,
 * steering and the weather sensors. Fallback: a slip-ratio rule.
 */
import type { ChassisLabel } from './label.js';
import type { DomainDefinition, DomainScorer } from '../../runtime/service/domain.js';
import { SOURCE_FIELD, resultService } from '../../runtime/service/someip-service.js';
import { modeValue, type ResultSource } from '../common/mode.js';
import { AccuracyCounter, metric } from '../common/scorers.js';
import { WindowView, argmax, clampNum } from '../common/window-view.js';
import { CHASSIS_FEATURE_SIZE, chassisFeatures, slipStats } from './features.js';
import { C, CHASSIS_COLUMNS, CHASSIS_INPUTS, CHASSIS_WINDOW } from './signals.js';
import { CHASSIS_MODEL_CONTRACT } from './contract.js';

export { CHASSIS_FEATURE_SIZE, chassisFeatures, slipStats, rearFrictionUsed } from './features.js';

export const FRICTION_CLASSES = ['dry', 'wet', 'snow', 'ice'] as const;
export type FrictionClass = (typeof FRICTION_CLASSES)[number];
/** A typical peak friction per class, for CHS_MuEstimate. */
export const CLASS_MU: readonly number[] = [0.92, 0.6, 0.3, 0.1];

export interface ChassisResult {
  /** 0 dry, 1 wet, 2 snow, 3 ice (CHS_FrictionClass). */
  readonly frictionClass: 0 | 1 | 2 | 3;
  readonly confidence: number;
  readonly mu: number;
  readonly source: ResultSource;
}

/** Slip stiffness thresholds of the fallback: asphalt ~17, snow ~3, ice ~0.8 (friction per unit slip). */
export const STIFFNESS_SNOW = 8;
export const STIFFNESS_ICE = 1.6;

/** Softmax probabilities [dry, wet, snow, ice] → result. */
function interpret(output: Float32Array): ChassisResult {
  const k = argmax(output, 0, 4) as 0 | 1 | 2 | 3;
  let mu = 0;
  for (let i = 0; i < 4; i++) mu += (output[i] ?? 0) * (CLASS_MU[i] as number);
  return { frictionClass: k, confidence: clampNum(output[k] ?? 0, 0, 1), mu, source: 'model' };
}

/**
 * The rule: a braking with ABS shows the peak friction directly; otherwise the slip stiffness under
 * drive separates asphalt from snow and ice; asphalt is wet when it rains. Without excitation it
 * says asphalt (dry or wet by the rain sensor), the common case.
 */
function fallback(window: Float32Array): ChassisResult {
  const w = new WindowView(window, CHASSIS_COLUMNS.length);
  const s = slipStats(window);
  const raining = w.last(C.RAIN) > 10;
  let k: 0 | 1 | 2 | 3;
  if (s.absShare > 0 && s.absDecelG > 0.05) k = s.absDecelG > 0.75 ? 0 : s.absDecelG > 0.42 ? 1 : s.absDecelG > 0.19 ? 2 : 3;
  else if (!Number.isNaN(s.stiffness) && s.stiffness < STIFFNESS_ICE) k = 3;
  else if (!Number.isNaN(s.stiffness) && s.stiffness < STIFFNESS_SNOW) k = 2;
  else k = raining ? 1 : 0;
  return { frictionClass: k, confidence: 0.5, mu: CLASS_MU[k] as number, source: 'fallback' };
}

/** The rule's class (asphalt unless the inputs that are left say otherwise), claimed with no confidence. */
function invalidInputs(window: Float32Array): ChassisResult {
  return { ...fallback(window), confidence: 0, source: 'invalid' };
}

function createScorer(): DomainScorer<ChassisResult, ChassisLabel> {
  const acc = new AccuracyCounter();
  return {
    add(_t, result, label) {
      acc.add(result.frictionClass, FRICTION_CLASSES.indexOf(label.friction_class));
    },
    summary() {
      return { accuracy: metric(acc.accuracy()) };
    },
  };
}

export const chassisDomain: DomainDefinition<ChassisResult, ChassisLabel, 'chassis'> = {
  domain: 'chassis',
  description: 'Road friction class from wheel slip, dynamics and weather',
  rateHz: 50,
  deadlineMs: 10,
  criticality: 'safety',
  inputs: CHASSIS_INPUTS,
  window: CHASSIS_WINDOW,
  model: 'chassis-friction',
  featureSize: CHASSIS_FEATURE_SIZE,
  modelContract: CHASSIS_MODEL_CONTRACT,
  features: chassisFeatures,
  interpret,
  fallback,
  invalidInputs,
  outputMessage: 'CHS_Friction',
  encode(r) {
    return {
      CHS_FrictionClass: r.frictionClass,
      CHS_Confidence: Math.round(clampNum(r.confidence, 0, 1) * 100),
      CHS_MuEstimate: Math.round(clampNum(r.mu, 0, 1.275) / 0.005) * 0.005,
      CHS_Mode: modeValue(r.source),
    };
  },
  toJson(r) {
    return { friction_class: FRICTION_CLASSES[r.frictionClass] ?? null, confidence: metric(r.confidence), mu: metric(r.mu), source: r.source };
  },
  someip: resultService(0x4a02, [
    { name: 'friction_class', type: 'uint8', labels: FRICTION_CLASSES, nullAs: 255 },
    { name: 'confidence', type: 'float32' },
    { name: 'mu', type: 'float32' },
    SOURCE_FIELD,
  ]),
  triggers: [{ name: 'chassis-ice', active: (r) => r.frictionClass === 3, describe: (r) => `friction class ice, mu ${r.mu}` }],
  createScorer,
};
