/**
 * The engine's view of the cloud (`RemoteInference` of runtime/service/runner.ts) over the cloud
 * facade: the daemon and replay both give the engine this adapter.
 */
import type { RemoteInference } from '../../service/runner.js';
import type { CloudInference, CloudModelRef } from './cloud-inference.js';

export interface RunnerCloudOptions {
  /**
   * Virtual time (replay): wait this long on the wall clock for each answer, whatever the call's
   * deadline. Replay models the round trip with the manifest's cloud cost instead of measuring it,
   * so whether an answer counts must not depend on how loaded the machine is.
   */
  readonly replayWaitMs?: number;
}

/**
 * Adapts the facade: `healthy()` is the ladder's `cloudAvailable()`, and any answer but `ok`
 * (timed out, unavailable) becomes `undefined`, on which the service falls back to local.
 * @throws {CloudError} CLOUD_UNAVAILABLE (rejects) when asked for a safety domain, as the facade does
 */
export function runnerCloud(facade: CloudInference, opts: RunnerCloudOptions = {}): RemoteInference {
  return {
    healthy: () => facade.healthy(),
    infer: async (domain, _model, feeds, deadlineMs) => {
      const r = await facade.infer(domain, feeds, opts.replayWaitMs ?? deadlineMs);
      return r.status === 'ok' ? r.outputs : undefined;
    },
  };
}

/** The cloud models of the comfort domains (their own model, `cloud` variant); safety domains get none. */
export function comfortCloudModels(domains: readonly { readonly domain: string; readonly model: string; readonly criticality: string }[]): Record<string, CloudModelRef> {
  const models: Record<string, CloudModelRef> = {};
  for (const d of domains) if (d.criticality === 'comfort') models[d.domain] = { model: d.model, variant: 'cloud' };
  return models;
}
