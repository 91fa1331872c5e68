/** Model folders for the inference tests, written with the ONNX builder into a temporary root. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildMlp, type DenseLayer } from '../../../models/build/onnx/index.js';
import type { DomainHealth } from '../../../runtime/inference/index.js';

export interface FixtureModel {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly layers: readonly DenseLayer[];
  readonly manifest: Record<string, unknown>;
}

export interface FixtureSpec {
  readonly name: string;
  readonly version?: string;
  readonly domain: string;
  readonly sizes?: readonly number[];
  readonly seed?: number;
  /** Also write an int8 variant (a second MLP with another seed: same boundary, different numbers). */
  readonly int8?: boolean;
  /** Edits the manifest before it is written (to break it on purpose). */
  readonly tamper?: (m: Record<string, unknown>) => void;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export function writeModel(root: string, spec: FixtureSpec): FixtureModel {
  const version = spec.version ?? '1.0.0';
  const sizes = spec.sizes ?? [4, 8, 2];
  const dir = path.join(root, `${spec.name}-${version}`);
  mkdirSync(dir, { recursive: true });
  const fp32 = buildMlp({ sizes, seed: spec.seed ?? 1, head: 'none' });
  writeFileSync(path.join(dir, 'model.onnx'), fp32.bytes);
  const variants: Record<string, unknown> = { fp32: { file: 'model.onnx', sha256: sha256(fp32.bytes), cost_ms: { p50: 0.05, p99: 0.2 } } };
  if (spec.int8 === true) {
    const q = buildMlp({ sizes, seed: (spec.seed ?? 1) + 1000, head: 'none' });
    writeFileSync(path.join(dir, 'model.int8.onnx'), q.bytes);
    variants['int8'] = { file: 'model.int8.onnx', sha256: sha256(q.bytes), cost_ms: { p50: 0.03, p99: 0.1 } };
  }
  const manifest: Record<string, unknown> = {
    name: spec.name,
    version,
    domain: spec.domain,
    inputs: [{ name: 'x', dtype: 'float32', shape: [-1, sizes[0]] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', sizes[sizes.length - 1]] }],
    variants,
  };
  spec.tamper?.(manifest);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { dir, name: spec.name, version, layers: fp32.layers, manifest };
}

/** The MLP's output for one row, computed by hand (ReLU hidden layers, linear head). */
export function mlpForward(layers: readonly DenseLayer[], x: readonly number[]): number[] {
  let cur = [...x];
  layers.forEach((l, li) => {
    const out: number[] = [];
    for (let o = 0; o < l.outSize; o++) {
      let s = l.bias[o] ?? 0;
      for (let i = 0; i < l.inSize; i++) s += (l.weight[o * l.inSize + i] ?? 0) * (cur[i] ?? 0);
      out.push(li + 1 < layers.length ? Math.max(0, s) : s);
    }
    cur = out;
  });
  return cur;
}

/** A domain's health entry in a pool. */
export function healthOf(p: { health(): readonly DomainHealth[] }, domain: string): DomainHealth {
  const h = p.health().find((x) => x.domain === domain);
  if (h === undefined) throw new Error(`no health for ${domain}`);
  return h;
}

/** Calls a domain every 5 ms until stopped; returns every call's latency and every error. */
export function keepCalling(
  p: { run(domain: string, feeds: { x: Float32Array }): Promise<unknown> },
  domain: string,
  x: readonly number[],
): { stop: () => Promise<{ latencies: number[]; errors: unknown[] }> } {
  const latencies: number[] = [];
  const errors: unknown[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await p.run(domain, { x: Float32Array.from(x) }).catch((e: unknown) => errors.push(e));
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { latencies, errors };
    },
  };
}
