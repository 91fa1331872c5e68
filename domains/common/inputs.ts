/**
 * How a domain declares the catalog signals it reads: required ones disable the domain when a
 * vehicle does not map them; optional ones are filled with a default the features tolerate.
 */
import type { DomainInput } from '../../runtime/service/domain.js';

/** An input the features cannot do without. */
export const REQUIRED: DomainInput = Object.freeze({ required: true });

/** An input whose absence the features tolerate: its column holds `value` on a vehicle without it. */
export function optional(value: number): DomainInput {
  return Object.freeze({ required: false, default: value });
}

/** The window's columns: the inputs in declaration order. */
export function columnsOf(inputs: Readonly<Record<string, DomainInput>>): readonly string[] {
  return Object.freeze(Object.keys(inputs));
}
