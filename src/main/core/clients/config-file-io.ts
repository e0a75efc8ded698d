// Reading and writing other tools' config files: atomic replacement (temp file in the same
// folder + rename) that keeps the file's mode, writes through a symlink to its target (dotfile
// managers link these files), and creates missing folders only when asked.
import { lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { writeFileAtomically } from '../fs/atomic-write';

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
 * Replaces the file at `path` with `bytes` in one rename (fs/atomic-write): readers see the old
 * file or the new one, never half of either. The mode is the existing file's, else `mode`
 * (0600 by default: these files hold keys).
 */
export function writeAtomically(path: string, bytes: Buffer | string, mode?: number): void {
  const target = writeTarget(path);
  writeFileAtomically(target, bytes, { mode: mode ?? readSnapshot(target).mode ?? 0o600, replace: true });
}

/** Creates the folders up to `dir`; returns the topmost folder it created (null: none). */
export function ensureDir(dir: string): string | null {
  return mkdirSync(dir, { recursive: true, mode: 0o700 }) ?? null;
}
