/**
 * How a cloud worker computes an answer. The ONNX runner loads each model file once with
 * onnxruntime-node and keeps the session; tests and benches may plug in any other runner.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import type { Tensor } from '../wire/tensor.js';

export interface ModelRunner {
  /** @throws {Error} when the model is unknown or its inputs do not fit; the worker answers with the message */
  run(model: string, variant: string, inputs: readonly Tensor[]): Promise<Tensor[]>;
  close(): Promise<void>;
}

/** A model file already read and verified: the session is made from these bytes, not re-read. */
export interface ModelFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Maps a model name and variant to an .onnx path or verified bytes; undefined: not served. */
export type ModelResolver = (model: string, variant: string) => string | ModelFile | undefined;

/** Finds `{dir}/{model}.{variant}.onnx`, else `{dir}/{model}.onnx`. */
export function modelsDirResolver(dir: string): (model: string, variant: string) => string | undefined {
  return (model, variant) => {
    const candidates = [variant ? path.join(dir, `${model}.${variant}.onnx`) : undefined, path.join(dir, `${model}.onnx`)];
    return candidates.find((c): c is string => c !== undefined && existsSync(c));
  };
}

type Ort = typeof import('onnxruntime-node');

export class OnnxModelRunner implements ModelRunner {
  readonly #resolve: ModelResolver;
  readonly #sessions = new Map<string, Promise<InferenceSession>>();
  #ort: Promise<Ort> | undefined;

  /** @param resolve - maps a model name and variant to an .onnx file (undefined: unknown model) */
  constructor(resolve: ModelResolver) {
    this.#resolve = resolve;
  }

  /** @throws {Error} for an unknown model or onnxruntime's error for inputs that do not fit */
  async run(model: string, variant: string, inputs: readonly Tensor[]): Promise<Tensor[]> {
    const file = this.#resolve(model, variant);
    if (file === undefined) throw new Error(`unknown model ${model} (${variant || 'default'})`);
    this.#ort ??= import('onnxruntime-node');
    const ort = await this.#ort;
    const key = typeof file === 'string' ? file : file.path;
    let session = this.#sessions.get(key);
    if (!session) {
      const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
      session = typeof file === 'string' ? ort.InferenceSession.create(file, options) : ort.InferenceSession.create(file.bytes, options);
      this.#sessions.set(key, session);
      session.catch(() => this.#sessions.delete(key));
    }
    const s = await session;
    const feeds = Object.fromEntries(inputs.map((t) => [t.name, new ort.Tensor('float32', t.data, [...t.dims])]));
    const out = await s.run(feeds);
    return Object.entries(out).map(([name, t]) => {
      if (!(t.data instanceof Float32Array)) throw new Error(`output ${name} is ${t.type}, only float32 travels back`);
      return { name, dims: t.dims.map(Number), data: t.data };
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sessions.values()) await (await s.catch(() => undefined))?.release();
    this.#sessions.clear();
  }
}
