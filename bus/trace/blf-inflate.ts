/**
 * The uncompressed bytes of a LOG_CONTAINER. zlib runs on libuv's thread pool (`inflate`, not
 * `inflateSync`), so the reader can decode one container's frames on the main thread while the next
 * container inflates beside it; on a BLF file inflating is about a fifth of the reading time.
 * Each container inflates to at most the size it declares, itself at most MAX_CONTAINER_BYTES.
 */
import { inflate } from 'node:zlib';
import { CONTAINER_HEADER_SIZE, MAX_CONTAINER_BYTES } from './blf-common.js';
import { BlfError } from './blf-objects.js';

/**
 * Output bytes zlib fills per round trip to the main thread. A container declaring up to this much
 * inflates in one (a python-can container is 128 KiB); one declaring more is not handed a buffer of
 * its claimed size up front.
 */
const CHUNK_BYTES = 256 << 10;

/**
 * Inflates the container object `obj` (its whole object, header included) found at file offset `objectAt`.
 * @returns a fresh buffer, never written again (frames' data may stay views into it).
 * @throws {BlfError} (as a rejection) for an unknown compression, a declared size over the limit, data
 *   that inflate past the declared size, or data that do not inflate.
 */
export function inflateContainer(obj: Buffer, objectAt: number): Promise<Buffer> {
  const method = obj.readUInt16LE(16);
  const declared = obj.readUInt32LE(24);
  const payload = obj.subarray(CONTAINER_HEADER_SIZE);
  if (method === 0) return Promise.resolve(payload);
  if (method !== 2) return Promise.reject(new BlfError(objectAt, `unknown container compression ${method}`));
  if (declared > MAX_CONTAINER_BYTES) {
    return Promise.reject(new BlfError(objectAt, `container declares ${declared} uncompressed bytes, more than the limit of ${MAX_CONTAINER_BYTES}`));
  }
  // A writer that records no size (0) still gets no more than the limit.
  const limit = declared === 0 ? MAX_CONTAINER_BYTES : declared;
  return new Promise((resolve, reject) => {
    inflate(payload, { maxOutputLength: limit, chunkSize: chunkFor(limit) }, (err, result) => {
      if (err === null) {
        resolve(result);
        return;
      }
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(new BlfError(objectAt, `container inflates to more than ${declared === 0 ? `the limit of ${limit}` : `its declared ${declared}`} bytes`));
        return;
      }
      reject(new BlfError(objectAt, `container does not inflate: ${err.message}`));
    });
  });
}

/**
 * One byte more than the limit where it fits: zlib that fills its output exactly goes back for more,
 * a second round trip per container that finds nothing.
 */
function chunkFor(limit: number): number {
  return Math.max(64, Math.min(limit + 1, CHUNK_BYTES));
}
