/**
 * The one tensor type of the project: a typed array and its dims, row-major. Local inference and
 * its workers, the domain service runner, the cloud facade and the vehicle–cloud messages all speak
 * it; it lives in the wire, the lowest layer that carries tensors.
 */

/** The element arrays a tensor may hold; `bool` travels as Uint8Array, told apart by the manifest. */
export type TensorArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;

/** A tensor with explicit dims; `A` narrows the element type where only one travels (the cloud's float32). */
export interface TensorData<A extends TensorArray = TensorArray> {
  readonly data: A;
  readonly dims: readonly number[];
}

/** Tensors by input or output name: a model's feeds or its answer. */
export type TensorMap<A extends TensorArray = TensorArray> = Readonly<Record<string, TensorData<A>>>;

/** A model's outputs by name, as an inference call answers them. */
export type Outputs = Record<string, TensorData>;

/** A tensor inside a vehicle–cloud message: named, and float32, the only type the schema carries. */
export interface Tensor extends TensorData<Float32Array> {
  readonly name: string;
}
