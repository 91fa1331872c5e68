/**
 * The reference vehicle's mapping from catalog signals to its DBC, as the domains declare it
 * (`domains/NAME/signals.ts`, which `vehicles/reference.yaml` reproduces): which reference message and
 * signal carries each catalog signal. The simulator's sensors speak the reference DBC; this mapping
 * names their readings in the catalog, so they can be encoded onto any other vehicle.
 */
import { DOMAIN_LIST } from '../domains/index.js';
import type { CatalogSource } from './catalog-readout.js';

let cached: ReadonlyMap<string, CatalogSource> | undefined;

/** Catalog name → the reference message and signal that carry it (identity, no transform). */
export function referenceCatalogSources(): ReadonlyMap<string, CatalogSource> {
  if (!cached) {
    const out = new Map<string, CatalogSource>();
    for (const d of DOMAIN_LIST) {
      for (const [name, source] of Object.entries(d.signals)) {
        if (!out.has(name)) out.set(name, { name, message: source.message, signals: [source.signal], transform: null });
      }
    }
    cached = out;
  }
  return cached;
}
