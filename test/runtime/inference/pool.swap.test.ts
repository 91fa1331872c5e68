/**
 * Model swap under load: twenty swaps in a row while calls keep flowing. No call may be lost, every
 * old worker must be gone, and the parent's memory must stay flat (sessions never live in the parent).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferencePool, ModelRegistry } from '../../../runtime/inference/index.js';
import { mlpForward, writeModel, type FixtureModel } from './fixtures.js';
import { compiledWorkerEntry } from './worker-build.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ecu-swap-'));
let entry: string;
let registry: ModelRegistry;
let models: FixtureModel[];

beforeAll(async () => {
  entry = compiledWorkerEntry();
  models = [writeModel(root, { name: 'cockpit-intent', version: '1.0.0', domain: 'cockpit', sizes: [4, 32, 2], seed: 1 }), writeModel(root, { name: 'cockpit-intent', version: '2.0.0', domain: 'cockpit', sizes: [4, 32, 2], seed: 2 })];
  registry = await ModelRegistry.create({ roots: [root] });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A full GC, so RSS compares live memory rather than garbage awaiting collection. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function settledMemory(): { rss: number; heap: number } {
  collect();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 };
}

describe('InferencePool.swap under load', () => {
  it('swaps twenty times without losing a call, leaving no old worker and a flat parent RSS', async () => {
    const pool = await InferencePool.create({ registry, workerEntry: entry });
    try {
      await pool.open('cockpit', 'cockpit-intent@1.0.0');
      const input = [0.1, 0.7, -0.3, 1.2];
      const answers = models.map((m) => mlpForward(m.layers, input));
      let sent = 0;
      let answered = 0;
      const failures: unknown[] = [];
      let running = true;
      // Two callers, so calls are in flight on the old worker at the moment routing switches.
      const callers = [0, 1].map(async () => {
        while (running) {
          sent++;
          try {
            const out = await pool.run('cockpit', { x: Float32Array.from(input) });
            const y = Array.from(out['y']?.data as Float32Array);
            // Every answer is exactly one of the two models' outputs, never a mix or garbage.
            if (!answers.some((a) => a.every((v, i) => Math.abs(v - (y[i] ?? NaN)) < 1e-4))) failures.push(new Error(`unexpected output ${y.join(',')}`));
            answered++;
          } catch (e) {
            failures.push(e);
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      });
      const oldPids: number[] = [];
      let before = { rss: 0, heap: 0 };
      for (let k = 0; k < 20; k++) {
        // The first swaps grow heap and malloc arenas to their working size; a leak shows as growth after that.
        if (k === 8) before = settledMemory();
        const pid = pool.health()[0]?.pid;
        if (pid !== undefined) oldPids.push(pid);
        await pool.swap('cockpit', `cockpit-intent@${k % 2 === 0 ? '2.0.0' : '1.0.0'}`);
      }
      running = false;
      await Promise.all(callers);
      const after = settledMemory();
      console.log(`swap test: ${sent} calls; parent from swap 8 to 20: RSS ${before.rss.toFixed(1)} -> ${after.rss.toFixed(1)} MB, heap ${before.heap.toFixed(1)} -> ${after.heap.toFixed(1)} MB`);
      expect(failures).toEqual([]);
      expect(answered).toBe(sent);
      expect(sent).toBeGreaterThan(100);
      expect(pool.health()[0]).toMatchObject({ state: 'ready', model: 'cockpit-intent@1.0.0', restarts: 0 });
      expect(new Set(oldPids).size).toBe(20);
      // Exited and reaped: process exit is what gives onnxruntime's native memory back.
      for (const pid of oldPids) expect(existsSync(`/proc/${pid}`)).toBe(false);
      // onnxruntime never loads in the parent, so swaps cost the parent only IPC buffers.
      expect(after.heap - before.heap).toBeLessThan(5);
      expect(after.rss - before.rss).toBeLessThan(15);
    } finally {
      await pool.close();
    }
  });
});
