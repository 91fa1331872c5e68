/**
 * The arithmetic of one resolved mapping, both ways: `transform` turns the decoded values of a
 * message into the catalog value (expression or signal, then `* scale + offset`, then the unit
 * conversion; or a value table), `inverse` gives the DBC values that encode a catalog value, for
 * the simulator. A plain mapping whose units agree has no transform at all (`null`): the store's
 * fast path copies the decoded value as it is.
 */
import { compileExpression, expressionSignals, type Expression } from './expression.js';
import type { ResolvedSignal, SignalTransform } from './types.js';
import type { UnitConversion } from './units.js';

/** A value table, already turned into raw values (labels looked up in the DBC's VAL_). */
export interface ValueTable {
  /** DBC raw value → catalog value. */
  readonly byRaw: ReadonlyMap<number, number>;
  /** VAL_ label → catalog value, for decoders that hand out labels. */
  readonly byLabel: ReadonlyMap<string, number>;
  /** The DBC signal's own scaling, to go from a physical value to its raw value and back. */
  readonly dbcScale: number;
  readonly dbcOffset: number;
}

export interface TransformSpec {
  /** The one DBC signal read, when there is no expression. */
  readonly signal?: string;
  readonly expression?: Expression;
  readonly scale: number;
  readonly offset: number;
  /** Absent or identity: no unit arithmetic. */
  readonly conversion?: UnitConversion;
  readonly values?: ValueTable;
}

type Inverse = NonNullable<ResolvedSignal['inverse']>;

function isIdentity(spec: TransformSpec): boolean {
  return spec.expression === undefined && spec.values === undefined && spec.scale === 1 && spec.offset === 0 && (spec.conversion === undefined || spec.conversion.identity);
}

/** `x * scale + offset`, then the unit conversion, as one function (undefined when nothing applies). */
function affine(spec: TransformSpec): ((x: number) => number) | undefined {
  const { scale, offset } = spec;
  const conv = spec.conversion !== undefined && !spec.conversion.identity ? spec.conversion : undefined;
  if (scale === 1 && offset === 0) return conv ? (x) => conv.apply(x) : undefined;
  return conv ? (x) => conv.apply(x * scale + offset) : (x) => x * scale + offset;
}

function unaffine(spec: TransformSpec): (v: number) => number {
  const { scale, offset } = spec;
  const conv = spec.conversion !== undefined && !spec.conversion.identity ? spec.conversion : undefined;
  return (v) => ((conv ? conv.invert(v) : v) - offset) / scale;
}

function valueTransform(signal: string, table: ValueTable): SignalTransform {
  const { byRaw, byLabel, dbcScale, dbcOffset } = table;
  return (decoded) => {
    const v = decoded[signal];
    if (typeof v === 'string') return byLabel.get(v);
    if (v === undefined) return undefined;
    return byRaw.get(Math.round((v - dbcOffset) / dbcScale));
  };
}

/** The catalog value from a message's decoded values; null for the identity on the one signal. */
export function buildTransform(spec: TransformSpec): SignalTransform | null {
  if (isIdentity(spec)) return null;
  const signal = spec.signal;
  if (spec.values && signal !== undefined) return valueTransform(signal, spec.values);
  const after = affine(spec);
  if (spec.expression) {
    const expr = compileExpression(spec.expression);
    return after ? (decoded) => {
      const v = expr(decoded);
      return v === undefined ? undefined : after(v);
    } : expr;
  }
  const name = signal as string;
  const apply = after ?? ((x: number) => x);
  return (decoded) => {
    const v = decoded[name];
    return typeof v === 'number' ? apply(v) : undefined;
  };
}

/**
 * The inverse of a one-operand expression when it is linear (`-YawRate`, `Speed * 3.6 + 1`), found by
 * sampling: checked at points away from the two it is fitted on, so `abs(x)` or `x * x` are refused.
 */
function linearInverse(expression: Expression, operand: string): ((y: number) => number) | undefined {
  const f = compileExpression(expression);
  const at = (x: number): number | undefined => f({ [operand]: x });
  const y1 = at(1);
  const y2 = at(2);
  if (y1 === undefined || y2 === undefined) return undefined;
  const k = y2 - y1;
  const c = y1 - k;
  if (k === 0) return undefined;
  for (const x of [-7, -0.5, 0, 3, 100]) {
    const y = at(x);
    if (y === undefined || Math.abs(y - (k * x + c)) > 1e-9 * Math.max(1, Math.abs(y))) return undefined;
  }
  return (y) => (y - c) / k;
}

/**
 * The DBC values that encode a catalog value, or undefined when the mapping cannot be inverted
 * (an expression over two or more signals, or a non-linear one).
 */
export function buildInverse(spec: TransformSpec): Inverse | undefined {
  const table = spec.values;
  if (table && spec.signal !== undefined) {
    const signal = spec.signal;
    return (value) => {
      for (const [raw, v] of table.byRaw) if (v === value) return { [signal]: raw * table.dbcScale + table.dbcOffset };
      return undefined;
    };
  }
  const back = unaffine(spec);
  if (spec.expression) {
    const operands = expressionSignals(spec.expression);
    const operand = operands[0];
    if (operands.length !== 1 || operand === undefined) return undefined;
    const solve = linearInverse(spec.expression, operand);
    return solve ? (value) => ({ [operand]: solve(back(value)) }) : undefined;
  }
  const signal = spec.signal as string;
  return (value) => ({ [signal]: back(value) });
}
