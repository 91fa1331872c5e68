/**
 * One onnxruntime-node session with explicit options, checked against its manifest and warmed up
 * before it reports ready. onnxruntime is imported lazily so that only worker processes load it.
 */
import { createRequire } from 'node:module';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { InferenceError } from '../errors.js';
import { matchIo } from './io-match.js';
import type { TensorSpec } from './manifest.js';
import { checkFeeds, zeroTensor, type Feeds, type Outputs, type TensorArray, type TensorData } from './tensors.js';

export interface SessionOptions {
  /** Names the domain in errors. */
  readonly domain: string;
  /** name@version#variant, for errors. */
  readonly label: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Intra-op threads; 1 keeps a domain on one core so domains do not steal from each other. */
  readonly threads?: number;
  /** Runs before ready, so the first real call does not pay for allocation and kernel selection. */
  readonly warmupRuns?: number;
}

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;

/**
 * onnxruntime-node is CommonJS: `require` loads it without the ES module loader's CommonJS lexer,
 * which would stay resident in every worker (about 1 MB each, measured).
 */
function loadOrt(): Promise<Ort> {
  ort ??= createRequire(import.meta.url)('onnxruntime-node') as Ort;
  return Promise.resolve(ort);
}

export class OnnxSession {
  readonly #ort: Ort;
  readonly #session: InferenceSession;
  readonly #opts: SessionOptions;

  private constructor(ort: Ort, session: InferenceSession, opts: SessionOptions) {
    this.#ort = ort;
    this.#session = session;
    this.#opts = opts;
  }

  /**
   * Creates, checks and warms up a session.
   * @throws ModelLoadError `MODEL_MISMATCH` when the session's inputs/outputs differ from the manifest
   * @throws Error from onnxruntime when the bytes do not load
   */
  static async create(bytes: Uint8Array, opts: SessionOptions): Promise<OnnxSession> {
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      executionMode: 'sequential',
    });
    try {
      const meta = (list: readonly InferenceSession.ValueMetadata[]): { name: string; dtype?: string; shape?: readonly (number | string)[] }[] =>
        list.map((m) => (m.isTensor ? { name: m.name, dtype: m.type, shape: m.shape } : { name: m.name, dtype: 'non-tensor' }));
      matchIo(opts.label, 'inputs', opts.inputs, meta(session.inputMetadata));
      matchIo(opts.label, 'outputs', opts.outputs, meta(session.outputMetadata));
      const s = new OnnxSession(ort, session, opts);
      const warm = Object.fromEntries(opts.inputs.map((i) => [i.name, zeroTensor(i)]));
      for (let k = 0; k < (opts.warmupRuns ?? 3); k++) await s.runChecked(warm);
      return s;
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /**
   * Checks the feeds, then runs.
   * @throws InferenceError `INFERENCE_INPUT` for a bad feed, `INFERENCE_FAILED` when onnxruntime fails
   */
  async run(feeds: Feeds): Promise<Outputs> {
    return this.runChecked(checkFeeds(this.#opts.domain, this.#opts.inputs, feeds));
  }

  /**
   * Runs feeds already checked by {@link checkFeeds} (the worker's path: the parent checked them).
   * @throws InferenceError `INFERENCE_FAILED` when onnxruntime fails
   */
  async runChecked(feeds: Readonly<Record<string, TensorData>>): Promise<Outputs> {
    const ortFeeds: Record<string, Tensor> = {};
    for (const spec of this.#opts.inputs) {
      const f = feeds[spec.name];
      if (f === undefined) throw new InferenceError('INFERENCE_INPUT', this.#opts.domain, `input "${spec.name}" is missing`);
      ortFeeds[spec.name] = new this.#ort.Tensor(spec.dtype, f.data as never, f.dims);
    }
    let result: InferenceSession.ReturnType;
    try {
      result = await this.#session.run(ortFeeds);
    } catch (err) {
      throw new InferenceError('INFERENCE_FAILED', this.#opts.domain, `${this.#opts.label}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const out: Outputs = {};
    for (const [name, t] of Object.entries(result)) out[name] = { data: t.data as TensorArray, dims: [...t.dims] };
    return out;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
