/** A graph that the builder refuses to write; the message names the node, value or initializer. */
export class OnnxBuildError extends Error {
  readonly code = 'ONNX_BUILD' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnnxBuildError';
  }
}
