import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, buildMlp, type DenseLayer } from '../../../../models/build/onnx/index.js';
import { pythonModulePeer, runPython } from '../../../helpers/peers.js';

const onnxPeer = pythonModulePeer('onnx', 'python3-onnx');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkWithOnnx(bytes: Uint8Array, name: string): string {
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  return runPython(
    [
      'import sys, onnx',
      'm = onnx.load(sys.argv[1])',
      'onnx.checker.check_model(m, full_check=True)',
      'print(m.ir_version, m.opset_import[0].version, len(m.graph.node))',
    ].join('\n'),
    [file],
  ).trim();
}

function mlpReference(layers: readonly DenseLayer[], x: readonly number[], act: (v: number) => number): number[] {
  let cur = [...x];
  layers.forEach((l, li) => {
    const out: number[] = [];
    for (let o = 0; o < l.outSize; o++) {
      let s = l.bias[o] ?? 0;
      for (let i = 0; i < l.inSize; i++) s += (l.weight[o * l.inSize + i] ?? 0) * (cur[i] ?? 0);
      out.push(li + 1 < layers.length ? act(s) : s);
    }
    cur = out;
  });
  return cur;
}

/** Every op the runtime relies on, in one small graph the test can compute by hand. */
function buildOpsGraph(): Uint8Array {
  return new OnnxGraphBuilder('ops')
    .input('x', 'float32', [1, 4])
    .initializer('W', Float32Array.from([1, 0, -1, 0.5, 2, 0, 0, 0, 1, -1, 1, 0.25]), [4, 3])
    .initializer('b', Float32Array.from([0.1, -0.2, 0.3]), [3])
    .initializer('shape', BigInt64Array.from([7n]), [1])
    .initializer('scale', Float32Array.from([0.05]), [])
    .initializer('zp', Int8Array.from([3]), [])
    .node('MatMul', ['x', 'W'], ['mm'])
    .node('Add', ['mm', 'b'], ['lin'])
    .node('Identity', ['lin'], ['lin2'])
    .node('Tanh', ['lin2'], ['t'])
    .node('Concat', ['t', 'x'], ['cat'], { axis: 1 })
    .node('Reshape', ['cat', 'shape'], ['flat'])
    .node('QuantizeLinear', ['flat', 'scale', 'zp'], ['q'])
    .node('DequantizeLinear', ['q', 'scale', 'zp'], ['dq'])
    .node('Sigmoid', ['dq'], ['sig'])
    .node('Relu', ['flat'], ['relu'])
    .output('dq', 'float32', [7])
    .output('sig', 'float32', [7])
    .output('relu', 'float32', [7])
    .output('q', 'int8', [7])
    .build();
}

function opsReference(x: readonly number[]): { flat: number[]; q: number[]; dq: number[] } {
  const W = [
    [1, 0, -1],
    [0.5, 2, 0],
    [0, 0, 1],
    [-1, 1, 0.25],
  ];
  const b = [0.1, -0.2, 0.3];
  const t = b.map((bj, j) => Math.tanh(x.reduce((s, xi, i) => s + xi * (W[i]?.[j] ?? 0), bj)));
  const flat = [...t, ...x];
  // Round half to even, saturate to int8, as QuantizeLinear specifies.
  const rne = (v: number): number => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
  const q = flat.map((v) => Math.max(-128, Math.min(127, rne(Math.fround(v) / Math.fround(0.05)) + 3)));
  const dq = q.map((v) => (v - 3) * Math.fround(0.05));
  return { flat, q, dq };
}

describe.skipIf(!onnxPeer.available)('models written by the builder and onnx 1.12', () => {
  it('passes onnx.checker full_check for an MLP with every activation and head', () => {
    for (const [activation, head] of [
      ['Relu', 'Softmax'],
      ['Tanh', 'Sigmoid'],
      ['Sigmoid', 'none'],
    ] as const) {
      const { bytes } = buildMlp({ sizes: [32, 64, 64, 4], activation, head, seed: 7 });
      expect(checkWithOnnx(bytes, `mlp-${activation}-${head}`)).toMatch(/^8 17 \d+$/);
    }
  });

  it('passes onnx.checker full_check for the graph using MatMul, Add, Identity, Concat, Reshape and QDQ', () => {
    expect(checkWithOnnx(buildOpsGraph(), 'ops')).toBe('8 17 10');
  });
});

describe('models written by the builder in onnxruntime-node', () => {
  it('computes the MLP like a hand computation, for a dynamic batch of 3', async () => {
    const { bytes, layers } = buildMlp({ sizes: [32, 64, 64, 4], activation: 'Relu', head: 'none', seed: 11 });
    const session = await ort.InferenceSession.create(bytes);
    try {
      const rows = [0, 1, 2].map((r) => Array.from({ length: 32 }, (_, i) => Math.sin(r * 32 + i)));
      const feed = new ort.Tensor('float32', Float32Array.from(rows.flat()), [3, 32]);
      const out = await session.run({ x: feed });
      const y = out['y'];
      expect(y?.dims).toEqual([3, 4]);
      const got = Array.from(y?.data as Float32Array);
      const want = rows.flatMap((row) => mlpReference(layers, row, (v) => Math.max(0, v)));
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 4));
    } finally {
      await session.release();
    }
  });

  it('computes a softmax head that sums to one and matches the hand computation', async () => {
    const { bytes, layers } = buildMlp({ sizes: [8, 16, 5], activation: 'Tanh', head: 'Softmax', seed: 3, batch: 1 });
    const session = await ort.InferenceSession.create(bytes);
    try {
      const x = Array.from({ length: 8 }, (_, i) => (i - 4) / 3);
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 8]) });
      const got = Array.from(out['y']?.data as Float32Array);
      const logits = mlpReference(layers, x, Math.tanh);
      const m = Math.max(...logits);
      const e = logits.map((v) => Math.exp(v - m));
      const sum = e.reduce((a, v) => a + v, 0);
      got.forEach((v, i) => expect(v).toBeCloseTo((e[i] ?? NaN) / sum, 5));
    } finally {
      await session.release();
    }
  });

  it('computes MatMul, Add, Tanh, Concat, Reshape, QuantizeLinear, DequantizeLinear, Sigmoid and Relu as specified', async () => {
    const session = await ort.InferenceSession.create(buildOpsGraph());
    try {
      const x = [0.3, -1.2, 0.7, 2.1];
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 4]) });
      const want = opsReference(x);
      expect(Array.from(out['q']?.data as Int8Array)).toEqual(want.q);
      Array.from(out['dq']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want.dq[i] ?? NaN, 6));
      Array.from(out['sig']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-(want.dq[i] ?? NaN))), 6));
      Array.from(out['relu']?.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(Math.max(0, want.flat[i] ?? NaN), 6));
    } finally {
      await session.release();
    }
  });
});
