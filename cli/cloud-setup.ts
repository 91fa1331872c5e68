/**
 * The cloud side a replay or the daemon talks to: an external broker (`--broker URL`, the cloud
 * workers run there) or, by default, an embedded broker with one in-process cloud worker serving
 * the shipped models, so `npm start` needs nothing installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InferenceWorker, OnnxModelRunner } from '../cloud/index.js';
import { CloudInference, CloudLink, comfortCloudModels, runnerCloud, startEmbeddedBroker } from '../runtime/cloud/index.js';
import type { DomainDefinition } from '../runtime/service/domain.js';
import type { CloudInference as RunnerCloud } from '../runtime/service/runner.js';

export interface CloudSetup {
  /** What the engine calls; its `healthy()` is the degradation ladder's `cloudAvailable()`. */
  readonly cloud: RunnerCloud;
  readonly facade: CloudInference;
  readonly brokerUrl: string;
  close(): Promise<void>;
}

/**
 * Maps a model name and variant to a shipped file: `models/<name>/manifest.json` names each
 * variant's file; the `cloud` variant runs the fp32 file unless the manifest names a remote model.
 */
export function shippedModelResolver(modelsDir: string): (model: string, variant: string) => string | undefined {
  return (model, variant) => {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(model)) return undefined;
    const dir = path.join(modelsDir, model);
    const manifestPath = path.join(dir, 'manifest.json');
    if (!existsSync(manifestPath)) return undefined;
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { variants?: Record<string, { file?: string; remote_model?: string }> };
    const v = m.variants ?? {};
    const file = variant === 'cloud' ? (v['cloud']?.remote_model ? undefined : v['fp32']?.file) : v[variant]?.file;
    if (!file || file.includes('..') || path.isAbsolute(file)) return undefined;
    const full = path.join(dir, file);
    return existsSync(full) ? full : undefined;
  };
}

export async function startCloud(o: { brokerUrl?: string; modelsDir: string; vehicleId: string; domains: readonly DomainDefinition[] }): Promise<CloudSetup> {
  const embedded = o.brokerUrl === undefined ? await startEmbeddedBroker({ host: '127.0.0.1', port: 0 }) : undefined;
  const url = o.brokerUrl ?? embedded!.url;
  const protocolVersion = embedded ? 4 : 5;
  const worker = embedded
    ? await InferenceWorker.start({ url, id: 'embedded-worker-1', runner: new OnnxModelRunner(shippedModelResolver(o.modelsDir)), protocolVersion })
    : undefined;
  const link = CloudLink.connect({ url, vehicleId: o.vehicleId, protocolVersion });
  await link.waitConnected(5000);
  const facade = new CloudInference({ link, models: comfortCloudModels(o.domains) });
  const cloud = runnerCloud(facade);
  return {
    cloud,
    facade,
    brokerUrl: url,
    async close() {
      await link.close();
      await worker?.stop();
      await embedded?.close();
    },
  };
}
