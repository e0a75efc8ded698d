// SQLite side of quota data: the latest reading per account+model (warm start, last known
// value with its age), a change-driven history with retention, and persisted 429 locks.
import type { QuotaSource } from '../../../shared/types';
import type { Db } from '../db/open-database';
import type { QuotaInfo, QuotaLock } from '../model';
import { ModelMap, ModelRecords } from './model-map';

interface LatestRow {
  account_id: string;
  model: string;
  display_name: string | null;
  remaining_fraction: number | null;
  reset_at: number | null;
  fetched_at: number;
  source: string;
  window: string | null;
  limit_value: number | null;
  remaining_value: number | null;
}

const toInfo = (r: LatestRow): QuotaInfo => ({
  accountId: r.account_id,
  model: r.model,
  displayName: r.display_name,
  remainingFraction: r.remaining_fraction,
  resetAt: r.reset_at,
  fetchedAt: r.fetched_at,
  source: r.source as QuotaSource,
  window: r.window,
  limit: r.limit_value,
  remaining: r.remaining_value,
});

const sameNumber = (x: number | null, y: number | null) => x === y || (x !== x && y !== y);

/** The last history row of a model, as a record of numbers: which of its values are null, then the values. */
const HIST_FLAGS = 0;
const HIST_FRACTION = 1;
const HIST_RESET = 2;
const HIST_AT = 3;
const HIST_WIDTH = 4;
const FRACTION_NULL = 1;
const RESET_NULL = 2;

/** A history row is written when the value moves or the last one is this old. */
const HISTORY_HEARTBEAT_MS = 60 * 60 * 1000;

export class QuotaRepository {
  private readonly stmt;
  /**
   * Per account, per model: the last history row written (no key strings per reading), as
   * records of numbers (HIST_*): one array per account, not an object and three boxed numbers per
   * model.
   */
  private readonly lastHistory = new Map<string, ModelRecords>();

