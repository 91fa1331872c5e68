/**
 * Which path produced a domain result, and how the output messages' `*_Mode` signal spells it
 * (`VAL_ ... 3 "Fallback" 2 "Cloud" 1 "Int8" 0 "Fp32"` in the reference DBC).
 */

/** `model` when the result came from a model (any variant), `fallback` for the rule. */
export type ResultSource = 'model' | 'fallback';

/** Mode value of the output message. A model's exact variant is the framework's to know: it reports fp32 (0). */
export function modeValue(source: ResultSource): number {
  return source === 'fallback' ? 3 : 0;
}
