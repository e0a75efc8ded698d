import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, type Migration } from '../../src/main/core/db/migrations';
import { DatabaseVersionError, migrate, openDatabase, type Db } from '../../src/main/core/db/open-database';
import { createAesSecretBox } from '../../src/main/core/secrets/key-file-secret-box';
import type { AccountView } from '../../src/shared/types';
import { call, makeHarness, tempDir } from '../helpers/harness';

let dir: string;
let cleanup: () => void;
let file: string;
const open: Db[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir('quotadeck-db-'));
  file = join(dir, 'quotadeck.db');
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  cleanup();
});

function track(db: Db): Db {
  open.push(db);
  return db;
}

const userVersion = (db: Db) => db.pragma('user_version', { simple: true }) as number;
const tables = (db: Db) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
const count = (db: Db, table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const T = Date.parse('2026-11-23T10:00:00Z');
const KEY = randomBytes(32);
const box = createAesSecretBox(KEY);

/** Representative rows for the tables each version introduces (and checks that they survived). */
const ROWS: Record<number, { insert(db: Db): void; check(db: Db): void }> = {
  1: {
    insert(db) {
      db.prepare(
        `INSERT INTO accounts (id, provider, identity, email, label, tier, tier_label, status, status_reason, project_id, secret, secret_hint, reserve, created_at, updated_at)
         VALUES ('acc-1', 'antigravity', 'old@example.com', 'old@example.com', 'Old account', 'pro', 'g1-pro-tier', 'suspended', 'verify', 'proj-7', ?, '1//0…abcd', 0.2, ?, ?)`,
      ).run(box.encrypt(JSON.stringify({ refreshToken: '1//0-old-refresh-token-abcd' })), T, T + 1);
      db.prepare("INSERT INTO settings (key, value) VALUES ('syncIntervalSec', '120')").run();
    },
    check(db) {
      expect(db.prepare('SELECT id, identity, label, tier, tier_label, status, status_reason, project_id, secret_hint, reserve, created_at, updated_at FROM accounts').all()).toEqual([
        {
          id: 'acc-1',
          identity: 'old@example.com',
          label: 'Old account',
          tier: 'pro',
          tier_label: 'g1-pro-tier',
          status: 'suspended',
          status_reason: 'verify',
          project_id: 'proj-7',
          secret_hint: '1//0…abcd',
          reserve: 0.2,
          created_at: T,
          updated_at: T + 1,
        },
      ]);
      const { secret } = db.prepare('SELECT secret FROM accounts').get() as { secret: Buffer };
      expect(JSON.parse(box.decrypt(secret))).toEqual({ refreshToken: '1//0-old-refresh-token-abcd' });
      expect(db.prepare('SELECT key, value FROM settings').all()).toEqual([{ key: 'syncIntervalSec', value: '120' }]);
    },
  },
  2: {
    insert(db) {
      db.prepare("INSERT INTO account_model_prefs (account_id, model, reserve, excluded) VALUES ('acc-1', 'gemini-3-pro-high', 0.3, 1)").run();
      db.prepare(
        `INSERT INTO quota_latest (account_id, model, display_name, remaining_fraction, reset_at, fetched_at, source, window, limit_value, remaining_value)
         VALUES ('acc-1', 'gemini-3-pro-high', 'Gemini 3 Pro', 0.4, ?, ?, 'poll', '5h', 100, 40)`,
      ).run(T + 3_600_000, T);
      db.prepare("INSERT INTO quota_snapshots (account_id, model, remaining_fraction, reset_at, fetched_at, source) VALUES ('acc-1', 'gemini-3-pro-high', 0.4, NULL, ?, 'poll')").run(T);
      db.prepare("INSERT INTO quota_locks (account_id, model, locked_until, reason, created_at) VALUES ('acc-1', 'gemini-3-pro-high', ?, '429 reported', ?)").run(T + 600_000, T);
      db.prepare("INSERT INTO account_sync_state (account_id, last_success_at, consecutive_failures) VALUES ('acc-1', ?, 2)").run(T);
      db.prepare("INSERT INTO sync_runs (trigger, started_at, finished_at, duration_ms, accounts, successes, errors, skipped, aborted, results) VALUES ('manual', ?, ?, 5, 1, 1, 0, 0, 0, '[]')").run(T, T + 5);
    },
    check(db) {
      expect(db.prepare('SELECT * FROM account_model_prefs').all()).toEqual([{ account_id: 'acc-1', model: 'gemini-3-pro-high', reserve: 0.3, excluded: 1 }]);
      expect(db.prepare('SELECT remaining_fraction, window, limit_value, remaining_value FROM quota_latest').all()).toEqual([
        { remaining_fraction: 0.4, window: '5h', limit_value: 100, remaining_value: 40 },
      ]);
      for (const t of ['quota_snapshots', 'account_sync_state', 'sync_runs']) expect(count(db, t), t).toBe(1);
      // Version 6's rows add a lock of their own; this version's is the one on gemini-3-pro-high.
      expect(db.prepare("SELECT COUNT(*) FROM quota_locks WHERE model = 'gemini-3-pro-high'").pluck().get()).toBe(1);
    },
  },
  3: {
    insert(db) {
      db.prepare(`UPDATE accounts SET base_url = 'https://proxy.example/v1', models = '["gemini-*"]', details = '{"plan":"pro"}' WHERE id = 'acc-1'`).run();
    },
    check(db) {
      expect(db.prepare('SELECT base_url, models, details FROM accounts').all()).toEqual([
        { base_url: 'https://proxy.example/v1', models: '["gemini-*"]', details: '{"plan":"pro"}' },
      ]);
    },
  },
  4: {
    insert(db) {
      db.prepare(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, client, route, status, http_status, input_tokens, output_tokens, cost, error, started_at, ended_at)
         VALUES ('req-1', 1, 'acc-1', 'antigravity', 'gemini-3-pro-high', 'claude-cli/2.0', 'anthropic.messages', 'completed', 200, 1000, 500, 0.008, NULL, ?, ?)`,
      ).run(T, T + 1200);
      db.prepare(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, client, route, status, http_status, error, started_at, ended_at)
         VALUES ('req-2', 0, NULL, NULL, 'gemini-3-pro-high', NULL, 'openai.chat', 'rejected', 429, 'global limit requests_per_day reached (5/5)', ?, ?)`,
      ).run(T + 5, T + 5);
      db.prepare(
        `INSERT INTO usage_daily (day, account_id, model, requests, completed, failed, rejected, input_tokens, output_tokens, cost)
         VALUES ('2026-11-23', 'acc-1', 'gemini-3-pro-high', 1, 1, 0, 0, 1000, 500, 0.008), ('2026-11-23', '', 'gemini-3-pro-high', 0, 0, 0, 1, 0, 0, 0)`,
      ).run();
      db.prepare("INSERT INTO usage_limits (scope, requests_per_day, cost_per_month, updated_at) VALUES ('global', 5, 12.5, ?), ('acc-1', NULL, NULL, ?)").run(T, T);
      db.prepare("UPDATE usage_limits SET requests_per_hour = 30 WHERE scope = 'acc-1'").run();
      db.prepare("INSERT INTO pricing (pattern, input_per_mtok, output_per_mtok, is_default, updated_at) VALUES ('my-model-*', 1.5, 6, 0, ?)").run(T);
    },
    check(db) {
      expect(db.prepare("SELECT request_id, account_id, status, input_tokens, output_tokens, cost, started_at, ended_at FROM usage_ledger WHERE request_id IN ('req-1', 'req-2') ORDER BY id").all()).toEqual([
        { request_id: 'req-1', account_id: 'acc-1', status: 'completed', input_tokens: 1000, output_tokens: 500, cost: 0.008, started_at: T, ended_at: T + 1200 },
        { request_id: 'req-2', account_id: null, status: 'rejected', input_tokens: null, output_tokens: null, cost: null, started_at: T + 5, ended_at: T + 5 },
      ]);
      expect(db.prepare("SELECT account_id, requests, completed, rejected, input_tokens, output_tokens, cost FROM usage_daily WHERE model = 'gemini-3-pro-high' ORDER BY account_id").all()).toEqual([
        { account_id: '', requests: 0, completed: 0, rejected: 1, input_tokens: 0, output_tokens: 0, cost: 0 },
        { account_id: 'acc-1', requests: 1, completed: 1, rejected: 0, input_tokens: 1000, output_tokens: 500, cost: 0.008 },
      ]);
      expect(db.prepare('SELECT scope, requests_per_hour, requests_per_day, cost_per_month FROM usage_limits ORDER BY scope').all()).toEqual([
        { scope: 'acc-1', requests_per_hour: 30, requests_per_day: null, cost_per_month: null },
        { scope: 'global', requests_per_hour: null, requests_per_day: 5, cost_per_month: 12.5 },
      ]);
      expect(db.prepare("SELECT input_per_mtok, output_per_mtok, is_default FROM pricing WHERE pattern = 'my-model-*'").get()).toEqual({ input_per_mtok: 1.5, output_per_mtok: 6, is_default: 0 });
      expect(() => db.prepare("INSERT INTO usage_ledger (request_id, attempt, model, route, status, started_at) VALUES ('x', 1, 'm', 'r', 'lost', 1)").run()).toThrow(/CHECK/);
      expect(() => db.prepare("INSERT INTO usage_limits (scope, requests_per_day, updated_at) VALUES ('zero', 0, 1)").run()).toThrow(/CHECK/);
    },
  },
  5: {
    insert(db) {
      db.prepare(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, requested_model, client, route, status, started_at)
         VALUES ('req-5', 1, 'acc-1', 'antigravity', 'claude-sonnet-4-5', 'claude-opus-4-5', NULL, 'anthropic.messages', 'pending', ?)`,
      ).run(T + 10);
    },
    check(db) {
      // Rows from before the column say nothing about a requested model; the new one keeps both.
      expect(db.prepare("SELECT request_id, model, requested_model FROM usage_ledger WHERE request_id IN ('req-1', 'req-2', 'req-5') ORDER BY id").all()).toEqual([
        { request_id: 'req-1', model: 'gemini-3-pro-high', requested_model: null },
        { request_id: 'req-2', model: 'gemini-3-pro-high', requested_model: null },
        { request_id: 'req-5', model: 'claude-sonnet-4-5', requested_model: 'claude-opus-4-5' },
      ]);
    },
  },
  6: {
    insert(db) {
      db.prepare(
        "INSERT INTO quota_locks (account_id, model, kind, locked_until, reason, created_at, bucket_reset_at) VALUES ('acc-1', 'claude-sonnet-4-5', 'cooldown', ?, 'unavailable', ?, NULL)",
      ).run(T + 15_000, T);
    },
    check(db) {
      // Locks from before the kinds were all 429 locks: they read as quota locks with no known reset.
      expect(db.prepare('SELECT model, kind, reason, bucket_reset_at FROM quota_locks ORDER BY model').all()).toEqual([
        { model: 'claude-sonnet-4-5', kind: 'cooldown', reason: 'unavailable', bucket_reset_at: null },
        { model: 'gemini-3-pro-high', kind: 'quota', reason: '429 reported', bucket_reset_at: null },
      ]);
      expect(() => db.prepare("INSERT INTO quota_locks (account_id, model, kind, locked_until, reason, created_at) VALUES ('acc-1', 'm', 'other', 1, 'r', 1)").run()).toThrow(/CHECK/);
    },
  },
  7: {
    insert(db) {
      db.prepare(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, client, route, status, http_status, input_tokens, output_tokens, cost, error, started_at, ended_at, partial)
         VALUES ('req-7', 1, 'acc-1', 'anthropic', 'claude-sonnet-4-5', NULL, 'anthropic.messages', 'failed', 200, 8, 3, 0.0001, 'upstream stream interrupted', ?, ?, 1)`,
      ).run(T + 20, T + 30);
    },
    check(db) {
      // Rows from before the column were never partial; a cut stream's row says so.
      const rows = db.prepare('SELECT request_id, partial FROM usage_ledger ORDER BY id').all() as Array<{ request_id: string; partial: number }>;
      expect(rows.filter((r) => r.request_id !== 'req-7').every((r) => r.partial === 0)).toBe(true);
      expect(rows.find((r) => r.request_id === 'req-7')).toEqual({ request_id: 'req-7', partial: 1 });
      expect(() => db.prepare("INSERT INTO usage_ledger (request_id, attempt, model, route, status, started_at, partial) VALUES ('x', 1, 'm', 'r', 'failed', 1, 2)").run()).toThrow(/CHECK/);
    },
  },
  8: {
    insert(db) {
      db.prepare("INSERT INTO forecast_alerts (account_id, model, reset_at, alerted_at) VALUES ('acc-1', 'gemini-3-pro-high', ?, ?)").run(T + 3_600_000, T);
    },
    check(db) {
      expect(db.prepare('SELECT account_id, model, reset_at, alerted_at FROM forecast_alerts').all()).toEqual([{ account_id: 'acc-1', model: 'gemini-3-pro-high', reset_at: T + 3_600_000, alerted_at: T }]);
      // One row per account+model.
      expect(() => db.prepare("INSERT INTO forecast_alerts (account_id, model, reset_at, alerted_at) VALUES ('acc-1', 'gemini-3-pro-high', NULL, 1)").run()).toThrow(/UNIQUE|PRIMARY/);
    },
  },
  9: {
    insert(db) {
      db.prepare(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, client, route, status, started_at)
         VALUES ('req-9', 1, 'acc-1', 'openai', 'gpt-5', NULL, 'openai.chat', 'pending', ?)`,
      ).run(T + 40);
    },
    check(db) {
      // Each reader's query uses the partial index meant for it, and finds what a full scan finds.
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      const same = (indexed: string, scanned: string) =>
        expect(db.prepare(indexed).all()).toEqual(db.prepare(scanned).all());
      const ended = "SELECT id FROM usage_ledger WHERE started_at > 0 AND status <> 'pending' ORDER BY started_at DESC, id DESC";
      expect(plan(ended)).toMatch(/usage_ledger_started/);
      same(ended, "SELECT id FROM usage_ledger WHERE started_at > 0 AND +status <> 'pending' ORDER BY started_at DESC, id DESC");
      const byAccount = "SELECT id FROM usage_ledger WHERE account_id = 'acc-1' AND status <> 'pending' ORDER BY started_at DESC, id DESC";
      expect(plan(byAccount)).toMatch(/usage_ledger_account_started/);
      same(byAccount, "SELECT id FROM usage_ledger WHERE +account_id = 'acc-1' AND +status <> 'pending' ORDER BY started_at DESC, id DESC");
      const byModel = "SELECT id FROM usage_ledger WHERE model = 'claude-sonnet-4-5' AND status <> 'pending' ORDER BY started_at DESC, id DESC";
      expect(plan(byModel)).toMatch(/usage_ledger_model/);
      const pending = "SELECT id FROM usage_ledger WHERE started_at > 0 AND status = 'pending'";
      expect(plan(pending)).toMatch(/usage_ledger_pending/);
      same(pending, "SELECT id FROM usage_ledger WHERE +started_at > 0 AND +status = 'pending'");
      expect(db.prepare("SELECT request_id FROM usage_ledger WHERE started_at > 0 AND status = 'pending'").pluck().all()).toContain('req-9');
      const failed = "SELECT id FROM usage_ledger WHERE status IN ('failed', 'rejected') AND status = 'failed' ORDER BY started_at DESC";
      expect(plan(failed)).toMatch(/usage_ledger_status/);
      same(failed, "SELECT id FROM usage_ledger WHERE +status = 'failed' ORDER BY started_at DESC");
      // The old full indexes are gone: a pending row is in exactly one index.
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_ledger' AND sql IS NOT NULL ORDER BY name").pluck().all();
      expect(names).toEqual(['usage_ledger_account_started', 'usage_ledger_model', 'usage_ledger_pending', 'usage_ledger_started', 'usage_ledger_status']);
    },
  },
  10: {
    insert(db) {
      db.prepare(
        `INSERT INTO usage_ledger (id, request_id, attempt, account_id, provider, model, requested_model, client, route, status, http_status, input_tokens, output_tokens, cost, error, started_at, ended_at, partial)
         VALUES (9000, 'req-10', 2, 'acc-2', 'openai', 'gpt-5-mini', 'gpt-5', 'codex/1.0', 'openai.responses', 'rejected', 429, NULL, NULL, NULL, 'limit reached', ?, ?, 0)`,
      ).run(T + 50, T + 51);
    },
    check(db) {
      // Rebuilt with every column, id and value (the earlier versions' rows are checked by theirs).
      expect(db.prepare("SELECT * FROM usage_ledger WHERE request_id = 'req-10'").get()).toEqual({
        id: 9000, request_id: 'req-10', attempt: 2, account_id: 'acc-2', provider: 'openai', model: 'gpt-5-mini', requested_model: 'gpt-5', client: 'codex/1.0',
        route: 'openai.responses', status: 'rejected', http_status: 429, input_tokens: null, output_tokens: null, cost: null, error: 'limit reached',
        started_at: T + 50, ended_at: T + 51, partial: 0,
      });
      // The rule is the same: any of the four statuses, nothing else, on insert and on update.
      const add = db.prepare("INSERT INTO usage_ledger (request_id, attempt, model, route, status, started_at) VALUES ('x', 1, 'm', 'r', ?, 1)");
      for (const status of ['pending', 'completed', 'failed', 'rejected']) expect(() => add.run(status)).not.toThrow();
      for (const status of ['done', 'PENDING', '', null]) expect(() => add.run(status)).toThrow(/CHECK|NOT NULL/);
      expect(() => db.prepare("UPDATE usage_ledger SET status = 'cancelled' WHERE request_id = 'req-10'").run()).toThrow(/CHECK/);
      expect(db.prepare("SELECT status FROM usage_ledger WHERE request_id = 'req-10'").pluck().get()).toBe('rejected');
      db.prepare("DELETE FROM usage_ledger WHERE request_id = 'x'").run();
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'usage_ledger'").pluck().get() as string;
      expect(sql).not.toMatch(/\bstatus IN \(/);
    },
  },
  11: {
    insert(db) {
      // Written the new way: a pending row is in no rollup yet.
      db.prepare(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, route, status, started_at) VALUES ('req-11', 1, 'acc-4', 'openai', 'gpt-5-nano', 'openai.chat', 'pending', ?)`,
      ).run(T + 70);
    },
    check(db) {
      expect(db.prepare("SELECT COUNT(*) FROM usage_daily WHERE account_id = 'acc-4'").pluck().get()).toBe(0);
      expect(db.prepare("SELECT status FROM usage_ledger WHERE request_id = 'req-11'").pluck().get()).toBe('pending');
    },
  },
};

