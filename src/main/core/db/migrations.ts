// Schema history. Each migration runs in its own transaction and bumps user_version;
// a database from a newer version than this build knows is refused, never touched.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'accounts and settings',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        identity TEXT NOT NULL,
        email TEXT,
        label TEXT NOT NULL,
        tier TEXT NOT NULL DEFAULT 'free' CHECK (tier IN ('free','pro','ultra')),
        tier_label TEXT,
        status TEXT NOT NULL DEFAULT 'active'
          CHECK (status IN ('active','disabled','invalid_credentials','suspended')),
        status_reason TEXT,
        project_id TEXT,
        secret BLOB NOT NULL,
        secret_hint TEXT NOT NULL DEFAULT '',
        reserve REAL CHECK (reserve IS NULL OR (reserve >= 0 AND reserve <= 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (provider, identity)
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'quota history, latest values, locks, model preferences, sync runs',
    sql: `
      CREATE TABLE account_model_prefs (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        reserve REAL CHECK (reserve IS NULL OR (reserve >= 0 AND reserve <= 1)),
        excluded INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, model)
      );
      CREATE TABLE quota_latest (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        display_name TEXT,
        remaining_fraction REAL,
        reset_at INTEGER,
        fetched_at INTEGER NOT NULL,
        source TEXT NOT NULL,
        window TEXT,
        limit_value REAL,
        remaining_value REAL,
        PRIMARY KEY (account_id, model)
      );
      CREATE TABLE quota_snapshots (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        remaining_fraction REAL,
        reset_at INTEGER,
        fetched_at INTEGER NOT NULL,
        source TEXT NOT NULL
      );
      CREATE INDEX quota_snapshots_account_model ON quota_snapshots (account_id, model, fetched_at);
      CREATE INDEX quota_snapshots_fetched ON quota_snapshots (fetched_at);
      CREATE TABLE quota_locks (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        locked_until INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, model)
      );
      CREATE TABLE account_sync_state (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        last_success_at INTEGER,
        last_attempt_at INTEGER,
        last_error_code TEXT,
        last_error_message TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER
      );
      CREATE TABLE sync_runs (
        id INTEGER PRIMARY KEY,
        trigger TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        accounts INTEGER NOT NULL,
        successes INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        aborted INTEGER NOT NULL,
        results TEXT NOT NULL
      );
      CREATE INDEX sync_runs_started ON sync_runs (started_at);
    `,
  },
  {
    version: 3,
    name: 'per-account base URL, served models and details (every provider)',
    sql: `
      ALTER TABLE accounts ADD COLUMN base_url TEXT;
      ALTER TABLE accounts ADD COLUMN models TEXT;
      ALTER TABLE accounts ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
