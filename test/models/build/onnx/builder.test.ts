import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OnnxBuildError, OnnxGraphBuilder, buildMlp, readModelIo } from '../../../../models/build/onnx/index.js';

describe('OnnxGraphBuilder', () => {
  it('writes a model whose inputs, outputs, dtypes and shapes read back as declared', () => {
    const bytes = new OnnxGraphBuilder('g')
      .input('x', 'float32', ['batch', 4])
      .input('mask', 'int8', [1, -1])
      .initializer('k', Float32Array.from([1, 2, 3, 4]), [4])
      .node('Mul', ['x', 'k'], ['y'])
      .node('Identity', ['mask'], ['m'])
      .output('y', 'float32', ['batch', 4])
      .output('m', 'int8', [1, -1])
      .build({ opset: 17 });
    const io = readModelIo(bytes);
    expect(io.irVersion).toBe(8);
    expect(io.opset).toBe(17);
    expect(io.producer).toBe('ecu-ai');
    expect(io.inputs).toEqual([
      { name: 'x', dtype: 'float32', shape: ['batch', 4] },
      { name: 'mask', dtype: 'int8', shape: [1, 'mask_dim1'] },
    ]);
    expect(io.outputs.map((o) => [o.name, o.dtype])).toEqual([
      ['y', 'float32'],
      ['m', 'int8'],
    ]);
  });

  it('refuses a node input that is not defined yet, naming node and input', () => {
    const b = new OnnxGraphBuilder('g').input('x', 'float32', [1]);
    expect(() => b.node('Add', ['x', 'nope'], ['y'], {}, 'add1')).toThrow(/node "add1" \(Add\): input "nope" is not defined/);
  });

  it('refuses an initializer whose dims do not hold its data', () => {
    const b = new OnnxGraphBuilder('g');
    expect(() => b.initializer('w', new Float32Array(6), [4, 2])).toThrow(OnnxBuildError);
    expect(() => b.initializer('w', new Float32Array(6), [4, 2])).toThrow(/initializer "w": dims \[4,2\] hold 8 values, data has 6/);
  });

  it('refuses a redefined value, an unproduced output and a non-integer int attribute', () => {
    const b = new OnnxGraphBuilder('g').input('x', 'float32', [1]);
    expect(() => b.input('x', 'float32', [1])).toThrow(/input "x": name already defined/);
    expect(() => b.output('z', 'float32', [1])).toThrow(/output "z": no node produces it/);
    expect(() => b.node('LeakyRelu', ['x'], ['y'], { alpha: 0.1 })).toThrow(/write \{ float: 0.1 \}/);
  });

  it('refuses to build a graph without inputs or outputs', () => {
    expect(() => new OnnxGraphBuilder('empty').build()).toThrow(/no inputs/);
    expect(() => new OnnxGraphBuilder('g').input('x', 'float32', [1]).build()).toThrow(/no outputs/);
  });

  it('reads back any declared boundary (property)', () => {
    const dtype = fc.constantFrom('float32', 'int8', 'uint8', 'int32', 'int64', 'float64' as const);
    const dim = fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.constantFrom('batch', 'n', 'seq'));
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/), { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(dtype, fc.array(dim, { maxLength: 4 })), { minLength: 5, maxLength: 5 }), (names, types) => {
        const b = new OnnxGraphBuilder('p');
        names.forEach((n, i) => {
          const [dt, shape] = types[i] ?? ['float32', []];
          b.input(n, dt, shape).node('Identity', [n], [`${n}__out`]).output(`${n}__out`, dt, shape);
        });
        const io = readModelIo(b.build());
        expect(io.inputs.map((t) => [t.name, t.dtype, t.shape])).toEqual(names.map((n, i) => [n, types[i]?.[0], types[i]?.[1]]));
        expect(io.outputs.map((t) => t.name)).toEqual(names.map((n) => `${n}__out`));
      }),
      { numRuns: 100 },
    );
  });
});

describe('buildMlp', () => {
  it('stores each layer as [out, in] weights with matching biases', () => {
    const { layers, bytes } = buildMlp({ sizes: [3, 5, 2], seed: 4 });
    expect(layers.map((l) => [l.weight.length, l.bias.length])).toEqual([
      [15, 5],
      [10, 2],
    ]);
    expect(readModelIo(bytes).inputs[0]?.shape).toEqual(['x_dim0', 3]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(buildMlp({ sizes: [4, 4], seed: 9 }).bytes).toEqual(buildMlp({ sizes: [4, 4], seed: 9 }).bytes);
    expect(buildMlp({ sizes: [4, 4], seed: 9 }).bytes).not.toEqual(buildMlp({ sizes: [4, 4], seed: 10 }).bytes);
  });

  it('refuses fewer than two sizes', () => {
    expect(() => buildMlp({ sizes: [4] })).toThrow(/need two or more positive integers/);
  });
});
