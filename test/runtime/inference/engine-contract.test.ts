/**
 * The inference engine contract, held by both implementations: the same outputs bit for bit on the
 * shipped models and the same typed errors for what a caller gets wrong.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../../models/build/prng.js';
import { InferencePool, inProcessInference, ModelRegistry, type InferenceEngine, type ModelManifest, type Outputs } from '../../../runtime/inference/index.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { writeModel } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const fixtureRoot = mkdtempSync(path.join(os.tmpdir(), 'ecu-engine-contract-'));
let registry: ModelRegistry;
let shipped: ModelManifest[];

const IMPLEMENTATIONS = {
  pool: () => InferencePool.create({ registry, workerEntry: compiledWorkerEntry() }),
  inProcess: () => inProcessInference(registry),
} as const;
type Implementation = keyof typeof IMPLEMENTATIONS;
const engines = {} as Record<Implementation, InferenceEngine>;

beforeAll(async () => {
  // A model with only an fp32 variant and a dynamic batch dimension, beside the shipped ones.
  writeModel(fixtureRoot, { name: 'fp32-only', domain: 'test', sizes: [4, 8, 2], seed: 3 });
  registry = await ModelRegistry.create({ roots: [path.join(repoRoot, 'models'), fixtureRoot] });
  shipped = registry.list().map((m) => m.manifest).filter((m) => m.domain !== 'test');
  for (const [name, create] of Object.entries(IMPLEMENTATIONS) as [Implementation, () => Promise<InferenceEngine>][]) {
    const engine = await create();
    await engine.openGroup('contract', shipped.map((m) => ({ domain: m.domain, model: `${m.name}@${m.version}`, opts: { isolation: 'shared' as const, group: 'contract' } })));
    await engine.open('test', 'fp32-only', { isolation: 'thread' });
    engines[name] = engine;
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(engines).map((e) => e.close()));
  rmSync(fixtureRoot, { recursive: true, force: true });
});

/** Deterministic feature rows in [-2, 2), as wide as the model's input. */
function rows(m: ModelManifest, seed: number, count: number): Float32Array[] {
  const width = Number(m.inputs[0]?.shape.at(-1));
  const prng = new Prng(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: width }, () => prng.next() * 4 - 2));
}

const bytesOf = (o: Outputs): Record<string, { dims: readonly number[]; bytes: number[] }> =>
  Object.fromEntries(Object.entries(o).map(([k, t]) => [k, { dims: t.dims, bytes: [...new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)] }]));

describe('both inference engines on the shipped models', () => {
  it('open every shipped model for its domain', () => {
    expect(shipped.map((m) => m.domain).sort()).toEqual(['adas', 'body', 'chassis', 'cockpit', 'powertrain']);
  });

  for (const variant of ['fp32', 'int8'] as const) {
    it(`answer ${variant} calls with the same bytes`, async () => {
      for (const m of shipped) {
        for (const [k, row] of rows(m, 17 + m.name.length, 8).entries()) {
          const feeds = { [m.inputs[0]!.name]: { data: row, dims: [1, row.length] } };
          const fromPool = await engines.pool.run(m.domain, feeds, { variant });
          const inProcess = await engines.inProcess.run(m.domain, feeds, { variant });
          const out = inProcess[m.outputs[0]!.name]?.data as Float32Array;
          // Not a vacuous match: a real answer of the declared size, not all zeros.
          expect(out.length, `${m.name} row ${k}`).toBe(Number(m.outputs[0]!.shape.at(-1)));
          expect(out.some((v) => v !== 0) && out.every((v) => Number.isFinite(v)), `${m.name} row ${k}`).toBe(true);
          expect(bytesOf(inProcess), `${m.name}#${variant} row ${k}`).toEqual(bytesOf(fromPool));
        }
      }
    });
  }

  it('run the variant asked for: int8 answers differently from fp32 in both', async () => {
    const m = shipped.find((s) => s.domain === 'chassis')!;
    const [row] = rows(m, 5, 1);
    const feeds = { features: { data: row!, dims: [1, row!.length] } };
    for (const engine of Object.values(engines)) {
      const a = (await engine.run('chassis', feeds, { variant: 'fp32' }))['output']?.data;
      const b = (await engine.run('chassis', feeds, { variant: 'int8' }))['output']?.data;
      expect(Array.from(b as Float32Array)).not.toEqual(Array.from(a as Float32Array));
    }
  });

  it('infer a dynamic batch dimension of a bare array from the manifest, in both', async () => {
    for (const engine of Object.values(engines)) {
      const out = await engine.run('test', { x: Float32Array.from([1, -1, 0.5, 2, 0, 0, 1, 1]) });
      expect(out['y']?.dims).toEqual([2, 2]);
    }
  });
});

