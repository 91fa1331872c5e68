/**
 * Bring your own model, as the README walks it: a model made outside the project (here with
 * Debian's python3-onnx, onnx.helper) to the shape `models describe` gives, its manifest, a models
 * folder holding only it, `models eval` and `models quantize` from another working folder, and a
 * replay in which that domain runs it while the others run the shipped models.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDatabase, loadDbcFile } from '../../bus/dbc/index.js';
import { parseCandumpLine } from '../../bus/trace/index.js';
import type { ReplaySummary } from '../../runtime/engine/summary.js';
import { openVectorSession } from '../../models/build/ort.js';
import { ModelRegistry } from '../../runtime/inference/index.js';
import { cli } from '../helpers/cli.js';
import { pythonModulePeer, runPython } from '../helpers/peers.js';

const repo = path.resolve(import.meta.dirname, '..', '..');
const onnx = pythonModulePeer('onnx', 'python3-onnx');

/** MatMul + Add, exported by onnx.helper and checked by onnx.checker; spec on stdin as JSON. */
const BUILD_LINEAR = `
import json, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
s = json.load(sys.stdin)
W = np.array(s["W"], dtype=np.float32)
B = np.array(s["B"], dtype=np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", [s["input"], "W"], ["xw"]), helper.make_node("Add", ["xw", "B"], [s["output"]])],
    "my_linear",
    [helper.make_tensor_value_info(s["input"], TensorProto.FLOAT, s["input_shape"])],
    [helper.make_tensor_value_info(s["output"], TensorProto.FLOAT, s["output_shape"])],
    [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B")],
)
model = helper.make_model(graph, producer_name="elsewhere", opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
onnx.save(model, s["file"])
`;

interface Contract {
  readonly input: { readonly shape: [1, number]; readonly features: readonly { readonly index: number; readonly name: string }[] };
  readonly output: { readonly shape: [1, number] };
  readonly model: string;
}

/** Writes a model folder: the ONNX file from python and the manifest the README asks for. */
function writeModelFolder(dir: string, o: { name: string; inputShape: (number | string)[]; outputShape: (number | string)[]; W: number[][]; B: number[] }): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'fp32.onnx');
  runPython(BUILD_LINEAR, [], JSON.stringify({ file, input: 'features', output: 'comfort', input_shape: o.inputShape, output_shape: o.outputShape, W: o.W, B: o.B }));
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  const manifest = {
    name: o.name,
    version: '0.1.0',
    domain: 'body',
    inputs: [{ name: 'features', dtype: 'float32', shape: o.inputShape }],
    outputs: [{ name: 'comfort', dtype: 'float32', shape: o.outputShape }],
    variants: { fp32: { file: 'fp32.onnx', sha256, cost_ms: { p50: 0.02, p99: 0.05 } } },
  };
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** A [F, K] matrix of zeros with the given entries set. */
function weights(F: number, K: number, set: readonly [number, number, number][]): number[][] {
  const W = Array.from({ length: F }, () => new Array<number>(K).fill(0));
  for (const [i, k, v] of set) (W[i] as number[])[k] = v;
  return W;
}

/** The user's set-point plus 1.5 °C (output 0 is (°C − 22) / 3, as input 0 is), and the occupants the seat mats count. */
const SETPOINT_RAISE_C = 1.5;

