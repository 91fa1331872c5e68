/**
 * onnxruntime-node for the build tools: one session per model file with the serving settings
 * (one intra-op thread, full graph optimisation), loaded lazily so importing the pipeline is cheap.
 */
import type { InferenceSession } from 'onnxruntime-node';

type Ort = typeof import('onnxruntime-node');
let ortPromise: Promise<Ort> | undefined;

export function loadOrt(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node');
  return ortPromise;
}

/** A single-input, single-output float session fed [1, F] vectors. */
export interface VectorSession {
  readonly inputName: string;
  readonly outputName: string;
  run(x: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Opens a session over model bytes.
 * @throws Error from onnxruntime when the bytes do not load
 */
export async function openVectorSession(bytes: Uint8Array, featureSize: number): Promise<VectorSession> {
  const ort = await loadOrt();
  const session: InferenceSession = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const inputName = session.inputNames[0] ?? 'features';
  const outputName = session.outputNames[0] ?? 'output';
  return {
    inputName,
    outputName,
    async run(x) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', x, [1, featureSize]) });
      return out[outputName]?.data as Float32Array;
    },
    release: () => session.release(),
  };
}

export interface LatencyProfile {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly runs: number;
}

/** p-th percentile (0..1) of sorted values, nearest rank. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/**
 * Measures one inference's wall time (ms) over `runs` calls after `warmup` calls, cycling through
 * `inputs` so caches do not flatter a single vector.
 */
export async function profileSession(s: VectorSession, inputs: readonly Float32Array[], runs = 2000, warmup = 200): Promise<LatencyProfile> {
  for (let i = 0; i < warmup; i++) await s.run(inputs[i % inputs.length] as Float32Array);
  const times = new Float64Array(runs);
  let sum = 0;
  for (let i = 0; i < runs; i++) {
    const x = inputs[i % inputs.length] as Float32Array;
    const t0 = process.hrtime.bigint();
    await s.run(x);
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    times[i] = dt;
    sum += dt;
  }
  times.sort();
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), mean: sum / runs, runs };
}
