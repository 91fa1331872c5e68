/** The signal layer: catalog (DBC signal -> vehicle signal), store of latest values, feature windows, router. */
export { SignalCatalog, parseSignalCatalog, loadSignalCatalog, type CatalogEntry, type CatalogSchemaSource, type EntryTransform } from './catalog.js';
export { CatalogMismatchError, type UnresolvedSignal } from './errors.js';
export { SignalStore, type SignalStoreOptions, type SignalReading, type MessageInfo, type DecodedValues, type IngestPlan } from './store.js';
export { FeatureWindow, type FeatureWindowSpec, type Interpolation } from './window.js';
export { SignalRouter, type FrameCodec, type FrameDecoder, type SignalRouterOptions, type RouterStats } from './router.js';
