/** Test doubles for the cloud tests: a model runner that doubles its input, optionally slowly, and a delayed real one. */
import type { ModelRunner } from '../../cloud/model-runner.js';
import type { Tensor } from '../../wire/messages.js';

export function doublingRunner(delayMs = 0): ModelRunner & { calls: number } {
  const r = {
    calls: 0,
    async run(_model: string, _variant: string, inputs: readonly Tensor[]): Promise<Tensor[]> {
      r.calls++;
      if (delayMs > 0) await new Promise((res) => setTimeout(res, delayMs));
      return inputs.map((t) => ({ name: `${t.name}_out`, dims: t.dims, data: t.data.map((v) => v * 2) }));
    },
    async close(): Promise<void> {},
  };
  return r;
}

export async function until(cond: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** A real runner behind a slow link: each answer comes `delayMs` later, as from a distant cloud. */
export function delayedRunner(inner: ModelRunner, delayMs: number): ModelRunner {
  return {
    async run(model: string, variant: string, inputs: readonly Tensor[]): Promise<Tensor[]> {
      await new Promise((res) => setTimeout(res, delayMs));
      return inner.run(model, variant, inputs);
    },
    close: () => inner.close(),
  };
}
