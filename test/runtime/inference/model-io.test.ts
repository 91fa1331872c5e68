import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMlp } from '../../../models/build/onnx/index.js';
import { ModelLoadError } from '../../../runtime/errors.js';
import { readModelIo } from '../../../runtime/inference/model-io.js';

const valid = buildMlp({ sizes: [4, 8, 2], seed: 2 }).bytes;

describe('readModelIo', () => {
  it('reads the names, dtypes and shapes of a written model', () => {
    const io = readModelIo(valid);
    expect(io.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['x_dim0', 4] }]);
    expect(io.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: ['y_dim0', 2] }]);
  });

  it('rejects a truncated model with MODEL_LOAD naming the byte offset', () => {
    const cut = valid.slice(0, Math.floor(valid.length / 2));
    let err: unknown;
    try {
      readModelIo(cut, 'adas@1.0.0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('MODEL_LOAD');
    expect((err as ModelLoadError).message).toMatch(/^adas@1\.0\.0: not an ONNX model at byte \d+/);
  });

  it('rejects text that is not protobuf', () => {
    expect(() => readModelIo(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(ModelLoadError);
  });

  it('either reads or throws ModelLoadError for any corruption of a valid model (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(valid.length), (edits, cut) => {
        const bytes = valid.slice(0, Math.max(1, cut));
        for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
        try {
          const io = readModelIo(bytes);
          expect(Array.isArray(io.inputs)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ModelLoadError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('either reads or throws ModelLoadError for arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          readModelIo(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(ModelLoadError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