/** What a caller sees of an error: its class, code and message. */
async function failure(call: () => Promise<unknown>): Promise<{ name: string; code: unknown; message: string }> {
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error(`expected a rejection, got ${String(err)}`);
  return { name: err.constructor.name, code: (err as { code?: unknown }).code, message: err.message };
}

const f23 = (): Float32Array => new Float32Array(23).fill(0.1);
const CALLER_ERRORS: readonly { readonly what: string; readonly code: string; readonly call: (e: InferenceEngine) => Promise<unknown>; readonly sameMessage: boolean }[] = [
  { what: 'a run for a domain with no model', code: 'WORKER_CRASHED', call: (e) => e.run('nowhere', { features: f23() }), sameMessage: true },
  { what: 'a feed of the wrong shape', code: 'INFERENCE_INPUT', call: (e) => e.run('adas', { features: { data: new Float32Array(22), dims: [1, 22] } }), sameMessage: true },
  { what: 'a NaN in a feed', code: 'INFERENCE_INPUT', call: (e) => e.run('adas', { features: f23().fill(Number.NaN, 7, 8) }), sameMessage: true },
  { what: 'a feed of the wrong dtype', code: 'INFERENCE_INPUT', call: (e) => e.run('adas', { features: new Float64Array(23) }), sameMessage: true },
  { what: 'an input the model does not have', code: 'INFERENCE_INPUT', call: (e) => e.run('adas', { features: f23(), extra: f23() }), sameMessage: true },
  { what: 'a missing input', code: 'INFERENCE_INPUT', call: (e) => e.run('adas', {}), sameMessage: true },
  { what: 'a variant not loaded', code: 'INFERENCE_INPUT', call: (e) => e.run('test', { x: new Float32Array(4) }, { variant: 'int8' }), sameMessage: true },
  { what: 'opening a model not registered', code: 'MODEL_LOAD', call: (e) => e.open('thermal', 'no-such-model'), sameMessage: true },
  { what: "opening another domain's model", code: 'MODEL_MISMATCH', call: (e) => e.open('thermal', 'adas-fcw'), sameMessage: true },
  // The pool's message also points to its swap(), which the in-process engine does not have.
  { what: 'opening a domain already open', code: 'MODEL_LOAD', call: (e) => e.open('adas', 'adas-fcw'), sameMessage: false },
];

describe('both inference engines refuse a caller the same way', () => {
  for (const c of CALLER_ERRORS) {
    it(`${c.what}: ${c.code}`, async () => {
      const pool = await failure(() => c.call(engines.pool));
      const inProcess = await failure(() => c.call(engines.inProcess));
      expect(pool.code).toBe(c.code);
      expect(inProcess.name).toBe(pool.name);
      expect(inProcess.code).toBe(pool.code);
      if (c.sameMessage) expect(inProcess.message).toBe(pool.message);
    });
  }

  it('report one ready entry per open domain, then none once closed; a closed engine serves and opens nothing', async () => {
    const domains = [...shipped.map((m) => m.domain), 'test'].sort();
    for (const [name, create] of Object.entries(IMPLEMENTATIONS)) {
      const engine = await create();
      await engine.open('test', 'fp32-only', { isolation: 'thread' });
      expect(engine.health().map((h) => [h.domain, h.state]), name).toEqual([['test', 'ready']]);
      await engine.close();
      await engine.close();
      expect(engine.health(), name).toEqual([]);
      expect((await failure(() => engine.run('test', { x: new Float32Array(4) }))).code, name).toBe('WORKER_CRASHED');
      expect((await failure(() => engine.open('test', 'fp32-only'))).code, name).toBe('WORKER_CRASHED');
    }
    for (const engine of Object.values(engines)) expect(engine.health().map((h) => h.domain).sort()).toEqual(domains);
    expect(engines.inProcess.health().every((h) => h.isolation === 'in-process' && h.pid === process.pid && h.state === 'ready')).toBe(true);
    expect(engines.pool.health().filter((h) => h.domain !== 'test').every((h) => h.isolation === 'shared' && h.pid !== process.pid)).toBe(true);
  });
});
