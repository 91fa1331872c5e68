import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModels, DEFAULT_BUILD, type BuildConfig } from '../../../models/build/pipeline.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('models build', () => {
  it('is byte-identical for the same seed and differs for another (small configuration)', async () => {
    const small: BuildConfig = {
      ...DEFAULT_BUILD,
      domains: ['body', 'adas'],
      scenarios: ['cut-in-emergency-brake'],
      trainSeeds: [1],
      trainDurationS: 20,
      epochScale: 0.05,
      calibrationRows: 50,
      exportOnly: true,
    };
    const run = async (seed: number): Promise<string> => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ecu-models-'));
      dirs.push(dir);
      await buildModels({ ...small, seed }, dir);
      return dir;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    for (const m of ['body-comfort', 'adas-fcw']) {
      for (const f of ['fp32.onnx', 'int8.onnx']) {
        const x = readFileSync(path.join(a, m, f));
        expect(x.equals(readFileSync(path.join(b, m, f))), `${m}/${f}`).toBe(true);
        expect(x.equals(readFileSync(path.join(c, m, f))), `${m}/${f} seed 8`).toBe(false);
      }
    }
  }, 60_000);
});
