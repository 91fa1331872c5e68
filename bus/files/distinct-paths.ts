/**
 * Refuses a command whose output is one of its inputs, or two of whose outputs are one file, before
 * anything is opened for writing. Paths are compared as the file system sees them: an existing file by
 * device and inode (hard links, symlinks, `./` and `..` spellings all resolve to it), a file yet to be
 * written by the real path of its folder plus its name.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** A file a command reads or writes, with the name the user gave it (for the message). */
export interface NamedPath {
  /** The option or argument it came from, e.g. `--out` or `IN`. */
  readonly role: string;
  readonly file: string;
}

/** Two roles of a command name one file. */
export class SamePathError extends Error {
  readonly first: NamedPath;
  readonly second: NamedPath;
  constructor(first: NamedPath, second: NamedPath) {
    super(`${second.role} ${second.file} is the same file as ${first.role} ${first.file}: refusing to overwrite it`);
    this.name = 'SamePathError';
    this.first = first;
    this.second = second;
  }
}

function identity(file: string): string {
  const abs = path.resolve(file);
  try {
    const st = statSync(abs);
    return `inode:${st.dev}:${st.ino}`;
  } catch {
    // Not there yet: what it will be is its folder's real path plus its name.
    let dir = path.dirname(abs);
    try {
      dir = realpathSync(dir);
    } catch {
      // A folder that does not exist either; the plain resolved path is all there is.
    }
    return `path:${path.join(dir, path.basename(abs))}`;
  }
}

/**
 * Throws when any output names an input or another output. Inputs may name one file twice (reading
 * it twice destroys nothing). Paths are resolved against `cwd`.
 * @throws {SamePathError} naming both roles.
 */
export function assertDistinctPaths(inputs: readonly NamedPath[], outputs: readonly NamedPath[], cwd = process.cwd()): void {
  const seen = new Map<string, NamedPath>();
  for (const input of inputs) {
    const id = identity(path.resolve(cwd, input.file));
    if (!seen.has(id)) seen.set(id, input);
  }
  for (const output of outputs) {
    const id = identity(path.resolve(cwd, output.file));
    const clash = seen.get(id);
    if (clash) throw new SamePathError(clash, output);
    seen.set(id, output);
  }
}
