/**
 * DZ block payloads: deflate (zip type 0) or a transposition of the record bytes then deflate (type 1,
 * which stores byte k of every record together). Inflation stops at the declared original size, so a
 * block inflating to more (a zip bomb) fails after at most that many bytes.
 */
import { inflateSync } from 'node:zlib';
import { Mf4Error } from './mf4-block.js';
import type { Fragment } from './mf4-data.js';

export function inflateFragment(f: Fragment, stored: Buffer): Buffer {
  const zip = f.zipped;
  if (zip === undefined) return stored;
  let out: Buffer;
  try {
    out = inflateSync(stored, { maxOutputLength: Math.max(1, f.length) });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new Mf4Error(f.at, `DZ block inflates to more than its declared ${f.length} bytes`);
    throw new Mf4Error(f.at, `DZ block does not inflate: ${(err as Error).message}`);
  }
  if (out.length !== f.length) throw new Mf4Error(f.at, `DZ block inflates to ${out.length} bytes, not its declared ${f.length}`);
  return zip.zipType === 1 ? untranspose(out, zip.columns) : out;
}

/** Undoes the transposition: the first rows*columns bytes were stored column by column, the rest as is. */
function untranspose(data: Buffer, columns: number): Buffer {
  const rows = Math.floor(data.length / columns);
  if (rows === 0) return data;
  const out = Buffer.allocUnsafe(data.length);
  for (let c = 0; c < columns; c++) {
    const from = c * rows;
    for (let row = 0; row < rows; row++) out[row * columns + c] = data[from + row] as number;
  }
  data.copy(out, rows * columns, rows * columns);
  return out;
}
