/** Test helper: the first `n` frames of a reader, or a failure naming how many came within the time. */
import type { CanFrame } from '../../../bus/frame.js';

export async function take(source: AsyncIterable<CanFrame>, n: number, timeoutMs = 2000): Promise<CanFrame[]> {
  const got: CanFrame[] = [];
  const it = source[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    while (got.length < n) {
      const step = await Promise.race([it.next(), timeout]);
      if (step === 'timeout') throw new Error(`only ${got.length} of ${n} frames within ${timeoutMs} ms`);
      if (step.done) throw new Error(`reader ended after ${got.length} of ${n} frames`);
      got.push(step.value);
    }
    return got;
  } finally {
    clearTimeout(timer);
    void it.return?.();
  }
}
