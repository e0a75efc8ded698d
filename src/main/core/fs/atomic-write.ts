// Writes a whole file so that a reader (or a crash) sees either the old file or the new one,
// never half of either: a temp file beside the target (created exclusively, with its mode set
// explicitly so the umask cannot loosen it), flushed, then renamed over the target — or, when
// the target must not be replaced, linked to it (link fails if the name exists meanwhile).
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

export interface AtomicWriteOptions {
  /** File mode of the result (set with fchmod, whatever the umask). */
  mode: number;
  /** Replace an existing file (rename); otherwise fail with EEXIST if the name is taken. */
  replace: boolean;
}

export function writeFileAtomically(path: string, data: string | Buffer, o: AtomicWriteOptions): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', o.mode);
  try {
    fchmodSync(fd, o.mode);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    if (o.replace) renameSync(tmp, path);
    else {
      linkSync(tmp, path);
      unlinkSync(tmp);
    }
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone.
    }
    throw err;
  }
}
