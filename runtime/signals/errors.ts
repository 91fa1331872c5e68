/**
 * Errors of the signal layer. A catalog that names a message or signal its DBC lacks is a config
 * problem found at boot, so it is a ConfigInvalidError (code CONFIG_INVALID) that also carries every
 * unresolved reference as data, for tools that want to point at them.
 */
import { ConfigInvalidError } from '../errors.js';

/** One catalog entry whose DBC message or signal does not exist. */
export interface UnresolvedSignal {
  /** The vehicle signal name (catalog key), e.g. `Vehicle.Speed`. */
  readonly vehicleSignal: string;
  readonly message: string;
  readonly signal: string;
  /** True when the message itself is missing (then `signal` was not checked). */
  readonly messageMissing: boolean;
}

/** Catalog entries that refer to messages or signals absent from the DBC; lists them all. */
export class CatalogMismatchError extends ConfigInvalidError {
  readonly unresolved: readonly UnresolvedSignal[];
  constructor(source: string, unresolved: readonly UnresolvedSignal[]) {
    super(
      source,
      unresolved.map((u) => ({
        path: u.vehicleSignal,
        message: u.messageMissing
          ? `message "${u.message}" (for signal "${u.signal}") is not in the DBC`
          : `message "${u.message}" has no signal "${u.signal}"`,
      })),
    );
    this.unresolved = unresolved;
  }
}
