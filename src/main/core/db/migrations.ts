// Schema history. Each migration runs in its own transaction and bumps user_version;
// a database from a newer version than this build knows is refused, never touched.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The ledger's partial indexes as version 9 made them (version 10 recreates them after its
 * rebuild). Frozen: a later change to the indexes is a migration of its own.
 */
const LEDGER_INDEXES_V9 = `CREATE INDEX usage_ledger_started ON usage_ledger (started_at) WHERE status <> 'pending';
      CREATE INDEX usage_ledger_account_started ON usage_ledger (account_id, started_at) WHERE status <> 'pending';
      CREATE INDEX usage_ledger_model ON usage_ledger (model, started_at) WHERE status <> 'pending';
      CREATE INDEX usage_ledger_status ON usage_ledger (status, started_at) WHERE status IN ('failed', 'rejected');
      CREATE INDEX usage_ledger_pending ON usage_ledger (started_at) WHERE status = 'pending';`;

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
  {
    version: 4,
    name: 'usage ledger, daily rollups, local limits, pricing',
    // The ledger and rollups carry no foreign key: they are history and outlive a removed
    // account. A rejected request with no account has account_id NULL in the ledger and ''
    // in the rollups (part of their key). Times are epoch ms; days are UTC 'YYYY-MM-DD'.
    sql: `
      CREATE TABLE usage_ledger (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        account_id TEXT,
        provider TEXT,
        model TEXT NOT NULL,
        client TEXT,
        route TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','completed','failed','rejected')),
        http_status INTEGER,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost REAL,
        error TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX usage_ledger_started ON usage_ledger (started_at);
      CREATE INDEX usage_ledger_account_started ON usage_ledger (account_id, started_at);
      CREATE INDEX usage_ledger_status ON usage_ledger (status, started_at);
      CREATE INDEX usage_ledger_model ON usage_ledger (model, started_at);
      CREATE TABLE usage_daily (
        day TEXT NOT NULL,
        account_id TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0,
        completed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (day, account_id, model)
      ) WITHOUT ROWID;
      CREATE INDEX usage_daily_account_day ON usage_daily (account_id, day);
      CREATE TABLE usage_limits (
        scope TEXT PRIMARY KEY,
        requests_per_hour INTEGER CHECK (requests_per_hour IS NULL OR requests_per_hour > 0),
        requests_per_day INTEGER CHECK (requests_per_day IS NULL OR requests_per_day > 0),
        input_tokens_per_month INTEGER CHECK (input_tokens_per_month IS NULL OR input_tokens_per_month > 0),
        output_tokens_per_month INTEGER CHECK (output_tokens_per_month IS NULL OR output_tokens_per_month > 0),
        cost_per_month REAL CHECK (cost_per_month IS NULL OR cost_per_month > 0),
        updated_at INTEGER NOT NULL
      );
      CREATE TRIGGER usage_limits_account_removed AFTER DELETE ON accounts
      BEGIN
        DELETE FROM usage_limits WHERE scope = OLD.id;
      END;
      CREATE TABLE pricing (
        pattern TEXT PRIMARY KEY,
        input_per_mtok REAL NOT NULL CHECK (input_per_mtok >= 0),
        output_per_mtok REAL NOT NULL CHECK (output_per_mtok >= 0),
        is_default INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'usage ledger: the model the client requested beside the model served',
    // NULL on rows written before (and by callers that do not say): the requested model was `model`.
    sql: `
      ALTER TABLE usage_ledger ADD COLUMN requested_model TEXT;
    `,
  },
  {
    version: 6,
    name: 'quota locks: kind (quota or cooldown) and the bucket reset known when locked',
    // Locks written before were all "429" locks (a 5xx cooldown among them, indistinguishable).
    sql: `
      ALTER TABLE quota_locks ADD COLUMN kind TEXT NOT NULL DEFAULT 'quota' CHECK (kind IN ('quota','cooldown'));
      ALTER TABLE quota_locks ADD COLUMN bucket_reset_at INTEGER;
    `,
  },
  {
    version: 7,
    name: 'usage ledger: partial attempts (a stream cut midway, its consumed tokens costed)',
    sql: `
      ALTER TABLE usage_ledger ADD COLUMN partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1));
    `,
  },
  {
    version: 8,
    name: 'forecast alerts: the period already notified per account+model (a restart does not notify again)',
    sql: `
      CREATE TABLE forecast_alerts (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        reset_at INTEGER,
        alerted_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, model)
      );
    `,
  },
  {
    version: 9,
    name: 'usage ledger: partial indexes (a pending row enters the read indexes once it ends)',
    // A row is written pending before its dispatch and ended after. Readers that look at ended
    // rows (the log, analytics, retention) use indexes that leave pending rows out, so a begin's
    // commit writes the table and one small index only, and the scattered per-account and
    // per-model leaves are written once per row, by the batch that ends it. Readers of pending
    // rows (the hour limit, the log's newest page, the interrupted sweep at start) use
    // usage_ledger_pending. The status index only serves the rare statuses a filter asks for.
    sql: `
      DROP INDEX usage_ledger_started;
      DROP INDEX usage_ledger_account_started;
      DROP INDEX usage_ledger_status;
      DROP INDEX usage_ledger_model;
      ${LEDGER_INDEXES_V9}
    `,
  },
  {
    version: 10,
    name: "usage ledger: the status CHECK as equalities (an IN list of strings builds a lookup table for every row written)",
    // SQLite evaluates `status IN ('pending', …)` in a CHECK by building an ephemeral table each
    // time a row is inserted or its status updated: ~1.1–1.6 µs, twice per proxied request. The same
    // rule written as equalities costs nothing measurable. A CHECK cannot be altered in place, so
    // the table is rebuilt (same columns, ids and rows) and its indexes recreated as in version 9.
    sql: `
      CREATE TABLE usage_ledger_v10 (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        account_id TEXT,
        provider TEXT,
        model TEXT NOT NULL,
        client TEXT,
        route TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status = 'pending' OR status = 'completed' OR status = 'failed' OR status = 'rejected'),
        http_status INTEGER,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost REAL,
        error TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        requested_model TEXT,
        partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1))
      );
      INSERT INTO usage_ledger_v10 (id, request_id, attempt, account_id, provider, model, client, route, status, http_status, input_tokens, output_tokens, cost, error, started_at, ended_at, requested_model, partial)
        SELECT id, request_id, attempt, account_id, provider, model, client, route, status, http_status, input_tokens, output_tokens, cost, error, started_at, ended_at, requested_model, partial
        FROM usage_ledger;
      DROP TABLE usage_ledger;
      ALTER TABLE usage_ledger_v10 RENAME TO usage_ledger;
      ${LEDGER_INDEXES_V9}
    `,
  },
  {
    version: 11,
    name: 'usage rollups: a request counts once its row ends (rows still pending leave the rollups)',
    // Until now `requests` was counted when a row was begun; from here on it is counted with the
    // row's end (the interrupted sweep at start counts what a crash left pending). Rows pending
    // now (left by a crash) were counted at begin: they leave the rollups, so the sweep counts
    // each of them once.
    sql: `
      UPDATE usage_daily SET requests = requests - (
        SELECT COUNT(*) FROM usage_ledger l
        WHERE l.status = 'pending' AND COALESCE(l.account_id, '') = usage_daily.account_id AND l.model = usage_daily.model
          AND strftime('%Y-%m-%d', l.started_at / 1000, 'unixepoch') = usage_daily.day
      )
      WHERE (day, account_id, model) IN (
        SELECT strftime('%Y-%m-%d', started_at / 1000, 'unixepoch'), COALESCE(account_id, ''), model FROM usage_ledger WHERE status = 'pending'
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
