/** The real daemon with SOME/IP on free loopback ports and one test domain fed by a virtual CAN bus. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualNetwork } from '../../../bus/transport/index.js';
import { parseConfig } from '../../../runtime/config.js';
import { startDaemon, type Daemon } from '../../../runtime/daemon.js';
import { inProcessInference } from '../../../runtime/inference/index.js';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import { sendEgoMotion, writeEngineFixture, TEST_VEHICLE_SIGNALS } from '../engine/fixture.js';
import { silentLogger } from './bridge-fixture.js';
import { DOMAIN_LIST } from '../../../domains/index.js';

export interface SomeipDaemon {
  readonly daemon: Daemon;
  /** Stops the frames, the daemon and the bus. */
  close(): Promise<void>;
}

/** Starts the daemon serving `domain`; `http` false keeps it off, else it listens on 127.0.0.1 at a free port. */
export async function startSomeipDaemon(domain: DomainDefinition, http: boolean): Promise<SomeipDaemon> {
  const net = new VirtualNetwork();
  const peer = net.open('can0');
  const fx = await writeEngineFixture(mkdtempSync(path.join(tmpdir(), 'ecu-ai-someip-daemon-')), 1);
  const daemon = await startDaemon({
    config: parseConfig({ platform: { sensors: 'model' }, someip: { sd_port: 0, service_port: 0 } }, DOMAIN_LIST),
    domains: [domain],
    dbcPath: fx.dbcPath,
    vehicleSignals: TEST_VEHICLE_SIGNALS,
    modelsDir: fx.modelsDir,
    logger: silentLogger,
    // The daemon's behaviour, not the workers' (daemon-workers.test.ts): the model runs in this thread.
    inference: inProcessInference,
    http: http ? { host: '127.0.0.1', port: 0 } : false,
    buses: [net.open('can0')],
  });
  const stopSending = sendEgoMotion(peer);
  return {
    daemon,
    async close() {
      stopSending();
      await daemon.stop();
      await peer.close();
    },
  };
}
