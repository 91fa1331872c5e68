/**
 * What a domain's model must take and give, published so a model trained elsewhere can be made to
 * fit: every entry of the input vector (in order, with its unit and range as the feature builder
 * writes it) and every entry of the output vector the domain's `interpret` reads. The tensors
 * themselves are float32 [1, featureSize] in and float32 [1, outputs.length] out (batch first).
 */

/** One entry of the model's input vector; its index is its position in `ModelContract.features`. */
export interface ContractFeature {
  /** snake_case, unique within the domain (`lead_distance`). */
  readonly name: string;
  /** The unit after the builder's scaling, `1` for a ratio or a flag (`100 m`, `1/s`). */
  readonly unit: string;
  /** The interval the builder clamps to, where it clamps. */
  readonly range?: readonly [number, number];
  readonly description: string;
}

/** One entry of the model's output vector; its index is its position in `ModelContract.outputs`. */
export interface ContractOutput {
  readonly name: string;
  readonly unit: string;
  readonly meaning: string;
}

export interface ModelContract {
  /** Length `featureSize`. */
  readonly features: readonly ContractFeature[];
  /** What `interpret` reads; a model may give more, never fewer. */
  readonly outputs: readonly ContractOutput[];
  /** How `interpret` turns the outputs into the domain's result, in words. */
  readonly interpretation: string;
}