  constructor(private readonly db: Db) {
    this.stmt = {
      upsertLatest: db.prepare(
        `INSERT INTO quota_latest (account_id, model, display_name, remaining_fraction, reset_at, fetched_at, source, window, limit_value, remaining_value)
         VALUES (@accountId, @model, @displayName, @remainingFraction, @resetAt, @fetchedAt, @source, @window, @limit, @remaining)
         ON CONFLICT (account_id, model) DO UPDATE SET display_name = excluded.display_name,
           remaining_fraction = excluded.remaining_fraction, reset_at = excluded.reset_at, fetched_at = excluded.fetched_at,
           source = excluded.source, window = excluded.window, limit_value = excluded.limit_value, remaining_value = excluded.remaining_value`,
      ),
      touchLatest: db.prepare<[number, string]>('UPDATE quota_latest SET fetched_at = ? WHERE account_id = ?'),
      touchLatestModel: db.prepare<[number, string, string]>('UPDATE quota_latest SET fetched_at = ? WHERE account_id = ? AND model = ?'),
      deleteLatestMissing: db.prepare('DELETE FROM quota_latest WHERE account_id = ? AND fetched_at < ?'),
      insertHistory: db.prepare(
        'INSERT INTO quota_snapshots (account_id, model, remaining_fraction, reset_at, fetched_at, source) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      latestAll: db.prepare<[], LatestRow>('SELECT * FROM quota_latest'),
      latestFor: db.prepare<[string], LatestRow>('SELECT * FROM quota_latest WHERE account_id = ? ORDER BY model'),
      lastHistory: db.prepare<[], { account_id: string; model: string; remaining_fraction: number | null; reset_at: number | null; fetched_at: number }>(
        `SELECT account_id, model, remaining_fraction, reset_at, MAX(fetched_at) AS fetched_at FROM quota_snapshots GROUP BY account_id, model`,
      ),
      history: db.prepare<[string, string, number], { remaining_fraction: number | null; reset_at: number | null; fetched_at: number }>(
        'SELECT remaining_fraction, reset_at, fetched_at FROM quota_snapshots WHERE account_id = ? AND model = ? AND fetched_at >= ? ORDER BY fetched_at',
      ),
      historyRange: db.prepare<[string, number, number], { model: string; remaining_fraction: number | null; reset_at: number | null; fetched_at: number }>(
        'SELECT model, remaining_fraction, reset_at, fetched_at FROM quota_snapshots WHERE account_id = ? AND fetched_at >= ? AND fetched_at < ? ORDER BY model, fetched_at',
      ),
      historySince: db.prepare<[number], { account_id: string; model: string; remaining_fraction: number | null; reset_at: number | null; fetched_at: number; source: string }>(
        'SELECT account_id, model, remaining_fraction, reset_at, fetched_at, source FROM quota_snapshots WHERE fetched_at >= ? ORDER BY account_id, model, fetched_at',
      ),
      pruneHistory: db.prepare<[number]>('DELETE FROM quota_snapshots WHERE fetched_at < ?'),
      upsertLock: db.prepare(
        `INSERT INTO quota_locks (account_id, model, kind, locked_until, reason, created_at, bucket_reset_at)
         VALUES (@accountId, @model, @kind, @lockedUntil, @reason, @createdAt, @bucketResetAt)
         ON CONFLICT (account_id, model) DO UPDATE SET kind = excluded.kind, locked_until = excluded.locked_until, reason = excluded.reason,
           created_at = excluded.created_at, bucket_reset_at = excluded.bucket_reset_at`,
      ),
      deleteLock: db.prepare<[string, string]>('DELETE FROM quota_locks WHERE account_id = ? AND model = ?'),
      allLocks: db.prepare<[], { account_id: string; model: string; kind: string; locked_until: number; reason: string; created_at: number; bucket_reset_at: number | null }>(
        'SELECT * FROM quota_locks',
      ),
      pruneLocks: db.prepare<[number]>('DELETE FROM quota_locks WHERE locked_until <= ?'),
    };
    // Row by row (iterate): the rows are not all held at once.
    for (const r of this.stmt.lastHistory.iterate()) this.markHistory(this.historyOf(r.account_id), r.model, -1, r.remaining_fraction, r.reset_at, r.fetched_at);
  }

  /**
   * Writes a cycle's readings in one transaction. `complete` lists accounts whose reading was
   * full: their models that disappeared upstream are dropped from the latest table.
   */
  writeReadings(readings: QuotaInfo[], complete: Array<{ accountId: string; fetchedAt: number }> = []): number {
    let historyRows = 0;
    const completeAt = new Map(complete.map((c) => [c.accountId, c.fetchedAt]));
    const byAccount = new Map<string, QuotaInfo[]>();
    for (let k = 0; k < readings.length; k++) {
      const info = readings[k]!;
      let list = byAccount.get(info.accountId);
      if (!list) byAccount.set(info.accountId, (list = []));
      list.push(info);
    }
    this.db.transaction(() => {
      // No iterators, and a method per account and per reading (optimized early, so its numbers
      // stay unboxed): this body runs once per cycle over every reading.
      byAccount.forEach((infos, accountId) => this.writeLatest(accountId, infos, completeAt));
      for (let k = 0; k < readings.length; k++) historyRows += this.writeHistory(readings[k]!);
      for (const [accountId, fetchedAt] of completeAt) this.stmt.deleteLatestMissing.run(accountId, fetchedAt);
    })();
    return historyRows;
  }

  /** Per account, the readings its quota_latest rows hold (compared field by field, not as strings). */
  private readonly lastLatest = new Map<string, ModelMap<QuotaInfo>>();

  /** One account's quota_latest rows (a complete reading is dropped from `completeAt` once handled). */
  private writeLatest(accountId: string, infos: QuotaInfo[], completeAt: Map<string, number>): void {
    // Most polls repeat the last values: then one UPDATE of the time replaces N upserts (and
    // one per reading fetched at another time: a second request's windows, a moment later).
    const at = completeAt.get(accountId);
    if (at !== undefined && this.unchanged(accountId, infos)) {
      this.stmt.touchLatest.run(at, accountId);
      for (let k = 0; k < infos.length; k++) if (infos[k]!.fetchedAt !== at) this.stmt.touchLatestModel.run(infos[k]!.fetchedAt, accountId, infos[k]!.model);
      completeAt.delete(accountId);
      // Hold this poll's readings (the engine holds them too), not the ones of the poll
      // that last changed: one generation of readings in memory, not two.
      const last = this.lastLatest.get(accountId)!;
      for (let k = 0; k < infos.length; k++) last.set(infos[k]!.model, infos[k]!);
    } else {
      for (let k = 0; k < infos.length; k++) this.stmt.upsertLatest.run(infos[k]!);
      this.rememberLatest(accountId, infos, at !== undefined);
    }
  }

  /** Writes a history row for a reading when it moved (or the last is an hour old); answers the rows written. */
  private writeHistory(info: QuotaInfo): number {
    const history = this.historyOf(info.accountId);
    const o = history.find(info.model);
    if (o >= 0) {
      const d = history.data;
      const flags = d[o + HIST_FLAGS]!;
      const lastFraction = flags & FRACTION_NULL ? null : d[o + HIST_FRACTION]!;
      const lastReset = flags & RESET_NULL ? null : d[o + HIST_RESET]!;
      const moved =
        lastReset !== info.resetAt ||
        (lastFraction === null) !== (info.remainingFraction === null) ||
        Math.abs((lastFraction ?? 0) - (info.remainingFraction ?? 0)) >= 0.001 ||
        info.fetchedAt - d[o + HIST_AT]! >= HISTORY_HEARTBEAT_MS;
      if (!moved) return 0;
    }
    this.stmt.insertHistory.run(info.accountId, info.model, info.remainingFraction, info.resetAt, info.fetchedAt, info.source);
    this.markHistory(history, info.model, o, info.remainingFraction, info.resetAt, info.fetchedAt);
    return 1;
  }

  /** Writes a model's last history row (at `o`, or a new record when -1). */
  private markHistory(history: ModelRecords, model: string, o: number, fraction: number | null, resetAt: number | null, at: number): void {
    const w = o < 0 ? history.insert(model) : o;
    const d = history.data;
    d[w + HIST_FLAGS] = (fraction === null ? FRACTION_NULL : 0) | (resetAt === null ? RESET_NULL : 0);
    d[w + HIST_FRACTION] = fraction ?? 0;
    d[w + HIST_RESET] = resetAt ?? 0;
    d[w + HIST_AT] = at;
  }

  private historyOf(accountId: string): ModelRecords {
    let m = this.lastHistory.get(accountId);
    if (!m) this.lastHistory.set(accountId, (m = new ModelRecords(HIST_WIDTH)));
    return m;
  }

  /** Same stored values (everything but the fetch time); NaN equals NaN, as it did as text. */
  private static same(a: QuotaInfo, b: QuotaInfo): boolean {
    return (
      sameNumber(a.remainingFraction, b.remainingFraction) &&
      sameNumber(a.resetAt, b.resetAt) &&
      a.displayName === b.displayName &&
      a.source === b.source &&
      a.window === b.window &&
      sameNumber(a.limit, b.limit) &&
      sameNumber(a.remaining, b.remaining)
    );
  }

  /** True when a complete reading repeats exactly the stored one (same models, same values; the times may differ). */
  private unchanged(accountId: string, infos: QuotaInfo[]): boolean {
    const last = this.lastLatest.get(accountId);
    if (!last || last.size !== infos.length) return false;
    for (let k = 0; k < infos.length; k++) {
      const prev = last.get(infos[k]!.model);
      if (prev === undefined || !QuotaRepository.same(prev, infos[k]!)) return false;
    }
    return true;
  }

  private rememberLatest(accountId: string, infos: QuotaInfo[], complete: boolean): void {
    // A partial reading leaves the account's other rows as they were: forget, so the next
    // complete reading is written in full.
    if (!complete) {
      this.lastLatest.delete(accountId);
      return;
    }
    this.lastLatest.set(accountId, ModelMap.from(infos.map((i) => [i.model, i] as const)));
  }

  /** Every latest reading, row by row (the rows are not all held at once; nothing may write to the database meanwhile). */
  *latestAll(): Generator<QuotaInfo> {
    for (const r of this.stmt.latestAll.iterate()) yield toInfo(r);
  }

  latestFor(accountId: string): QuotaInfo[] {
    return this.stmt.latestFor.all(accountId).map(toInfo);
  }

  history(accountId: string, model: string, since: number): Array<{ remainingFraction: number | null; resetAt: number | null; fetchedAt: number }> {
    return this.stmt.history.all(accountId, model, since).map((r) => ({
      remainingFraction: r.remaining_fraction,
      resetAt: r.reset_at,
      fetchedAt: r.fetched_at,
    }));
  }

  /** Every model's history of one account in [from, to), by model then time. */
  historyRange(accountId: string, from: number, to: number): Array<{ model: string; remainingFraction: number | null; resetAt: number | null; fetchedAt: number }> {
    return this.stmt.historyRange.all(accountId, from, to).map((r) => ({
      model: r.model,
      remainingFraction: r.remaining_fraction,
      resetAt: r.reset_at,
      fetchedAt: r.fetched_at,
    }));
  }

  /** Every account's and model's history since a time, by account, model, then time (streamed). */
  *historySince(since: number): Generator<{ accountId: string; model: string; remainingFraction: number | null; resetAt: number | null; fetchedAt: number; source: string }> {
    for (const r of this.stmt.historySince.iterate(since)) {
      yield { accountId: r.account_id, model: r.model, remainingFraction: r.remaining_fraction, resetAt: r.reset_at, fetchedAt: r.fetched_at, source: r.source };
    }
  }

  pruneHistory(before: number): number {
    const n = this.stmt.pruneHistory.run(before).changes;
    if (n > 0) {
      for (const [accountId, m] of this.lastHistory) {
        m.forEach((o, model) => m.data[o + HIST_AT]! < before && m.delete(model));
        if (m.size === 0) this.lastHistory.delete(accountId);
      }
    }
    return n;
  }

  forgetAccount(accountId: string): void {
    this.lastLatest.delete(accountId);
    this.lastHistory.delete(accountId);
  }

  saveLock(lock: QuotaLock): void {
    this.stmt.upsertLock.run(lock);
  }

  deleteLock(accountId: string, model: string): boolean {
    return this.stmt.deleteLock.run(accountId, model).changes > 0;
  }

  loadLocks(now: number): QuotaLock[] {
    this.stmt.pruneLocks.run(now);
    return this.stmt.allLocks.all().map((r) => ({
      accountId: r.account_id,
      model: r.model,
      kind: r.kind === 'cooldown' ? 'cooldown' : 'quota',
      lockedUntil: r.locked_until,
      reason: r.reason,
      createdAt: r.created_at,
      bucketResetAt: r.bucket_reset_at,
    }));
  }
}
