/** Vehicle side of the vehicle–cloud link. */
export { CloudLink, type CloudLinkOptions, type LinkStats, type RequestOutcome, type TlsOptions } from './link/mqtt-link.js';
export { CloudInference, type CloudInferenceOptions, type CloudModelRef, type CloudResult, type Feeds } from './facade/cloud-inference.js';
export type { TensorData } from '../../wire/tensor.js';
export { CircuitBreaker, type BreakerOptions, type BreakerState } from './facade/circuit-breaker.js';
export { Backoff, seededRandom, type BackoffOptions } from './link/backoff.js';
export { Outbox, type OutboxOptions, type OutboxRecord, type OutboxStats } from './outbox/outbox.js';
export { OutboxForwarder, type ForwarderStats, type OutboxKind } from './outbox/outbox-forwarder.js';
export { VehicleReporter, REPORT_PRIORITY } from './facade/reporter.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './link/embedded-broker.js';
export * from '../../wire/messages.js';
export * from '../../wire/topics.js';
export { SCHEMA_VERSION, CLOUD_PROTO } from '../../wire/schemas.js';
export { runnerCloud, comfortCloudModels, cloudDomainOptions, type CloudDomain } from './facade/runner-adapter.js';
export { VehicleCloud, resolveCloudAccess, type CloudAccess, type VehicleCloudOptions } from './facade/vehicle-cloud.js';
export { telemetryValues, type TelemetryInputs } from './facade/telemetry-values.js';
