/**
 * The inference component: the model registry, the supervised worker pool and every enabled
 * domain's model open and warm. A model that fails to open closes the workers already started.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EcuAiConfig } from '../config.js';
import { InferencePool, ModelRegistry, type InferenceEngine, type InferenceFactory, type ModelManifest } from '../inference/index.js';
import { openDomainModels } from '../engine/domain-models.js';
import type { DomainModelInfo } from '../engine/engine.js';
import type { ResolvedDomain } from '../service/resolved.js';
import type { Component } from './lifecycle.js';

export interface InferenceParts {
  readonly pool: InferenceEngine;
  readonly registry: ModelRegistry;
  readonly models: Partial<Record<string, DomainModelInfo>>;
}

export interface InferenceComponentOptions {
  readonly modelsDir: string;
  readonly config: Readonly<EcuAiConfig>;
  /** The resolved (enabled) domains whose models are opened. */
  readonly domains: readonly ResolvedDomain[];
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** How long a caller spins for a worker's answer before it sleeps (`inference.spin_us`); default the pool's. */
  readonly spinUs?: number;
  readonly workerEntry?: string;
  readonly faultInjection?: boolean;
  /** Where the models run; default the supervised worker pool (`InferencePool`, with the options above). */
  readonly inference?: InferenceFactory;
  /** A floor under the configured watchdog (replay tolerates a loaded machine). */
  readonly minWatchdogMs?: number;
  readonly onReady?: (domain: string, m: ModelManifest) => void;
}

/** @throws {ModelLoadError} (from start) for a missing, tampered or mismatched model */
export function inferenceComponent(o: InferenceComponentOptions): Component<InferenceParts> {
  let pool: InferenceEngine | undefined;
  return {
    name: 'inference',
    async start() {
      const registry = await ModelRegistry.create({ roots: [o.modelsDir] });
      const create: InferenceFactory =
        o.inference ??
        ((reg) =>
          InferencePool.create({
            registry: reg,
            ...(o.logger ? { logger: o.logger } : {}),
            ...(o.clock ? { clock: o.clock } : {}),
            ...(o.spinUs === undefined ? {} : { spinUs: o.spinUs }),
            ...(o.workerEntry ? { workerEntry: o.workerEntry } : {}),
            ...(o.faultInjection ? { faultInjection: true } : {}),
          }));
      pool = await create(registry);
      try {
        const models = await openDomainModels(pool, registry, o.domains, {
          ...(o.minWatchdogMs === undefined ? {} : { minWatchdogMs: o.minWatchdogMs }),
          ...(o.onReady ? { onReady: o.onReady } : {}),
        });
        return { pool, registry, models };
      } catch (err) {
        await pool.close();
        throw err;
      }
    },
    async close() {
      await pool?.close();
    },
  };
}
