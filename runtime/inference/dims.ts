/**
 * Tensor dimensions and the local variants, apart from the ONNX reader and the manifest schema, so a
 * worker process imports neither protobufjs nor zod (each costs it memory and start-up time).
 */

/** A fixed size, or -1 or a symbolic name for a size fixed at run time. */
export type Dim = number | string;

/** True when a dimension is only fixed at run time. */
export function isDynamicDim(d: Dim): boolean {
  return typeof d === 'string' || d < 0;
}

/** Variants that run on the vehicle. */
export type LocalVariant = 'fp32' | 'int8';
export const LOCAL_VARIANTS: readonly LocalVariant[] = ['fp32', 'int8'];