describe.skipIf(!onnx.available)('a body model made with onnx.helper, in a folder of its own', () => {
  let work = '';
  let own = '';
  let contract: Contract;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'ecu-byom-'));
    const d = await cli(work, 'models', 'describe', 'body', '--json');
    expect(d.code, d.err).toBe(0);
    contract = JSON.parse(d.out) as Contract;
    const F = contract.input.shape[1];
    const K = contract.output.shape[1];
    const seats = contract.input.features.find((f) => f.name === 'seats_occupied')?.index as number;
    const setpoint = contract.input.features.find((f) => f.name === 'setpoint')?.index as number;
    own = path.join(work, 'my-models', contract.model);
    writeModelFolder(own, { name: contract.model, inputShape: [1, F], outputShape: [1, K], W: weights(F, K, [[setpoint, 0, 1], [seats, 1, 5 / 1.5]]), B: [SETPOINT_RAISE_C / 3, -2.5 / 1.5] });
    const sim = await cli(work, 'sim', '--scenario', 'hot-day-cabin', '--duration', '40', '--seed', '77', '--out', 'drive.log', '--labels', 'labels.jsonl');
    expect(sim.code, sim.err).toBe(0);
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is served to the body domain in a replay, while the other domains run the shipped models', async () => {
    const r = await cli(work, 'replay', 'drive.log', '--models', 'my-models', '--json', 'summary.json', '--out', 'out.log');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`replay: body runs your model body-comfort@0.1.0 from ${own}\n`);
    expect(r.err).toContain('replay: adas, chassis, powertrain, cockpit run the shipped models\n');
    const s = JSON.parse(readFileSync(path.join(work, 'summary.json'), 'utf8')) as ReplaySummary;
    for (const d of ['adas', 'chassis', 'powertrain', 'cockpit', 'body']) expect(s.domains[d]?.variants.fp32, d).toBeGreaterThan(0);
    expect(s.domains['body']?.faults).toBe(0);
    // The set-points sent are the user's raised by the model's 1.5 °C: its numbers, not the shipped model's or the fallback's.
    const db = compileDatabase((await loadDbcFile(path.join(repo, 'sim', 'vehicle.dbc'))).database);
    const climate = db.byName('BDY_Climate')!;
    const pred = db.byName('BDY_ComfortPred')!;
    const userSetpoints = new Set<number>();
    for (const l of readFileSync(path.join(work, 'drive.log'), 'utf8').trim().split('\n')) {
      const f = parseCandumpLine(l);
      if (f?.id === climate.message.id) userSetpoints.add(climate.decode(f.data)['CLM_Setpoint'] as number);
    }
    const sent = readFileSync(path.join(work, 'out.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => parseCandumpLine(l))
      .filter((f) => f?.id === pred.message.id)
      .map((f) => pred.decode(f!.data))
      .filter((v) => v['CMF_Mode'] === 0);
    expect(sent.length).toBeGreaterThan(0);
    const expected = new Set([...userSetpoints].map((c) => Math.round((c + SETPOINT_RAISE_C) * 2) / 2));
    for (const v of sent) expect(expected).toContain(v['CMF_Setpoint']);
  }, 180_000);

  it('is evaluated alone by models eval from another working folder, fp32 only', async () => {
    const cwd = mkdtempSync(path.join(work, 'elsewhere-'));
    const r = await cli(cwd, 'models', 'eval', '--models', path.join(work, 'my-models'), '--seeds', '4001', '--duration', '20', '--json', '--quiet');
    expect([0, 1], r.err).toContain(r.code);
    const out = JSON.parse(r.out) as { domain: string; source: string; dir: string; result: { rows: number; fp32?: Record<string, number>; int8?: unknown } }[];
    expect(out.map((e) => [e.domain, e.source, e.dir])).toEqual([['body', 'user', own]]);
    expect(out[0]?.result.rows).toBeGreaterThan(0);
    expect(out[0]?.result.fp32).toHaveProperty('mae');
    expect(out[0]?.result.int8).toBeUndefined();
  }, 180_000);

  it('gets an int8 variant from models quantize in another working folder, which the registry accepts', async () => {
    const copy = path.join(work, 'quantized', contract.model);
    cpSync(own, copy, { recursive: true });
    const cwd = mkdtempSync(path.join(work, 'elsewhere-'));
    const r = await cli(cwd, 'models', 'quantize', copy, '--seeds', '1', '--duration', '20');
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out) as { method: string; sha256: string; file: string };
    expect(res.method).toBe('graph');
    expect(res.file).toBe(path.join(copy, 'int8.onnx'));
    const registry = await ModelRegistry.create({ roots: [path.dirname(copy)] });
    const int8 = await registry.loadVariant({ name: contract.model }, 'int8');
    expect(int8.spec.sha256).toBe(res.sha256);
    expect(int8.io.inputs).toEqual([{ name: 'features', dtype: 'float32', shape: contract.input.shape }]);
    // onnx's own checker accepts the rewritten graph, whose MatMul now reads a DequantizeLinear.
    const ops = runPython('import sys, onnx\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\nprint(" ".join(n.op_type for n in m.graph.node))', [res.file]);
    expect(ops.trim().split(' ')).toEqual(['QuantizeLinear', 'DequantizeLinear', 'DequantizeLinear', 'MatMul', 'Add']);
    // Within the quantisers' steps of the fp32 model on inputs inside the calibrated range.
    const F = contract.input.shape[1];
    const fp32 = await openVectorSession(readFileSync(path.join(copy, 'fp32.onnx')), F);
    const q = await openVectorSession(int8.bytes, F);
    try {
      for (let k = 0; k < 8; k++) {
        const x = Float32Array.from({ length: F }, (_, i) => ((i * 7 + k * 3) % 10) / 10);
        const [a, b] = [await fp32.run(x.slice()), await q.run(x.slice())];
        for (let j = 0; j < a.length; j++) expect(Math.abs((a[j] as number) - (b[j] as number))).toBeLessThan(0.15);
      }
    } finally {
      await fp32.release();
      await q.release();
    }
  }, 180_000);

  it('is refused with the file, its shape and the shape that fits when its input or output does not fit', async () => {
    const F = contract.input.shape[1];
    const narrow = path.join(work, 'narrow', contract.model);
    writeModelFolder(narrow, { name: contract.model, inputShape: [1, F - 2], outputShape: [1, 2], W: weights(F - 2, 2, []), B: [0, 0] });
    const a = await cli(work, 'models', 'eval', '--models', path.dirname(narrow), '--seeds', '4001', '--duration', '20', '--quiet');
    expect(a.code).toBe(2);
    expect(a.err).toContain(`${path.join(narrow, 'fp32.onnx')}: inputs[0].shape: "features" is [1,${F - 2}]; the model takes ${F - 2} features, the domain body builds ${F}: expected [1,${F}] float32`);
    const q = await cli(work, 'models', 'quantize', narrow, '--seeds', '1', '--duration', '20');
    expect(q.code).toBe(2);
    expect(q.err).toContain(`${path.join(narrow, 'fp32.onnx')}: inputs[0].shape: "features" is [1,${F - 2}]`);
    const short = path.join(work, 'short', contract.model);
    writeModelFolder(short, { name: contract.model, inputShape: [1, F], outputShape: [1, 1], W: weights(F, 1, []), B: [0] });
    const b = await cli(work, 'replay', 'drive.log', '--models', path.dirname(short), '--local-only');
    expect(b.code).toBe(2);
    expect(b.err).toContain(`${path.join(short, 'fp32.onnx')}: outputs[0].shape: "comfort" is [1,1] (1 values), the domain body reads 2: expected [1,2]`);
  }, 180_000);
});
