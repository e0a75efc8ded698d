// What a client's config files held before QuotaDeck first changed them, kept in the data
// directory (client-backups/<client id>/): a byte-for-byte copy of each file that existed and a
// manifest naming every file, whether it existed, its mode, and the folder QuotaDeck had to
// create. Each file is kept once, before QuotaDeck first changes it; later changes keep that
// first original, so a restore always goes back to the user's own file. Removed after a restore.
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ClientId } from '../../../shared/client-setup';
import { ensureDir, readSnapshot, writeAtomically, type FileSnapshot } from './config-file-io';

const manifestSchema = z.object({
  version: z.literal(1),
  takenAt: z.string(),
  files: z.array(
    z.object({
      path: z.string(),
      existed: z.boolean(),
      mode: z.number().int().nullable(),
      /** File name of the copy inside the backup folder (when it existed). */
      copy: z.string().nullable(),
      /** The topmost folder QuotaDeck created for this file (removed on restore when empty). */
      createdDir: z.string().nullable(),
    }),
  ),
});
export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupEntry = BackupManifest['files'][number];

export class ClientBackups {
  constructor(private readonly root: string) {}

  dir(id: ClientId): string {
    return join(this.root, id);
  }

  private manifestPath(id: ClientId): string {
    return join(this.dir(id), 'manifest.json');
  }

  /** The manifest, or null when no backup is held (a damaged one counts as none held). */
  get(id: ClientId): BackupManifest | null {
    const path = this.manifestPath(id);
    if (!existsSync(path)) return null;
    const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`The backup manifest ${path} is damaged; QuotaDeck will not restore from it.`);
    return parsed.data;
  }

  /** The path of the copy of `file`, when one is held. */
  copyPath(id: ClientId, entry: BackupEntry): string | null {
    return entry.copy ? join(this.dir(id), entry.copy) : null;
  }

  /**
   * Keeps the current content of each of `files` that has no copy yet: the first time QuotaDeck
   * changes a file, what it held is the user's original. Files already kept are left alone, so
   * later changes never replace the original. Copies are written before the manifest names them.
   */
  keepOriginals(id: ClientId, files: Array<{ path: string; snapshot: FileSnapshot; createdDir: string | null }>, now: Date): BackupManifest {
    const manifest: BackupManifest = this.get(id) ?? { version: 1, takenAt: now.toISOString(), files: [] };
    const fresh = files.filter((f) => !manifest.files.some((e) => e.path === f.path));
    if (fresh.length === 0) return manifest;
    const dir = this.dir(id);
    ensureDir(dir);
    for (const f of fresh) {
      const copy = f.snapshot.bytes ? `${manifest.files.length}-${f.path.split(/[\\/]/).pop()}` : null;
      if (copy) writeAtomically(join(dir, copy), f.snapshot.bytes!, 0o600);
      manifest.files.push({ path: f.path, existed: f.snapshot.bytes !== null, mode: f.snapshot.mode, copy, createdDir: f.createdDir });
    }
    writeAtomically(this.manifestPath(id), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
    return manifest;
  }

  /** What restoring an entry writes: the original bytes, or null (the file is removed). */
  original(id: ClientId, entry: BackupEntry): Buffer | null {
    if (!entry.existed) return null;
    const copy = this.copyPath(id, entry);
    const snap = copy ? readSnapshot(copy) : { bytes: null };
    if (!snap.bytes) throw new Error(`The backup copy of ${entry.path} is missing; QuotaDeck will not restore from it.`);
    return snap.bytes;
  }

  drop(id: ClientId): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}

/** Removes `dir` and its parents up to `top` while they are empty (folders QuotaDeck created). */
export function removeEmptyDirs(dir: string, top: string): void {
  let cur = dir;
  for (;;) {
    try {
      if (readdirSync(cur).length > 0) return;
      rmdirSync(cur);
    } catch {
      return;
    }
    if (cur === top || !cur.startsWith(top)) return;
    cur = join(cur, '..');
  }
}
