/** The outbox's small files: segment names, the acked-offset file and directory fsync. */
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { CloudError } from '../../errors.js';

export const ACKED_FILE = 'acked.json';

/** Segment files sort by name in seq order: `seg-0000000000000042.log` starts at seq 42. */
export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, '0')}.log`;
}

/** Makes a directory's entries (a created or renamed file) durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Reads the acked offset; 0 when the file does not exist yet.
 * @throws {CloudError} CLOUD_PAYLOAD when the file exists but does not hold an offset
 */
export async function readAckedSeq(dir: string): Promise<number> {
  const file = path.join(dir, ACKED_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let seq: unknown;
  try {
    seq = (JSON.parse(text) as { ackedSeq?: unknown }).ackedSeq;
  } catch (err) {
    throw new CloudError('CLOUD_PAYLOAD', file, 'not JSON', { cause: err });
  }
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new CloudError('CLOUD_PAYLOAD', file, `ackedSeq ${String(seq)} is not a whole number`);
  return seq;
}

/** Replaces the acked offset atomically: write a temporary file, fsync it, rename over, fsync the directory. */
export async function writeAckedSeq(dir: string, seq: number): Promise<void> {
  const file = path.join(dir, ACKED_FILE);
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify({ ackedSeq: seq }));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(dir);
}
