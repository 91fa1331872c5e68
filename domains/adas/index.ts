/**
 * ADAS: forward collision warning from the radar object list and the ego's motion.
 * Model: probability that a collision is imminent (TTC < 2.5 s with the lead closing in).
 * Fallback: the classic constant-speed time-to-collision threshold on the newest radar cycle.
 */
import type { AdasLabel } from './label.js';
import type { DomainDefinition, DomainScorer, ResultStabilizer } from '../../runtime/service/domain.js';
import { SOURCE_FIELD, resultService } from '../../runtime/service/someip-service.js';
import { modeValue, type ResultSource } from '../common/mode.js';
import { DetectionCounter, EpisodeCounter, metric, ratio } from '../common/scorers.js';
import { WindowView, clampNum } from '../common/window-view.js';
import { ADAS_FEATURE_SIZE, NO_TTC_S, adasFeatures } from './features.js';
import { ADAS_MODEL_CONTRACT } from './contract.js';
import { leadAt, timeToCollision } from './lead.js';
import { ADAS_COLUMNS, ADAS_INPUTS, ADAS_WINDOW } from './signals.js';

export { ADAS_FEATURE_SIZE, ADAS_MODEL_FEATURES, ADAS_AUX_FEATURES, adasFeatures } from './features.js';

/** TTC under which the fallback warns: the same horizon the ground truth calls imminent. */
export const FALLBACK_TTC_S = 2.5;
/** Model probability from which a warning is raised. */
export const WARN_PROBABILITY = 0.5;

export interface AdasResult {
  /** 0 none, 1 prewarning, 2 acute (FCW_Level). */
  readonly level: 0 | 1 | 2;
  readonly probability: number;
  /** Constant-speed TTC to the in-path lead (s); 25.5 when there is none. */
  readonly ttcS: number;
  readonly targetId: number;
  readonly source: ResultSource;
}

/** Model output [p, ttc, targetId] → result. */
function interpret(output: Float32Array): AdasResult {
  const p = clampNum(output[0] ?? 0, 0, 1);
  return {
    level: p >= WARN_PROBABILITY ? 2 : 0,
    probability: p,
    ttcS: clampNum(output[1] ?? NO_TTC_S, 0, NO_TTC_S),
    targetId: Math.round(clampNum(output[2] ?? 0, 0, 255)),
    source: 'model',
  };
}

/**
 * Minimum on-time of a warning (s). A probability hovering at the threshold in a near miss would
 * otherwise switch the alert on and off every few cycles: a flickering alert the driver cannot read,
 * and each flicker a separate warning. Once raised, the warning stays at least this long after the
 * last cycle that asked for it; a new drive (time going back) starts clear.
 */
export const WARNING_HOLD_S = 0.5;

function createStabilizer(): ResultStabilizer<AdasResult> {
  let lastT = Number.NEGATIVE_INFINITY;
  let held: AdasResult | undefined;
  let heldAt = Number.NEGATIVE_INFINITY;
  return {
    next(t, result) {
      if (t < lastT) held = undefined;
      lastT = t;
      if (result.level > 0) {
        held = result;
        heldAt = t;
        return result;
      }
      if (held !== undefined && t - heldAt < WARNING_HOLD_S) return { ...result, level: held.level };
      held = undefined;
      return result;
    },
  };
}

function fallback(window: Float32Array): AdasResult {
  const w = new WindowView(window, ADAS_COLUMNS.length);
  const lead = leadAt(w, w.rows - 1);
  const ttc = timeToCollision(lead);
  const warn = ttc < FALLBACK_TTC_S;
  return { level: warn ? 2 : 0, probability: warn ? 1 : 0, ttcS: Math.min(ttc, NO_TTC_S), targetId: lead ? lead.id : 0, source: 'fallback' };
}

/** No radar or ego motion: no warning, no target, and (FCW_Confidence) no confidence in that. */
function invalidInputs(): AdasResult {
  return { level: 0, probability: 0, ttcS: NO_TTC_S, targetId: 0, source: 'invalid' };
}

/** Recall over imminent samples; false warnings = warning episodes with no imminent sample within 1 s, per hour. */
function createScorer(): DomainScorer<AdasResult, AdasLabel> {
  const det = new DetectionCounter();
  const episodes = new EpisodeCounter();
  return {
    add(t, result, label) {
      const warn = result.level >= 1;
      det.add(warn, label.collision_imminent);
      episodes.add(t, warn, label.collision_imminent);
    },
    summary(durationS) {
      episodes.finish();
      return {
        recall: metric(det.recall()),
        false_warnings_per_hour: metric(ratio(episodes.falseEpisodes * 3600, durationS)),
        warnings: episodes.episodes,
      };
    },
  };
}

export const adasDomain: DomainDefinition<AdasResult, AdasLabel, 'adas'> = {
  domain: 'adas',
  description: 'Forward collision warning from radar objects and ego motion',
  rateHz: 20,
  deadlineMs: 20,
  criticality: 'safety',
  inputs: ADAS_INPUTS,
  window: ADAS_WINDOW,
  model: 'adas-fcw',
  featureSize: ADAS_FEATURE_SIZE,
  modelContract: ADAS_MODEL_CONTRACT,
  features: adasFeatures,
  interpret,
  fallback,
  invalidInputs,
  outputMessage: 'ADAS_FCW',
  encode(r) {
    return {
      FCW_Level: r.level,
      FCW_Ttc: Math.round(clampNum(r.ttcS, 0, NO_TTC_S) * 10) / 10,
      FCW_TargetId: Math.round(clampNum(r.targetId, 0, 255)),
      FCW_Confidence: r.source === 'invalid' ? 0 : Math.round(clampNum(r.level > 0 ? r.probability : 1 - r.probability, 0, 1) * 100),
      FCW_Mode: modeValue(r.source),
    };
  },
  toJson(r) {
    return { level: r.level, probability: metric(r.probability), ttc_s: metric(r.ttcS), target_id: r.targetId, source: r.source };
  },
  someip: resultService(0x4a01, [
    { name: 'level', type: 'uint8' },
    { name: 'probability', type: 'float32' },
    { name: 'ttc_s', type: 'float32' },
    { name: 'target_id', type: 'uint8' },
    SOURCE_FIELD,
  ]),
  triggers: [{ name: 'adas-warning', active: (r) => r.level >= 1, describe: (r) => `FCW level ${r.level}, TTC ${r.ttcS} s` }],
  createScorer,
  createStabilizer,
};
