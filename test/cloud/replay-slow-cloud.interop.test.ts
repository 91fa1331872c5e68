import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../../cli/cloud-setup.js';
import { InferenceWorker } from '../../cloud/inference-worker.js';
import { OnnxModelRunner } from '../../cloud/model-runner.js';
import { loadShippedModels } from '../../cloud/shipped-models.js';
import { DOMAIN_LIST } from '../../domains/index.js';
import { parseConfig } from '../../runtime/config.js';
import { resolveDomains } from '../../runtime/service/resolved.js';
import { runReplaySession } from '../../runtime/compose/replay-session.js';
import { withoutWall, type ReplaySummary } from '../../runtime/engine/summary.js';
import { cli } from '../helpers/cli.js';
import { mosquittoPeer, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { repoRoot } from '../helpers/shared-data.js';
import { compiledWorkerEntry } from '../runtime/inference/worker-build.js';
import { delayedRunner } from './fixtures.js';

const peer = mosquittoPeer();
const shipped = path.join(repoRoot, 'models');
/** Body asks the cloud on every call; its deadline (500 ms) is met by the cloud's modelled p99 (120 ms), not by a 700 ms answer. */
const config = parseConfig({ vehicle_id: 'slow-cloud', platform: { sensors: 'model' }, domains: { body: { variant: 'cloud' } } }, DOMAIN_LIST);

describe.skipIf(!peer.available)('a replay whose cloud answers slower than the deadline on the wall clock', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-slow-cloud-'));
  let broker: Mosquitto | undefined;
  let workerEntry = '';
  beforeAll(async () => {
    broker = await startMosquitto();
    workerEntry = compiledWorkerEntry();
    expect((await cli(dir, 'sim', '--scenario', 'hot-day-cabin', '--duration', '10', '--seed', '11', '--out', 'drive.blf')).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One replay through the broker, with one worker whose answers take `delayMs` of wall time. */
  const replay = async (delayMs: number): Promise<ReplaySummary> => {
    const runner = new OnnxModelRunner((await loadShippedModels(shipped)).resolve);
    const worker = await InferenceWorker.start({ url: broker!.url, id: `delay-${delayMs}`, runner: delayedRunner(runner, delayMs) });
    const cloud = await startCloud({ brokerUrl: broker!.url, modelsDir: shipped, vehicleId: config.vehicle_id, domains: resolveDomains(DOMAIN_LIST, config) });
    try {
      return await runReplaySession({
        config,
        domains: DOMAIN_LIST,
        tracePath: path.join(dir, 'drive.blf'),
        dbcPath: path.join(repoRoot, 'sim', 'vehicle.dbc'),
        modelsDir: shipped,
        workerEntry,
        cloud: cloud.cloud,
      });
    } finally {
      await cloud.close();
      await worker.stop();
      await runner.close();
    }
  };

  it('counts the real answers as cloud inferences and gives the same summary as a fast cloud', async () => {
    const slow = await replay(700);
    const body = slow.domains['body']!;
    expect(body.inferences).toBe(10);
    // The first cycle comes before body's signals have all arrived: answered without a model, counted apart.
    expect(body.variants.cloud).toBe(10 - body.invalid_inputs);
    expect(body.variants.fallback).toBe(body.invalid_inputs);
    const fast = await replay(0);
    expect(JSON.stringify(withoutWall(slow))).toBe(JSON.stringify(withoutWall(fast)));
  }, 120_000);
});