describe('migrations', () => {
  it('every version has representative rows in this test', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    for (const m of MIGRATIONS) expect(ROWS[m.version], `rows for version ${m.version}`).toBeDefined();
  });

  it('brings an empty file to the latest version with WAL, foreign keys and busy_timeout', () => {
    const db = track(openDatabase(file));
    expect(userVersion(db)).toBe(LATEST_VERSION);
    expect(tables(db)).toEqual(
      [
        'account_model_prefs',
        'account_sync_state',
        'accounts',
        'quota_latest',
        'quota_locks',
        'quota_snapshots',
        'settings',
        'sync_runs',
        'usage_ledger',
        'usage_daily',
        'usage_limits',
        'pricing',
        'forecast_alerts',
      ].sort(),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(existsSync(`${file}-wal`)).toBe(true);
    db.close();
    // Reopening is a no-op: nothing runs twice.
    const again = track(openDatabase(file));
    expect(userVersion(again)).toBe(LATEST_VERSION);
    expect(migrate(again)).toBe(LATEST_VERSION);
  });

  it('enforces foreign keys: removing an account cascades to its rows', () => {
    const db = track(openDatabase(file));
    for (const v of [1, 2]) ROWS[v]!.insert(db);
    expect(() => db.prepare("INSERT INTO quota_latest (account_id, model, fetched_at, source) VALUES ('ghost', 'm', 1, 'poll')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM accounts WHERE id = 'acc-1'").run();
    for (const t of ['account_model_prefs', 'quota_latest', 'quota_snapshots', 'quota_locks', 'account_sync_state']) expect(count(db, t), t).toBe(0);
    expect(count(db, 'sync_runs')).toBe(1);
  });

  it("removing an account drops its usage limits but keeps its usage history", () => {
    const db = track(openDatabase(file));
    for (const v of [1, 4]) ROWS[v]!.insert(db);
    db.prepare("DELETE FROM accounts WHERE id = 'acc-1'").run();
    expect(db.prepare('SELECT scope FROM usage_limits').all()).toEqual([{ scope: 'global' }]);
    expect(count(db, 'usage_ledger')).toBe(2);
    expect(count(db, 'usage_daily')).toBe(2);
  });

  it('version 11 takes rows left pending out of the rollups they were counted in at begin; the next start counts each once', async () => {
    const old = track(openDatabase(file, { targetVersion: 10 }));
    const day = '2026-11-23';
    const add = old.prepare(`INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, route, status, started_at) VALUES (?, 1, ?, 'openai', ?, 'openai.chat', ?, ?)`);
    // acc-a gpt-5: 2 completed + 3 left pending by a crash (all 5 counted at begin), acc-b: 1 pending; a rejected row without account.
    for (let i = 0; i < 2; i++) add.run(`c${i}`, 'acc-a', 'gpt-5', 'completed', T + i);
    for (let i = 0; i < 3; i++) add.run(`p${i}`, 'acc-a', 'gpt-5', 'pending', T + 10 + i);
    add.run('pb', 'acc-b', 'gpt-5', 'pending', T + 20);
    add.run('r', null, 'gpt-5', 'rejected', T + 30);
    old.prepare(`INSERT INTO usage_daily (day, account_id, model, requests, completed, rejected) VALUES (?, 'acc-a', 'gpt-5', 5, 2, 0), (?, 'acc-b', 'gpt-5', 1, 0, 0), (?, '', 'gpt-5', 0, 0, 1), ('2026-11-22', 'acc-a', 'gpt-5', 7, 7, 0)`).run(day, day, day);
    old.close();
    const db = track(openDatabase(file));
    const rollups = () => db.prepare('SELECT day, account_id, requests, failed FROM usage_daily ORDER BY day, account_id').all();
    expect(rollups()).toEqual([
      { day: '2026-11-22', account_id: 'acc-a', requests: 7, failed: 0 },
      { day, account_id: '', requests: 0, failed: 0 },
      { day, account_id: 'acc-a', requests: 2, failed: 0 },
      { day, account_id: 'acc-b', requests: 0, failed: 0 },
    ]);
    db.close();
    // The app's start marks them interrupted and counts each once, as a failed request.
    const h = await makeHarness({ dir });
    try {
      expect(h.app.services.db.prepare('SELECT day, account_id, requests, failed FROM usage_daily ORDER BY day, account_id').all()).toEqual([
        { day: '2026-11-22', account_id: 'acc-a', requests: 7, failed: 0 },
        { day, account_id: '', requests: 0, failed: 0 },
        { day, account_id: 'acc-a', requests: 5, failed: 3 },
        { day, account_id: 'acc-b', requests: 1, failed: 1 },
      ]);
    } finally {
      await h.close();
    }
  });

  for (let v = 0; v < LATEST_VERSION; v++) {
    it(`upgrades a version ${v} database to the latest, keeping its data`, () => {
      const old = track(openDatabase(file, { targetVersion: v }));
      expect(userVersion(old)).toBe(v);
      for (let k = 1; k <= v; k++) ROWS[k]!.insert(old);
      const expectedTables = tables(old);
      old.close();

      const db = track(openDatabase(file));
      expect(userVersion(db)).toBe(LATEST_VERSION);
      expect(tables(db)).toEqual(expect.arrayContaining(expectedTables));
      for (let k = 1; k <= v; k++) ROWS[k]!.check(db);
      // What the new versions added works with the old data.
      for (let k = v + 1; k <= LATEST_VERSION; k++) {
        ROWS[k]!.insert(db);
        ROWS[k]!.check(db);
      }
    });
  }

  for (let v = 1; v < LATEST_VERSION; v++) {
    it(`the app reads an account written by version ${v}`, async () => {
      const old = track(openDatabase(file, { targetVersion: v }));
      for (let k = 1; k <= v; k++) ROWS[k]!.insert(old);
      old.close();
      const h = await makeHarness({ dir, key: KEY });
      try {
        const list = await call<AccountView[]>(h.app, 'accounts:list');
        expect(list).toHaveLength(1);
        expect(list[0]).toMatchObject({ id: 'acc-1', label: 'Old account', tier: 'pro', status: 'suspended', secretHint: '1//0…abcd' });
        expect(h.app.services.store.credentials('acc-1')).toEqual({ refreshToken: '1//0-old-refresh-token-abcd' });
        expect(userVersion(h.app.services.db)).toBe(LATEST_VERSION);
      } finally {
        await h.app.close();
      }
    });
  }

  it('refuses a database from a newer version and leaves it untouched', () => {
    // As a newer QuotaDeck would leave it: WAL, a higher user_version and a table we do not know.
    const newer = new Database(file);
    newer.pragma('journal_mode = WAL');
    newer.exec("CREATE TABLE future_things (x TEXT); INSERT INTO future_things VALUES ('kept');");
    newer.pragma(`user_version = ${LATEST_VERSION + 1}`);
    newer.close();
    const before = sha(file);

    let err: unknown;
    try {
      track(openDatabase(file));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatabaseVersionError);
    expect(err).toMatchObject({ code: 'db_version', name: 'DatabaseVersionError' });
    expect((err as Error).message).toContain(String(LATEST_VERSION + 1));

    expect(sha(file)).toBe(before);
    const check = track(new Database(file, { readonly: true }));
    expect(userVersion(check)).toBe(LATEST_VERSION + 1);
    expect(tables(check)).toEqual(['future_things']);
    expect(check.prepare('SELECT x FROM future_things').all()).toEqual([{ x: 'kept' }]);
  });

  it('migrate() itself refuses a newer database without running anything', () => {
    const db = track(new Database(file));
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    expect(() => migrate(db)).toThrow(DatabaseVersionError);
    expect(tables(db)).toEqual([]);
    expect(userVersion(db)).toBe(LATEST_VERSION + 5);
  });

  it('a failing migration rolls back, leaving user_version and the schema unchanged', () => {
    const db = track(openDatabase(file, { targetVersion: 1 }));
    ROWS[1]!.insert(db);
    const broken: Migration = {
      version: 2,
      name: 'broken',
      sql: `
        CREATE TABLE half_done (x INTEGER);
        INSERT INTO half_done VALUES (1);
        DELETE FROM settings;
        INSERT INTO no_such_table VALUES (1);
      `,
    };
    expect(() => migrate(db, [MIGRATIONS[0]!, broken])).toThrow(/no_such_table/);
    expect(userVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['accounts', 'settings']);
    ROWS[1]!.check(db);
    // A later good run still applies the real migration.
    expect(migrate(db)).toBe(LATEST_VERSION);
    ROWS[1]!.check(db);
  });

  it('migrations before a failing one stay applied, each in its own transaction', () => {
    const db = track(new Database(file));
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE t2 (x); SELECT * FROM nowhere;' };
    expect(() => migrate(db, [MIGRATIONS[0]!, broken])).toThrow();
    expect(userVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['accounts', 'settings']);
  });
});
