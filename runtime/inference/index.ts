/** The inference layer: model registry, manifests, sessions, the engine contract and its two implementations (isolated workers, in-process). */
export type { InferenceEngine, InferenceFactory, InferenceHealth, GroupEntry, OpenOptions, RunOptions } from './inference-engine.js';
export { InferencePool, defaultWorkerEntry, type PoolOptions } from './pool.js';
export { InProcessInference, inProcessInference, type InProcessOptions } from './in-process.js';
export { ModelRegistry, modelFolders, parseModelRef, modelLabel, type ModelRef, type LoadedVariant, type RegisteredModel, type RegistryOptions } from './registry.js';
export { parseManifest, manifestSchema, compareSemver, LOCAL_VARIANTS, TENSOR_DTYPES, type ModelManifest, type TensorSpec, type LocalVariant, type LocalVariantSpec } from './manifest.js';
export { OnnxSession, type SessionOptions } from './session.js';
export { checkFeeds, type Feed, type Feeds, type Outputs, type TensorArray, type TensorData } from './tensors.js';
export { readModelIo, isDynamicDim, type ModelIo, type TensorIo, type Dim } from './model-io.js';
export { DomainSupervisor, type DomainHealth, type DomainState, type BackoffOptions } from './supervisor.js';
export { FAULT_KINDS, type FaultKind } from './protocol.js';
export { WORKER_EXEC_ARGV, type Isolation, type ChannelKind } from './worker-channel.js';
export { WireFormatError } from './wire.js';
export { checkTensorContract, checkOutputLength, type TensorContract, type BoundaryTensor } from './contract-check.js';
export { overlayShippedModels, shippedModelsDir, type ModelSource, type WantedModel } from './model-overlay.js';
