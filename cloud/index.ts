/** Cloud side: inference workers and ingestion over MQTT. */
export { InferenceWorker, type WorkerOptions, type WorkerStats } from './inference-worker.js';
export { Ingest, ingestFile, type IngestOptions, type IngestStats } from './ingest.js';
export { OnnxModelRunner, modelsDirResolver, type ModelFile, type ModelResolver, type ModelRunner } from './model-runner.js';
export { loadShippedModels, type RefusedModel, type ShippedModels } from './shipped-models.js';
