/**
 * An extra domain defined entirely here, to prove what adding a domain takes: wheel-speed spread,
 * a hint of a soft tyre or a slipping wheel, from the four wheel speeds (catalog signals the
 * reference vehicle already maps from `sim/vehicle.dbc`). Its output message is in
 * `WHEELS_OUTPUT_MESSAGE` (added to a copy of the DBC by the test); its model is a small MLP the
 * test writes.
 */
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import { resultService } from '../../../runtime/service/someip-service.js';

export interface WheelsResult {
  /** 0..2.5, the higher the more uneven the wheels turn. */
  readonly score: number;
  readonly flag: boolean;
  readonly source: 'model' | 'fallback' | 'invalid';
}

/** The four wheel speeds, catalog signals the reference vehicle maps already. */
const INPUTS = {
  'Vehicle.Chassis.Axle.Row1.Wheel.Left.Speed': { required: true },
  'Vehicle.Chassis.Axle.Row1.Wheel.Right.Speed': { required: true },
  'Vehicle.Chassis.Axle.Row2.Wheel.Left.Speed': { required: true },
  'Vehicle.Chassis.Axle.Row2.Wheel.Right.Speed': { required: true },
} as const;
const COLUMNS = Object.keys(INPUTS);

/** km/h between the fastest and the slowest wheel from which the rule flags the spread. */
export const SPREAD_FLAG_KMH = 5;
/** Score from which a model answer raises the flag. */
const FLAG_SCORE = 1;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Number.isFinite(x) ? x : lo));

/** The newest row's spread, km/h. */
function spreadKmh(window: Float32Array): number {
  const row = window.subarray(window.length - COLUMNS.length);
  return Math.max(...row) - Math.min(...row);
}

export const WHEELS_OUTPUT_MESSAGE = `BO_ 1520 TYR_Spread: 8 ECU_AI
 SG_ TYR_Score : 0|8@1+ (0.01,0) [0|2.55] "" Vector__XXX
 SG_ TYR_Flag : 8|1@1+ (1,0) [0|1] "" Vector__XXX
 SG_ TYR_Mode : 9|2@1+ (1,0) [0|3] "" Vector__XXX
`;

export const wheelsDomain: DomainDefinition<WheelsResult, never, 'wheels'> = {
  domain: 'wheels',
  description: 'Wheel-speed spread (soft tyre or slipping wheel)',
  rateHz: 10,
  deadlineMs: 100,
  criticality: 'comfort',
  inputs: INPUTS,
  window: { signals: COLUMNS, rateHz: 10, length: 2 },
  model: 'wheels-spread',
  featureSize: 8,
  features(window, out) {
    for (let i = 0; i < 8; i++) out[i] = (window[i] ?? 0) / 100;
  },
  interpret(output) {
    const score = clamp(Math.abs(output[0] ?? 0), 0, 2.5);
    return { score, flag: score >= FLAG_SCORE, source: 'model' };
  },
  fallback(window) {
    const spread = spreadKmh(window);
    return { score: clamp(spread / 10, 0, 2.5), flag: spread >= SPREAD_FLAG_KMH, source: 'fallback' };
  },
  outputMessage: 'TYR_Spread',
  encode(r) {
    return { TYR_Score: Math.round(r.score * 100) / 100, TYR_Flag: r.flag ? 1 : 0, TYR_Mode: r.source === 'model' ? 0 : 3 };
  },
  toJson(r) {
    return { score: r.score, flag: r.flag, source: r.source };
  },
  someip: resultService(0x4b01, [
    { name: 'score', type: 'float32' },
    { name: 'flag', type: 'boolean' },
    { name: 'source', type: 'uint8', labels: ['model', 'fallback', 'invalid'] },
  ]),
  triggers: [{ name: 'wheel-spread', active: (r) => r.flag, describe: (r) => `wheel spread score ${r.score}` }],
};
