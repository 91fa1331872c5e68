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

/** A domain as the cloud client sees it (a resolved domain spec satisfies it). */
export interface CloudDomain {
  readonly domain: string;
  readonly model: string;
  readonly criticality: 'safety' | 'comfort';
}

/** The cloud models of the comfort domains (their own model, `cloud` variant); safety domains get none. */
export function comfortCloudModels(domains: readonly CloudDomain[]): Record<string, CloudModelRef> {
  const models: Record<string, CloudModelRef> = {};
  for (const d of domains) if (d.criticality === 'comfort') models[d.domain] = { model: d.model, variant: 'cloud' };
  return models;
}

/** The facade's options for these domains: the comfort ones' models, and the safety ones refused outright. */
export function cloudDomainOptions(domains: readonly CloudDomain[]): { models: Record<string, CloudModelRef>; safetyDomains: ReadonlySet<string> } {
  return { models: comfortCloudModels(domains), safetyDomains: new Set(domains.filter((d) => d.criticality === 'safety').map((d) => d.domain)) };
}
