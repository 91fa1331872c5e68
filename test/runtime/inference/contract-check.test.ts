import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../../runtime/errors.js';
import { checkOutputLength, checkTensorContract, type BoundaryTensor } from '../../../runtime/inference/index.js';

const contract = { domain: 'adas', featureSize: 23, outputSize: 3 };
const input = (shape: (number | string)[], dtype = 'float32'): BoundaryTensor => ({ name: 'x', dtype, shape });
const output = (shape: (number | string)[], dtype = 'float32'): BoundaryTensor => ({ name: 'y', dtype, shape });

function refusal(inputs: BoundaryTensor[], outputs: BoundaryTensor[]): string {
  try {
    checkTensorContract('/m/fp32.onnx', contract, { inputs, outputs });
  } catch (err) {
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('MODEL_MISMATCH');
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('checkTensorContract', () => {
  it('accepts [1, F] or a dynamic batch in, and at least the values the domain reads out', () => {
    for (const shape of [[1, 23], [-1, 23], ['batch', 23]]) {
      expect(() => checkTensorContract('m', contract, { inputs: [input(shape)], outputs: [output([1, 3])] })).not.toThrow();
    }
    expect(() => checkTensorContract('m', contract, { inputs: [input([1, 23])], outputs: [output(['batch', 5])] })).not.toThrow();
    expect(() => checkTensorContract('m', contract, { inputs: [input([1, 23])], outputs: [output(['batch', 'k'])] })).not.toThrow();
  });

  it('names the file, the actual and the expected shape of an input that does not fit', () => {
    expect(refusal([input([1, 20])], [output([1, 3])])).toBe('/m/fp32.onnx: inputs[0].shape: "x" is [1,20]; the model takes 20 features, the domain adas builds 23: expected [1,23] float32 (ecu-ai models describe adas)');
    expect(refusal([input([23])], [output([1, 3])])).toMatch(/"x" is \[23\]; .*expected \[1,23\] float32/);
    expect(refusal([input([4, 23])], [output([1, 3])])).toMatch(/"x" is \[4,23\]/);
    expect(refusal([input([1, 23], 'float64')], [output([1, 3])])).toMatch(/inputs\[0\]\.dtype: "x" is float64, expected \[1,23\] float32/);
    expect(refusal([input([1, 23]), { name: 'h', dtype: 'float32', shape: [1, 4] }], [output([1, 3])])).toMatch(/takes 2 inputs \(x, h\), the domain adas feeds one/);
  });

  it('names the actual and the expected shape of an output too short', () => {
    expect(refusal([input([1, 23])], [output([1, 2])])).toBe('/m/fp32.onnx: outputs[0].shape: "y" is [1,2] (2 values), the domain adas reads 3: expected [1,3] (ecu-ai models describe adas)');
    expect(refusal([input([1, 23])], [output([1, 3], 'int64')])).toMatch(/outputs\[0\]\.dtype: "y" is int64, expected float32/);
    expect(() => checkOutputLength('/m/fp32.onnx', contract, 'y', 2)).toThrow(/"y" gave 2 values for one input row, the domain adas reads 3/);
    expect(() => checkOutputLength('/m/fp32.onnx', contract, 'y', 3)).not.toThrow();
  });
});
