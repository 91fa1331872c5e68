/**
 * Files written whole or not at all. A writer works on a temporary file beside the destination (same
 * folder, so the final rename never crosses a file system) and renames it over the destination only
 * when the caller commits: a failed, aborted or interrupted write leaves the old destination exactly as
 * it was, and a reader never sees half a file. Commit fsyncs the data and the folder, so after it
 * returns the new file survives a power cut too.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** A file being written; `commit` publishes it, `abort` throws it away. Exactly one of them ends it. */
export interface AtomicFile {
  /** Where the bytes are going now (the temporary file). */
  readonly tempPath: string;
  /** The destination it replaces on commit. */
  readonly path: string;
  readonly handle: FileHandle;
  /** fsync, close, rename over the destination, fsync the folder. */
  commit(): Promise<void>;
  /** Close and delete the temporary file; the destination is untouched. Safe to call twice or after commit. */
  abort(): Promise<void>;
}

// Every temporary file still open in this process, so an interrupted command removes them on exit.
const liveTemps = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const temp of liveTemps) {
      // Synchronous on purpose: 'exit' handlers cannot wait.
      try {
        rmSync(temp, { force: true });
      } catch {
        // Nothing more can be done on exit.
      }
    }
  });
}

/** The temporary name used for `destination`: hidden, in the same folder, unique per writer. */
export function tempPathFor(destination: string): string {
  const dir = path.dirname(destination);
  return path.join(dir, `.${path.basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Opens a temporary file for `destination`. The destination is not touched until `commit`.
 * @throws {Error} the file system error when the folder is not writable.
 */
export async function openAtomic(destination: string): Promise<AtomicFile> {
  const target = path.resolve(destination);
  const temp = tempPathFor(target);
  const handle = await open(temp, 'wx', 0o644);
  installExitHook();
  liveTemps.add(temp);
  let ended = false;
  return {
    tempPath: temp,
    path: target,
    handle,
    async commit(): Promise<void> {
      if (ended) throw new Error(`${target}: atomic file already ended`);
      ended = true;
      try {
        await handle.sync();
        await handle.close();
        await rename(temp, target);
      } catch (err) {
        await handle.close().catch(() => undefined);
        await rm(temp, { force: true });
        liveTemps.delete(temp);
        throw err;
      }
      liveTemps.delete(temp);
      await syncDirectory(path.dirname(target));
    },
    async abort(): Promise<void> {
      if (ended) return;
      ended = true;
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      liveTemps.delete(temp);
    },
  };
}

/** Writes `data` to `destination` atomically (temporary file, fsync, rename). */
export async function writeFileAtomic(destination: string, data: string | Uint8Array, encoding: BufferEncoding = 'utf8'): Promise<void> {
  const file = await openAtomic(destination);
  try {
    await file.handle.writeFile(typeof data === 'string' ? Buffer.from(data, encoding) : data);
  } catch (err) {
    await file.abort();
    throw err;
  }
  await file.commit();
}

async function syncDirectory(dir: string): Promise<void> {
  // Some file systems refuse fsync on a folder (EINVAL, EISDIR on a few): the rename is done all the same.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Durability of the folder entry is best effort where the platform does not offer it.
  }
}
