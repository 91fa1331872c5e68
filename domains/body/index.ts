/**
 * Body: cabin comfort, the HVAC set-point the occupants will find comfortable and how many people
 * ride. Fallback: the last set-point the user chose, and the seats whose mat is pressed.
 */
import type { BodyLabel } from './label.js';
import type { DomainDefinition, DomainScorer } from '../../runtime/service/domain.js';
import { SOURCE_FIELD, resultService } from '../../runtime/service/someip-service.js';
import { modeValue, type ResultSource } from '../common/mode.js';
import { AccuracyCounter, MaeCounter, metric } from '../common/scorers.js';
import { WindowView, clampNum } from '../common/window-view.js';
import { BODY_FEATURE_SIZE, bodyFeatures, seatCounts } from './features.js';
import { B, BODY_COLUMNS, BODY_INPUTS, BODY_WINDOW } from './signals.js';
import { BODY_MODEL_CONTRACT } from './contract.js';

export { BODY_FEATURE_SIZE, bodyFeatures, seatCounts } from './features.js';

/** Model targets are scaled to similar spreads: set-point (°C − 22) / 3 and (occupants − 2.5) / 1.5. */
export const SETPOINT_CENTER_C = 22;
export const SETPOINT_SCALE_C = 3;
export const OCCUPANCY_CENTER = 2.5;
export const OCCUPANCY_SCALE = 1.5;

export interface BodyResult {
  /** Predicted comfortable set-point (°C, 0.5 steps, 15..32). */
  readonly setpointC: number;
  /** Occupants 0..5. */
  readonly occupancy: number;
  readonly source: ResultSource;
}

const roundHalf = (x: number): number => Math.round(x * 2) / 2;

/** Output [scaled set-point, scaled occupancy] → result. */
function interpret(output: Float32Array): BodyResult {
  return {
    setpointC: roundHalf(clampNum((output[0] ?? 0) * SETPOINT_SCALE_C + SETPOINT_CENTER_C, 15, 32)),
    occupancy: Math.round(clampNum((output[1] ?? 0) * OCCUPANCY_SCALE + OCCUPANCY_CENTER, 0, 5)),
    source: 'model',
  };
}

function fallback(window: Float32Array): BodyResult {
  const w = new WindowView(window, BODY_COLUMNS.length);
  const sp = w.last(B.SETPOINT);
  return { setpointC: sp > 0 ? clampNum(sp, 15, 32) : SETPOINT_CENTER_C, occupancy: Math.max(1, seatCounts(w).seats), source: 'fallback' };
}

/** The rule's set-point and seats (the user's last choice holds), marked as coming from invalid inputs. */
function invalidInputs(window: Float32Array): BodyResult {
  return { ...fallback(window), source: 'invalid' };
}

/** `mae` of the set-point (°C); `occupancy_accuracy` beside it. */
function createScorer(): DomainScorer<BodyResult, BodyLabel> {
  const mae = new MaeCounter();
  const occ = new AccuracyCounter();
  return {
    add(_t, result, label) {
      mae.add(result.setpointC, label.setpoint_c);
      occ.add(result.occupancy, label.occupancy);
    },
    summary() {
      return { mae: metric(mae.mae()), occupancy_accuracy: metric(occ.accuracy()) };
    },
  };
}

export const bodyDomain: DomainDefinition<BodyResult, BodyLabel, 'body'> = {
  domain: 'body',
  description: 'Cabin comfort: predicted HVAC set-point and occupancy',
  rateHz: 1,
  deadlineMs: 500,
  criticality: 'comfort',
  inputs: BODY_INPUTS,
  window: BODY_WINDOW,
  model: 'body-comfort',
  featureSize: BODY_FEATURE_SIZE,
  modelContract: BODY_MODEL_CONTRACT,
  features: bodyFeatures,
  interpret,
  fallback,
  invalidInputs,
  outputMessage: 'BDY_ComfortPred',
  encode(r) {
    return { CMF_Setpoint: clampNum(roundHalf(r.setpointC), 15, 32), CMF_Occupancy: Math.round(clampNum(r.occupancy, 0, 5)), CMF_Mode: modeValue(r.source) };
  },
  toJson(r) {
    return { setpoint_c: r.setpointC, occupancy: r.occupancy, source: r.source };
  },
  someip: resultService(0x4a05, [
    { name: 'setpoint_c', type: 'float32' },
    { name: 'occupancy', type: 'uint8' },
    SOURCE_FIELD,
  ]),
  createScorer,
};
