/**
 * The cloud side a replay talks to: an external broker (`--broker URL`, the cloud
 * workers run there) or, by default, an embedded broker with one in-process cloud worker serving
 * the shipped models, so `npm start` needs nothing installed.
 */
import type { Logger } from 'pino';
import { InferenceWorker, OnnxModelRunner } from '../cloud/index.js';
import { CloudInference, CloudLink, cloudDomainOptions, runnerCloud, startEmbeddedBroker } from '../runtime/cloud/index.js';
import type { ResolvedDomain } from '../runtime/service/resolved.js';
import type { RemoteInference } from '../runtime/service/runner.js';
import { cloudModelResolver } from './model-sources.js';

export interface CloudSetup {
  /** What the engine calls; its `healthy()` is the degradation ladder's `cloudAvailable()`. */
  readonly cloud: RemoteInference;
  readonly facade: CloudInference;
  readonly link: CloudLink;
  readonly brokerUrl: string;
  close(): Promise<void>;
}

/**
 * How long a replay waits on the wall clock for one cloud answer, whatever the call's deadline: the
 * round trip is modelled by the manifest's cloud cost, so a loaded machine changes no decision.
 */
export const REPLAY_CLOUD_WAIT_MS = 10_000;

/** How long a replay waits for the broker before it starts without the cloud. */
const CONNECT_WAIT_MS = 5000;

export async function startCloud(o: { brokerUrl?: string; modelsDir: string; vehicleId: string; domains: readonly ResolvedDomain[]; logger?: Logger }): Promise<CloudSetup> {
  const embedded = o.brokerUrl === undefined ? await startEmbeddedBroker({ host: '127.0.0.1', port: 0 }) : undefined;
  const url = o.brokerUrl ?? embedded!.url;
  const protocolVersion = embedded ? 4 : 5;
  const runner = embedded ? new OnnxModelRunner(await cloudModelResolver(o.modelsDir)) : undefined;
  const worker = runner ? await InferenceWorker.start({ url, id: 'embedded-worker-1', runner, protocolVersion }) : undefined;
  const link = CloudLink.connect({ url, vehicleId: o.vehicleId, protocolVersion });
  // The replay goes on without the cloud (the ladder sees it unavailable), but the user hears why.
  if (!(await link.waitConnected(CONNECT_WAIT_MS))) o.logger?.warn({ broker: url, err: link.lastError?.message }, 'cloud unreachable; comfort services stay on the vehicle');
  const facade = new CloudInference({ link, ...cloudDomainOptions(o.domains) });
  const cloud = runnerCloud(facade, { replayWaitMs: REPLAY_CLOUD_WAIT_MS });
  return {
    cloud,
    facade,
    link,
    brokerUrl: url,
    async close() {
      await link.close();
      await worker?.stop();
      await runner?.close();
      await embedded?.close();
    },
  };
}
