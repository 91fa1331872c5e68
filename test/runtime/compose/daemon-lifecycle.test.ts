/**
 * The daemon is a stack of components: they start in dependency order and close in the reverse,
 * on a stop and on a failed start alike, through the same teardown.
 */
import { mkdtempSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { VirtualNetwork } from '../../../bus/transport/index.js';
import { ModelLoadError } from '../../../runtime/errors.js';
import { DOMAIN_LIST } from '../../../domains/index.js';
import { parseConfig } from '../../../runtime/config.js';
import { startDaemon } from '../../../runtime/daemon.js';
import { createLogger } from '../../../runtime/observe/index.js';
import { freePort } from '../../helpers/free-port.js';
import { plainVehicleSignals } from '../../helpers/vehicle-signals.js';
import { inProcessInference } from '../../../runtime/inference/index.js';
import { compiledWorkerEntry } from '../inference/worker-build.js';
import { testDomain, writeEngineFixture, type EngineFixture, TEST_VEHICLE_SIGNALS } from '../engine/fixture.js';

const START_ORDER = ['http', 'vehicle database', 'cloud secrets', 'buses', 'inference', 'cloud link', 'engine', 'someip', 'datalog', 'scheduler', 'frame intake'];

/** A debug logger and the component transitions it saw, in order. */
function transitions(): { logger: ReturnType<typeof createLogger>; seen: string[] } {
  const seen: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        const rec = JSON.parse(line) as { component?: string; msg?: string };
        if (rec.msg === 'started' || rec.msg === 'closed') seen.push(`${rec.msg} ${rec.component}`);
      }
      cb();
    },
  });
  return { logger: createLogger({ destination: sink, level: 'debug' }), seen };
}

async function canBind(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise<void>((r) => server.close(() => r()));
  return ok;
}

describe('the daemon as ordered components', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await writeEngineFixture(mkdtempSync(path.join(tmpdir(), 'ecu-ai-daemon-life-')), 1);
  });

  it('starts each component after what it needs and closes them in the reverse order', async () => {
    const { logger, seen } = transitions();
    const bus = new VirtualNetwork().open('can0');
    const daemon = await startDaemon({
      config: parseConfig({ platform: { sensors: 'model' }, someip: { enabled: false } }, DOMAIN_LIST),
      domains: [testDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: fx.modelsDir,
      logger,
      workerEntry: compiledWorkerEntry(),
      http: { host: '127.0.0.1', port: 0 },
      buses: [bus],
    });
    expect(seen).toEqual(START_ORDER.map((n) => `started ${n}`));
    await daemon.stop();
    expect(seen.slice(START_ORDER.length)).toEqual([...START_ORDER].reverse().map((n) => `closed ${n}`));
    await bus.close();
  });

  it('a failed start closes what had started, in reverse, and frees the HTTP port', async () => {
    const { logger, seen } = transitions();
    const port = await freePort();
    const emptyModels = path.join(fx.modelsDir, '..', 'no-models');
    mkdirSync(emptyModels, { recursive: true });
    const start = startDaemon({
      config: parseConfig({ platform: { sensors: 'model' }, someip: { enabled: false } }, DOMAIN_LIST),
      domains: [testDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: TEST_VEHICLE_SIGNALS,
      modelsDir: emptyModels,
      logger,
      workerEntry: compiledWorkerEntry(),
      http: { host: '127.0.0.1', port },
      buses: [new VirtualNetwork().open('can0')],
    });
    await expect(start).rejects.toBeInstanceOf(ModelLoadError);
    const before = START_ORDER.slice(0, START_ORDER.indexOf('inference'));
    expect(seen).toEqual([...before.map((n) => `started ${n}`), ...[...before].reverse().map((n) => `closed ${n}`)]);
    expect(await canBind(port)).toBe(true);
  });

  it('says once which domain the vehicle cannot serve, and starts without it', async () => {
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') warnings.push((JSON.parse(line) as { msg: string }).msg);
        cb();
      },
    });
    const bus = new VirtualNetwork().open('can0');
    const daemon = await startDaemon({
      config: parseConfig({ platform: { sensors: 'model' }, someip: { enabled: false } }, DOMAIN_LIST),
      domains: [testDomain],
      dbcPath: fx.dbcPath,
      vehicleSignals: plainVehicleSignals({ 'Vehicle.Speed': { message: 'EgoMotion', signal: 'Speed' } }),
      modelsDir: fx.modelsDir,
      logger: createLogger({ destination: sink, level: 'warn' }),
      inference: inProcessInference,
      http: false,
      buses: [bus],
    });
    expect(warnings).toEqual(['adas disabled: 1 required signal not mapped on this vehicle (Vehicle.Accel)']);
    expect(daemon.engine.services).toEqual([]);
    expect(daemon.pool.health()).toEqual([]);
    const report = daemon.health.report(0);
    expect(report.disabled).toEqual({ adas: { missing: ['Vehicle.Accel'] } });
    expect(Object.keys(report.domains)).toEqual([]);
    await daemon.stop();
    await bus.close();
  });
});
