/** Writing files safely: atomic replacement and refusing outputs that name inputs. */
export { openAtomic, tempPathFor, writeFileAtomic, type AtomicFile } from './atomic-file.js';
export { assertDistinctPaths, SamePathError, type NamedPath } from './distinct-paths.js';
