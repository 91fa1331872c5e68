/** Vehicle side of the vehicle–cloud link. */
export { CloudLink, type CloudLinkOptions, type LinkStats, type RequestOutcome, type TlsOptions } from './mqtt-link.js';
export { CloudInference, type CloudInferenceOptions, type CloudModelRef, type CloudResult, type Feeds, type TensorData } from './cloud-inference.js';
export { CircuitBreaker, type BreakerOptions, type BreakerState } from './circuit-breaker.js';
export { Backoff, seededRandom, type BackoffOptions } from './backoff.js';
export { Outbox, type OutboxOptions, type OutboxRecord, type OutboxStats } from './outbox.js';
export { OutboxForwarder, type ForwarderStats, type OutboxKind } from './outbox-forwarder.js';
export { VehicleReporter, REPORT_PRIORITY } from './reporter.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
export * from './messages.js';
export * from './topics.js';
export { SCHEMA_VERSION, CLOUD_PROTO } from './schemas.js';
export { runnerCloud, comfortCloudModels, cloudDomainOptions, type CloudDomain } from './runner-adapter.js';
export { VehicleCloud, resolveCloudAccess, type CloudAccess, type VehicleCloudOptions } from './vehicle-cloud.js';
export { telemetryValues, type TelemetryInputs } from './telemetry-values.js';
