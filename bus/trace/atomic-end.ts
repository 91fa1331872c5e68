/** How a trace writer ends its temporary file: the same for every format. */
import type { AtomicFile } from '../files/index.js';

/**
 * Runs `finish` (the last bytes, headers), then renames the file over its destination; when
 * finishing fails, the temporary file goes and the destination stays as it was.
 */
export async function commitAfter(file: AtomicFile, finish: () => Promise<void>): Promise<void> {
  try {
    await finish();
  } catch (err) {
    await file.abort();
    throw err;
  }
  await file.commit();
}
