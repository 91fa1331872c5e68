/** The vehicle–cloud wire contract, for either side: messages, topics, schemas, tensors, the guarded MQTT client, errors. */
export * from './messages.js';
export * from './topics.js';
export { SCHEMA_VERSION, CLOUD_PROTO, type CloudMessageName } from './schemas.js';
export type { Outputs, Tensor, TensorArray, TensorData, TensorMap } from './tensor.js';
export { connectGuarded, connectGuardedAsync, DEFAULT_MAX_PACKET_BYTES, PACKET_OVERHEAD_BYTES, type PacketLimit } from './guarded-client.js';
export { noDelay } from './no-delay.js';
export { CloudError, ModelLoadError, RuntimeError, type RuntimeErrorCode } from './errors.js';
