import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quoteInput } from '../../bus/errors.js';

describe('quoteInput', () => {
  it('escapes control and non-ASCII characters JSON-style and keeps printable ASCII', () => {
    expect(quoteInput('a\u0000b\tc\nd\re"f\\g\u007f\u00e9\u2028')).toBe('"a\\x00b\\tc\\nd\\re\\"f\\\\g\\x7f\\xe9\\u2028"');
    expect(quoteInput('123#11')).toBe('"123#11"');
  });

  it('cuts the input to the limit and says so', () => {
    expect(quoteInput('x'.repeat(121))).toBe(`"${'x'.repeat(120)}"…`);
    expect(quoteInput('x'.repeat(120))).toBe(`"${'x'.repeat(120)}"`);
    expect(quoteInput('abcdef', 3)).toBe('"abc"…');
  });

  it('cuts escaped input to twice the limit, so bytes that each take four characters to show stay short', () => {
    expect(quoteInput('\u0001'.repeat(120))).toBe(`"${'\\x01'.repeat(60)}"…`);
    expect(quoteInput('\u0001'.repeat(60))).toBe(`"${'\\x01'.repeat(60)}"`);
    expect(quoteInput('"'.repeat(120))).toBe(`"${'\\"'.repeat(120)}"`);
  });

  it('never lets a control character through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const q = quoteInput(text);
        expect(q).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(q.length).toBeLessThanOrEqual(2 + 1 + 2 * 120);
      }),
    );
  });
});
