import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExpressionSyntaxError } from '../../../runtime/vehicle/errors.js';
import {
  MAX_EXPRESSION_DEPTH, compileExpression, evaluateExpression, expressionSignals, formatExpression, parseExpression, type Expression,
} from '../../../runtime/vehicle/expression.js';

const values = { A: 3, B: 4, C: -2, Label: 'OFF' };

function syntaxError(source: string): ExpressionSyntaxError {
  try {
    parseExpression(source);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return err;
    throw err;
  }
  throw new Error(`"${source}" parsed`);
}

describe('expressions', () => {
  it('evaluates arithmetic with the usual precedence and left associativity', () => {
    expect(evaluateExpression(parseExpression('(A + B) / 2'), values)).toBe(3.5);
    expect(evaluateExpression(parseExpression('A + B * 2'), values)).toBe(11);
    expect(evaluateExpression(parseExpression('A - B - 1'), values)).toBe(-2);
    expect(evaluateExpression(parseExpression('24 / A / 2'), values)).toBe(4);
    expect(evaluateExpression(parseExpression('-A * -B'), values)).toBe(12);
    expect(evaluateExpression(parseExpression('--A'), values)).toBe(3);
    expect(evaluateExpression(parseExpression('min(A, B) + max(A, B, 10) + abs(C)'), values)).toBe(15);
    expect(evaluateExpression(parseExpression('1.5e2 + .5'), values)).toBe(150.5);
  });

  it('is undefined when an input is missing, not a number, or the result is not finite', () => {
    expect(evaluateExpression(parseExpression('A + Missing'), values)).toBeUndefined();
    expect(evaluateExpression(parseExpression('Label * 2'), values)).toBeUndefined();
    expect(evaluateExpression(parseExpression('A / (B - 4)'), values)).toBeUndefined();
  });

  it('lists the signals it reads, once each', () => {
    expect(expressionSignals(parseExpression('(WHL_SpeedFL + WHL_SpeedFR) / 2 + WHL_SpeedFL'))).toEqual(['WHL_SpeedFL', 'WHL_SpeedFR']);
  });

  it('names the column of each syntax error', () => {
    expect(syntaxError('A +').column).toBe(4);
    expect(syntaxError('(A + B').detail).toMatch(/expected a "\)" to close the "\(" at column 1/);
    expect(syntaxError('A $ B').column).toBe(3);
    expect(syntaxError('A B').column).toBe(3);
    expect(syntaxError('sqrt(A)').detail).toMatch(/unknown function "sqrt"/);
    expect(syntaxError('abs(A, B)').detail).toMatch(/abs takes 1 argument, not 2/);
    expect(syntaxError('min(A)').detail).toMatch(/min takes 2 or more arguments, not 1/);
    expect(syntaxError('  ').detail).toMatch(/empty/);
    expect(syntaxError('1e999').detail).toMatch(/out of range/);
    expect(syntaxError('('.repeat(MAX_EXPRESSION_DEPTH + 1) + 'A' + ')'.repeat(MAX_EXPRESSION_DEPTH + 1)).detail).toMatch(/nested deeper/);
    expect(syntaxError('A'.repeat(2000)).detail).toMatch(/longer than/);
  });

  it('throws nothing but ExpressionSyntaxError on any string, with a column inside it', () => {
    const alphabet = fc.constantFrom(...'AB_x19.e+-*/(), $minaxbs'.split(''));
    const inputs = fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(
      fc.property(inputs, (source) => {
        try {
          parseExpression(source);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpressionSyntaxError);
          const column = (err as ExpressionSyntaxError).column;
          expect(column).toBeGreaterThanOrEqual(1);
          expect(column).toBeLessThanOrEqual(source.length + 1);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('parses what it formats back into the same tree, with the same value', () => {
    const { tree } = fc.letrec<{ tree: Expression }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.double({ min: 0, max: 1e6, noNaN: true }).map((v): Expression => ({ kind: 'number', value: v === 0 ? 0 : v })),
        fc.constantFrom('A', 'B', 'C', 'min', 'WHL_SpeedFL').map((name): Expression => ({ kind: 'signal', name })),
        tie('tree').map((operand): Expression => ({ kind: 'negate', operand })),
        fc.tuple(fc.constantFrom('+', '-', '*', '/' as const), tie('tree'), tie('tree')).map(([op, left, right]): Expression => ({ kind: 'binary', op, left, right })),
        fc.tuple(tie('tree'), tie('tree')).map(([a, b]): Expression => ({ kind: 'call', fn: 'max', args: [a, b] })),
        tie('tree').map((a): Expression => ({ kind: 'call', fn: 'abs', args: [a] })),
      ),
    }));
    const inputs = { A: 3, B: -4.5, C: 0.25, min: 7, WHL_SpeedFL: 50 };
    fc.assert(
      fc.property(tree, (e) => {
        const text = formatExpression(e);
        const back = parseExpression(text);
        expect(back).toEqual(e);
        expect(compileExpression(back)(inputs)).toBe(compileExpression(e)(inputs));
      }),
      { numRuns: 1000 },
    );
  });
});
