/** Software acceptance filtering, shared by every backend so each one only implements the raw read. */
import type { CanFrame } from '../frame.js';
import type { FrameFilter } from './bus.js';

/**
 * Builds a predicate from filters; no filters (or an empty list) accept everything.
 * @throws {RangeError} when an id or mask is not a 29-bit unsigned integer.
 */
export function compileFilters(filters: readonly FrameFilter[] | undefined): (frame: CanFrame) => boolean {
  if (!filters || filters.length === 0) return () => true;
  for (const [i, f] of filters.entries()) {
    for (const [key, v] of [['id', f.id], ['mask', f.mask]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0x1fffffff) throw new RangeError(`filters[${i}].${key} ${v} is not a 29-bit identifier`);
    }
  }
  const list = filters.map((f) => ({ value: (f.id & f.mask) >>> 0, mask: f.mask >>> 0, extended: f.extended }));
  return (frame) => {
    for (const f of list) {
      if ((frame.id & f.mask) >>> 0 === f.value && (f.extended === undefined || f.extended === frame.extended)) return true;
    }
    return false;
  };
}
