// Reading and writing other tools' config files: atomic replacement (temp file in the same
// folder + rename) that keeps the file's mode, writes through a symlink to its target (dotfile
// managers link these files), and creates missing folders only when asked.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/** Config files are small; anything larger is not one we should be rewriting. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface FileSnapshot {
  /** null: the file does not exist. */
  bytes: Buffer | null;
  /** Permission bits (null when absent). */
  mode: number | null;
}

export function readSnapshot(path: string): FileSnapshot {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { bytes: null, mode: null };
    throw err;
  }
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  if (st.size > MAX_CONFIG_BYTES) throw new Error(`${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
  return { bytes: readFileSync(path), mode: st.mode & 0o777 };
}

/** The path a write should replace: the target of a symlink, else the path itself. */
function writeTarget(path: string): string {
  try {
    if (lstatSync(path).isSymbolicLink()) return realpathSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return path;
}

/**
 * Replaces the file at `path` with `bytes` in one rename: readers see the old file or the new
 * one, never half of either. The mode is the existing file's, else `mode` (0600 by default:
 * these files hold keys).
 */
export function writeAtomically(path: string, bytes: Buffer | string, mode?: number): void {
  const target = writeTarget(path);
  const existing = readSnapshot(target).mode;
  const finalMode = mode ?? existing ?? 0o600;
  const tmp = join(dirname(target), `.${basename(target)}.quotadeck-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', finalMode);
  try {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    // The umask may have narrowed the mode given to open().
    chmodSync(tmp, finalMode);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Creates the folders up to `dir`; returns the topmost folder it created (null: none). */
export function ensureDir(dir: string): string | null {
  return mkdirSync(dir, { recursive: true, mode: 0o700 }) ?? null;
}
