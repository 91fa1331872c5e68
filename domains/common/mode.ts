/**
 * Which path produced a domain result, and how the output messages' `*_Mode` signal spells it
 * (`VAL_ ... 3 "Fallback" 2 "Cloud" 1 "Int8" 0 "Fp32"` in the reference DBC).
 */

/**
 * `model` when the result came from a model (any variant), `fallback` for the rule, `invalid` when
 * the inputs were stale or missing and the result claims nothing (its confidence is 0).
 */
export type ResultSource = 'model' | 'fallback' | 'invalid';

/**
 * Mode value of the output message. A model's exact variant is the framework's to know: it reports
 * fp32 (0). The DBC has no mode for invalid inputs: such a result goes out as Fallback (3), with the
 * message's confidence at 0 where it has one.
 */
export function modeValue(source: ResultSource): number {
  return source === 'model' ? 0 : 3;
}
