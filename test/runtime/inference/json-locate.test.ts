import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../../../runtime/inference/json-locate.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('jsonErrorOffset', () => {
  it('points at the first character that breaks the JSON', () => {
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('"abc')).toBe(4);
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
  });

  it('finds no error in valid JSON (property)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(jsonErrorOffset(text)).toBeUndefined();
      }),
    );
  });

  it('agrees with JSON.parse on whether arbitrary text is valid (property)', () => {
    const alphabet = fc.constantFrom(...'{}[]",:0123456789.-eE truefalsn\\u'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 30 }).map((a) => a.join(''))), (text) => {
        expect(jsonErrorOffset(text) === undefined).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });
});
