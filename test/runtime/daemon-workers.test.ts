/**
 * The daemon with its default inference engine: the supervised worker pool. The other daemon tests
 * run the model in their own thread; this one holds what only real workers show.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualNetwork } from '../../bus/transport/index.js';
import { DOMAIN_LIST } from '../../domains/index.js';
import { parseConfig } from '../../runtime/config.js';
import { startDaemon, type Daemon } from '../../runtime/daemon.js';
import type { HealthReport } from '../../runtime/observe/index.js';
import { compiledWorkerEntry } from './inference/worker-build.js';
import { sendEgoMotion, testDomain, writeEngineFixture, TEST_VEHICLE_SIGNALS } from './engine/fixture.js';
import { silentLogger } from './someip/bridge-fixture.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the daemon on its supervised worker processes', () => {
  let daemon: Daemon;
  const net = new VirtualNetwork();
  const peer = net.open('can0');
  let stopSending: (() => void) | undefined;

  beforeAll(async () => {
    const fx = await writeEngineFixture(mkdtempSync(path.join(tmpdir(), 'ecu-ai-daemon-workers-')), 1);
    daemon = await startDaemon({
      config: parseConfig({ platform: { sensors: 'model' }, someip: { enabled: false } }, DOMAIN_LIST),
      domains: [testDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: fx.modelsDir,
      logger: silentLogger,
      workerEntry: compiledWorkerEntry(),
      http: { host: '127.0.0.1', port: 0 },
      buses: [net.open('can0')],
    });
    stopSending = sendEgoMotion(peer);
  });

  afterAll(async () => {
    stopSending?.();
    await daemon?.stop();
    await peer.close();
  });

  it('serves the model from a worker process and names that process on /health', async () => {
    const stats = daemon.engine.dispatcher.stats('adas');
    const until = Date.now() + 10_000;
    while (stats.variants.fp32 === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(stats.variants.fp32).toBeGreaterThan(0);
    const pid = daemon.pool.health()[0]?.pid;
    expect(pid).toBeTypeOf('number');
    expect(pid).not.toBe(process.pid);
    const body = (await (await fetch(`${daemon.http!.url}/health`)).json()) as HealthReport;
    // The test domain is a safety domain: by default in the shared safety process.
    expect(body.domains['adas']?.worker).toMatchObject({ isolation: 'shared', restarts: 0, pid });
  });

  it('ends its worker processes when it stops', async () => {
    const pid = daemon.pool.health()[0]?.pid as number;
    expect(alive(pid)).toBe(true);
    await daemon.stop();
    expect(daemon.pool.health()).toEqual([]);
    expect(alive(pid)).toBe(false);
  });
});
