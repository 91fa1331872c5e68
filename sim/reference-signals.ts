/**
 * The reference vehicle's mapping from catalog signals to its DBC: which reference message and
 * signal carries each catalog signal. The simulator's sensors speak the reference DBC; this mapping
 * names their readings in the catalog, so they can be encoded onto any other vehicle.
 */
import { referenceVehicleSignals } from '../runtime/vehicle/reference-mapping.js';
import type { CatalogSource } from './catalog-readout.js';

/** Catalog name → the reference message and signal that carry it (identity, no transform). */
export function referenceCatalogSources(): ReadonlyMap<string, CatalogSource> {
  return referenceVehicleSignals();
}
