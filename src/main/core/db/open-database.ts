// Opens the one SQLite file: WAL, busy_timeout, foreign keys, then migrates by user_version.
// The file and its -wal/-shm companions are the user's alone (0600), like the rest of the data
// directory: the database is created 0600 before SQLite opens it (SQLite gives its WAL and SHM
// files the database's own mode), and files an older build left readable are tightened.
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MIGRATIONS, LATEST_VERSION, type Migration } from './migrations';

export type Db = Database.Database;

export class DatabaseVersionError extends Error {
  readonly code = 'db_version';
  constructor(found: number) {
    super(`Database schema version ${found} is newer than this build supports (${LATEST_VERSION}). Update QuotaDeck.`);
    this.name = 'DatabaseVersionError';
  }
}

export function migrate(db: Db, migrations: Migration[] = MIGRATIONS, target = LATEST_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) throw new DatabaseVersionError(current);
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

const PRIVATE = 0o600;

/** Sets 0600 on the database file and whichever of its companions exist. */
export function tightenDatabaseFiles(file: string): void {
  if (process.platform === 'win32') return;
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      chmodSync(f, PRIVATE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

export function openDatabase(file: string, opts: { targetVersion?: number } = {}): Db {
  // Created 0600 (never through the umask's 0644), and an existing one tightened.
  if (file !== ':memory:' && !existsSync(file)) closeSync(openSync(file, 'a', PRIVATE));
  if (file !== ':memory:') tightenDatabaseFiles(file);
  const db = new Database(file);
  try {
    // Refuse a newer database before any pragma: switching to WAL would rewrite its header.
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > LATEST_VERSION) throw new DatabaseVersionError(found);
    db.pragma('journal_mode = WAL');
    // The WAL and SHM files exist now; an older build's may have been left 0644.
    if (file !== ':memory:') tightenDatabaseFiles(file);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    // SQLite's own default page cache (2 MB). better-sqlite3 builds with 16 MB, which ends up
    // holding most of the file in the process (~10 MB at 1,000 accounts): each cycle touches a
    // few pages, and the OS page cache serves the rest.
    db.pragma('cache_size = -2000');
    migrate(db, MIGRATIONS, opts.targetVersion ?? LATEST_VERSION);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
