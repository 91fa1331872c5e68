/** Writing (and reading back) ONNX models without Python. */
export { OnnxGraphBuilder, type AttrValue, type BuildOptions, type InitializerData } from './builder.js';
export { buildMlp, type BuiltMlp, type DenseLayer, type MlpSpec } from './mlp.js';
export { OnnxBuildError } from './errors.js';
export { readModelIo, isDynamicDim, type ModelIo, type TensorIo, type Dim } from '../../../runtime/inference/model-io.js';
