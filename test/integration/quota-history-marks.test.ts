// The repository's history rule on real SQLite (issue 11: the last row per account and model is
// kept as records of numbers, not objects): a row is written when the value moves (by 0.001 or
// more, or to/from unknown), the reset changes, or the last row is an hour old; the marks survive
// a restart (loaded from the table) and pruning.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/open-database';
import { QuotaRepository } from '../../src/main/core/quota/quota-repository';
import type { QuotaInfo } from '../../src/main/core/model';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;
const dirs: string[] = [];
const dbs: Db[] = [];

afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(file?: string): { db: Db; file: string } {
  const f = file ?? join(mkdtempSync(join(tmpdir(), 'qd-hist-')), 'q.db');
  if (!file) dirs.push(join(f, '..'));
  const db = openDatabase(f);
  dbs.push(db);
  return { db, file: f };
}

function addAccount(db: Db, id: string): void {
  db.prepare("INSERT INTO accounts (id, provider, identity, label, secret, created_at, updated_at) VALUES (?, 'antigravity', ?, ?, x'00', 0, 0)").run(id, id, id);
}

const reading = (accountId: string, model: string, fraction: number | null, resetAt: number | null, at: number): QuotaInfo => ({
  accountId, model, displayName: null, remainingFraction: fraction, resetAt, fetchedAt: at, source: 'poll', window: null, limit: null, remaining: null,
});

/** The rule, on the rows written so far (the reference). */
function expectedMoved(last: { fraction: number | null; resetAt: number | null; at: number } | undefined, r: QuotaInfo): boolean {
  return (
    !last ||
    last.resetAt !== r.resetAt ||
    (last.fraction === null) !== (r.remainingFraction === null) ||
    Math.abs((last.fraction ?? 0) - (r.remainingFraction ?? 0)) >= 0.001 ||
    r.fetchedAt - last.at >= 60 * MIN
  );
}

describe('quota history marks', () => {
  it('writes a history row exactly when the rule says, across models, accounts, a restart and pruning', () => {
    const { db, file } = open();
    const accounts = ['a1', 'a2', 'a3'];
    for (const a of accounts) addAccount(db, a);
    let repo = new QuotaRepository(db);
    const last = new Map<string, { fraction: number | null; resetAt: number | null; at: number }>();
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let at = T0;
    let expectedRows = 0;
    for (let cycle = 0; cycle < 300; cycle++) {
      at += Math.floor(1 + rand() * 20) * MIN;
      const readings: QuotaInfo[] = [];
      const rowsBefore = expectedRows;
      for (const a of accounts) {
        for (const m of ['m0', 'm1', 'm2', '*']) {
          if (rand() < 0.1) continue; // not every model every time
          const r = rand();
          const k = `${a}\u0000${m}`;
          const prev = last.get(k);
          const fraction = r < 0.1 ? null : r < 0.5 && prev ? prev.fraction : Math.round(rand() * 1000) / 1000 + (rand() < 0.2 ? 0.0004 : 0);
          const resetAt = rand() < 0.05 ? null : rand() < 0.9 && prev ? prev.resetAt : T0 + Math.floor(rand() * 48) * 3_600_000;
          const info = reading(a, m, fraction, resetAt, at);
          readings.push(info);
          if (expectedMoved(prev, info)) {
            expectedRows++;
            last.set(k, { fraction, resetAt, at });
          }
        }
      }
      expect(repo.writeReadings(readings)).toBe(expectedRows - rowsBefore);
      if (cycle === 150) {
        // A restart: the marks come back from the table.
        db.close();
        dbs.pop();
        repo = new QuotaRepository(open(file).db);
      }
      if (cycle === 200) {
        // Pruning drops the marks older than the cut (their next reading writes a row).
        const cut = at - 6 * 3_600_000;
        const dbNow = dbs[dbs.length - 1]!;
        const pruned = (dbNow.prepare('SELECT COUNT(*) AS n FROM quota_snapshots WHERE fetched_at < ?').get(cut) as { n: number }).n;
        expect(repo.pruneHistory(cut)).toBe(pruned);
        expectedRows -= pruned;
        for (const [k, v] of last) if (v.at < cut) last.delete(k);
      }
    }
    const dbNow = dbs[dbs.length - 1]!;
    expect((dbNow.prepare('SELECT COUNT(*) AS n FROM quota_snapshots').get() as { n: number }).n).toBe(expectedRows);
    // The rows are the marks: the latest row of each account and model is what the rule kept last.
    const latest = dbNow.prepare('SELECT account_id, model, remaining_fraction AS fraction, reset_at AS resetAt, MAX(fetched_at) AS at FROM quota_snapshots GROUP BY account_id, model').all() as Array<{ account_id: string; model: string; fraction: number | null; resetAt: number | null; at: number }>;
    expect(new Map(latest.map((r) => [`${r.account_id}\u0000${r.model}`, { fraction: r.fraction, resetAt: r.resetAt, at: r.at }]))).toEqual(last);
  });
});

describe('quota_latest after repeated polls', () => {
  it('holds each model\'s last reading and its own time, when a poll repeats the values with two fetch times (models, then windows a moment later)', () => {
    const { db } = open();
    addAccount(db, 'a1');
    const repo = new QuotaRepository(db);
    const poll = (t: number, fraction: number): QuotaInfo[] => [
      reading('a1', 'm0', fraction, T0 + 5 * 3_600_000, t),
      reading('a1', 'm1', null, null, t),
      reading('a1', '*gemini*', fraction / 2, T0 + 5 * 3_600_000, t + 700),
    ];
    const rows = () => db.prepare('SELECT model, remaining_fraction AS f, reset_at AS r, fetched_at AS at FROM quota_latest ORDER BY model').all();
    const expected = (p: QuotaInfo[]) => p.map((i) => ({ model: i.model, f: i.remainingFraction, r: i.resetAt, at: i.fetchedAt })).sort((x, y) => (x.model < y.model ? -1 : 1));
    let t = T0;
    for (const fraction of [0.5, 0.5, 0.5, 0.4, 0.4]) {
      t += 5 * MIN;
      const p = poll(t, fraction);
      repo.writeReadings(p, [{ accountId: 'a1', fetchedAt: t }]);
      expect(rows()).toEqual(expected(p));
    }
    // A complete reading without a model drops its row.
    t += 5 * MIN;
    const fewer = poll(t, 0.4).filter((i) => i.model !== 'm1');
    repo.writeReadings(fewer, [{ accountId: 'a1', fetchedAt: t }]);
    expect(rows()).toEqual(expected(fewer));
  });
});
